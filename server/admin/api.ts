/**
 * The control plane from openapi/admin.yaml: the mock plays Zoho toward the
 * vendor (click-to-call and call-control requests), keeps each org's outbox,
 * starts over from the seed, manages tenants, and shows the journal, the call
 * log and the live events. Everything acts on one tenant: named by `tenant`
 * (or the path, for a tenant's own operations), else the default one; every
 * trigger on one org of it: named by `orgid`, resolved through `userid`, or
 * the tenant's licensed org.
 */
import type { SpecApiOptions } from '../openapi/engine.js';
import { findUser, recordPhone, searchRecords } from '../crm/lookup.js';
import { createSpecApi, type RoutingErrorSchemas, type SpecApi } from '../openapi/engine.js';
import { loadDocument } from '../openapi/documents.js';
import type { HandlersOf, OperationResult } from '../openapi/types.js';
import { deliver, hostAllowed, recordRefusal, type DeliveryOptions, type Outgoing } from '../outbound/deliver.js';
import { ACTION_URL, actionBlock, callControlRequest, clickToCallRequest, controlsAfter } from '../outbound/requests.js';
import type { AddressGuard } from '../outbound/address-guard.js';
import type { DeliveryRate } from '../outbound/rate.js';
import type { Tenant, Org } from '../store/schema.js';
import type { Journal } from '../journal/journal.js';
import type { LiveEvents } from '../journal/live.js';
import type { Tenants } from '../tenants/registry.js';
import { journalHandlers } from './journal.js';
import { badDayHandlers, type FaultTargets } from './bad-day.js';
import type { Limiter } from '../controls/limits.js';
import type { Clock } from '../clock.js';
import { tenantHandlers } from './tenants.js';
import { errorResponse, fail, ZOHO_ROUTING } from '../zoho/errors.js';
import { paramError } from '../zoho/param-errors.js';
import type { operations } from './document.gen.js';

export interface AdminDeps {
  tenants: Tenants;
  limiter: Limiter;
  targets: FaultTargets;
  /** The real clock every tenant's clock is an offset of. */
  clock: Clock;
  /** What GET /__admin/health reports of the store. */
  health: () => {
    database: string;
    durability: 'acknowledged' | 'relaxed';
    error: string | null;
    saves: { count: number; lastMs: number; lastBytes: number };
  };
  journal: Journal;
  live: LiveEvents;
  delivery: DeliveryOptions;
  /** Where deliveries may go (never link-local, metadata, multicast, nor the mock itself). */
  addressGuard: AddressGuard;
  /** Deliveries per tenant per second. */
  rate: DeliveryRate;
  routingErrorSchemas: RoutingErrorSchemas;
  /** After every operation that may have changed the store. */
  onWrite?: SpecApiOptions<unknown>['onWrite'];
  logError?: (error: unknown) => void;
}

/** The org named by id; a trigger naming none gets the default one. */
function orgById(db: Tenant, orgId: string): Org {
  return db.orgs[orgId] ?? fail('UNKNOWN_ORG', { param: 'orgid' });
}

/** The org a user belongs to: every id of an org starts with the org's prefix, so the user's id tells. */
function orgOfUser(db: Tenant, userId: string): Org | undefined {
  return Object.values(db.orgs).find((org) => userId.startsWith(org.idPrefix));
}

/** Every org's outbox, as one list in the order the deliveries were made. */
function deliveriesOf(orgs: Org[]) {
  return orgs.flatMap((org) => org.outbox).sort((a, b) => Number(a.id) - Number(b.id));
}

/** The operations whose path names the tenant they act on. */
const TENANT_PATH_OPERATIONS = new Set(['getTenant', 'deleteTenant', 'resetTenant', 'setProfile']);

/**
 * A fresh world for some orgs of a tenant: those orgs and what belongs to
 * them (tokens, refresh tokens, grant codes) come from `fresh`; the rest stays.
 */
function resetOrgs(tenant: Tenant, fresh: Tenant, orgIds: readonly string[]): Tenant {
  const belongs = (record: { orgId: string }) => orgIds.includes(record.orgId);
  for (const id of orgIds) {
    if (fresh.orgs[id]) tenant.orgs[id] = fresh.orgs[id];
    else delete tenant.orgs[id];
  }
  for (const key of ['tokens', 'refreshTokens', 'grantCodes'] as const) {
    const records = tenant[key] as Record<string, { orgId: string }>;
    for (const [name, record] of Object.entries(records)) if (belongs(record)) delete records[name];
    for (const [name, record] of Object.entries(fresh[key] as Record<string, { orgId: string }>)) if (belongs(record)) records[name] = record;
  }
  return tenant;
}

export async function createAdminApi({
  tenants,
  limiter,
  targets,
  clock,
  health,
  journal,
  live,
  delivery,
  addressGuard,
  rate,
  routingErrorSchemas,
  onWrite,
  logError,
}: AdminDeps): Promise<SpecApi> {
  /**
   * Sends one request and answers with its outbox record; or refuses it, sending nothing and opening no
   * connection: a host off the allow-list or a forbidden address (403, the refusal in the outbox), or the
   * tenant's deliveries of the last second used up (429, nothing recorded: a storm must not fill the outbox).
   */
  const send = async (db: Tenant, org: Org, out: Outgoing): Promise<OperationResult> => {
    if (!hostAllowed(out.url, delivery.allowHosts)) {
      const host = URL.canParse(out.url) ? new URL(out.url).host : out.url;
      const refused = recordRefusal({ db, org }, out, tenants.now(db), `not sent: ${host} is not in PHONEBRIDGE_WEBHOOK_ALLOW`);
      return { ...errorResponse('WEBHOOK_HOST_NOT_ALLOWED', { subject: host, details: { url: out.url, delivery: refused.id } }), orgId: org.id };
    }
    const verdict = await addressGuard.check(out.url);
    if (!verdict.allowed) {
      const refused = recordRefusal({ db, org }, out, tenants.now(db), `not sent: ${verdict.reason}`);
      return { ...errorResponse('WEBHOOK_ADDRESS_FORBIDDEN', { subject: verdict.reason, details: { url: out.url, delivery: refused.id } }), orgId: org.id };
    }
    const slot = rate.take(db.id);
    if (!slot.allowed) {
      const subject = `more than ${rate.perSecond} deliveries of this tenant within a second (PHONEBRIDGE_WEBHOOK_RATE)`;
      const refusal = errorResponse('WEBHOOK_RATE_LIMITED', { subject, details: { limit: String(rate.perSecond) } });
      return { ...refusal, headers: { 'Retry-After': String(Math.ceil(slot.retryAfterMs / 1000)) }, orgId: org.id };
    }
    const done = await deliver({ db, org }, out, { ...delivery, lookup: verdict.lookup }, tenants.clockOf(db));
    return { status: 200, body: done, orgId: org.id };
  };

  /** The orgs an outbox request names: one with `orgid`, else all. */
  const orgsNamed = (db: Tenant, orgid: string | undefined): Org[] =>
    orgid === undefined ? Object.values(db.orgs) : [db.orgs[orgid]].filter((o): o is Org => o !== undefined);

  const handlers: HandlersOf<operations, undefined, Tenant> = {
    ...tenantHandlers(tenants),
    ...journalHandlers(journal, live),
    ...badDayHandlers({ tenants, limiter, targets, clock }),

    health: () => {
      const state = health();
      return { status: state.error === null ? 200 : 503, body: { status: state.error === null ? 'ok' : 'failing', ...state } };
    },

    triggerClickToCall: ({ params, db }) => {
      const org = params.orgid !== undefined ? orgById(db, params.orgid) : orgOfUser(db, params.userid);
      const user = org && findUser(org, params.userid);
      if (!org || !user?.active) fail('UNKNOWN_USER', { param: 'userid' });
      const registration = org.clickToCall[user.id];
      const url = registration?.clicktocallurl ?? fail('CLICKTOCALL_NOT_ENABLED');
      let tonumber = params.tonumber;
      if (tonumber === undefined) {
        if (params.recordid === undefined) fail('REQUIRED_PARAM_MISSING', { param: 'tonumber' });
        tonumber = recordPhone(org, params.recordid) ?? fail('UNKNOWN_RECORD', { param: 'recordid' });
      }
      const { fields, headers } = clickToCallRequest(registration!, user, tonumber);
      return send(db, org, { kind: 'clicktocall', orgId: org.id, userId: user.id, callrefid: null, url, fields, headers });
    },

    triggerCallControl: async ({ params, db }) => {
      const { callrefid, action } = params;
      const named = params.orgid ?? (params.userid !== undefined ? orgOfUser(db, params.userid)?.id : undefined);
      const org = orgById(db, named ?? db.defaultOrgId);
      const call = org.calls[callrefid] ?? fail('UNKNOWN_CALLREFID', { param: 'callrefid' });
      const userId = params.userid ?? call.userId;
      if (!findUser(org, userId)?.active) fail('UNKNOWN_USER', { param: 'userid' });
      const registration = org.clickToCall[userId];
      const block = actionBlock(registration, userId, action, call);
      if (block) fail(block.code, block.code === 'CLICKTOCALL_NOT_ENABLED' ? {} : { subject: block.subject, details: block.details });
      // No block: the registration and the action's URL exist.
      const url = registration![ACTION_URL[action]]!;
      if (action === 'keypress' && params.digit === undefined) fail('REQUIRED_PARAM_MISSING', { param: 'digit' });
      const { fields, headers } = callControlRequest(registration!, callrefid, action === 'keypress' ? params.digit : undefined);
      const result = await send(db, org, { kind: action, orgId: org.id, userId, callrefid, url, fields, headers });
      if ((result.body as { delivered?: boolean } | undefined)?.delivered) call.controls = controlsAfter(action, call.controls);
      return result;
    },

    reset: async ({ params, db }) => {
      if (params.orgid === undefined) {
        const fresh = await tenants.reset(db, params.seed);
        return { status: 200, body: { status: 'success', seed: fresh.seed } };
      }
      orgById(db, params.orgid);
      // One org: a fresh world is built and only that org (and its tokens) taken from it.
      const fresh = tenants.fresh(db, params.seed);
      await tenants.put(resetOrgs(db, fresh, [params.orgid]));
      return { status: 200, body: { status: 'success', seed: fresh.seed }, orgId: params.orgid };
    },

    listOutbox: ({ params, db }) => ({ status: 200, body: { deliveries: deliveriesOf(orgsNamed(db, params.orgid)) } }),

    listRecords: ({ params, db }) => {
      const org = orgById(db, params.orgid ?? db.defaultOrgId);
      return { status: 200, body: { records: searchRecords(org, params.search ?? '', params.limit ?? 20) }, orgId: org.id };
    },

    resendDelivery: ({ params, db }) => {
      const first = deliveriesOf(Object.values(db.orgs)).find((d) => d.id === params.id);
      if (!first) fail('NOT_IN_JOURNAL', { subject: `No delivery ${params.id} in the outbox of tenant ${db.id}` });
      const org = orgById(db, first.orgId);
      // The same request: its form fields in order, its headers but the ones the delivery sets itself.
      const fields = [...new URLSearchParams(first.request.body)];
      const { 'content-type': _type, 'content-length': _length, ...headers } = first.request.headers;
      const { kind, userId, callrefid, url } = first;
      return send(db, org, { kind, orgId: org.id, userId, callrefid, url, fields, headers });
    },

    clearOutbox: ({ params, db }) => {
      for (const org of orgsNamed(db, params.orgid)) org.outbox = [];
      return { status: 200, body: { deliveries: [] } };
    },
  };

  return createSpecApi({
    document: loadDocument('admin.yaml').document,
    handlers,
    context: ({ operationId, params, baseUrl }) => {
      const named = (params.tenant ?? (TENANT_PATH_OPERATIONS.has(operationId) ? params.id : undefined)) as string | undefined;
      const tenant = named === undefined ? tenants.default : tenants.get(named);
      if (!tenant) fail('UNKNOWN_TENANT', { subject: named, details: { tenant: named! } });
      return { params, caller: undefined, db: tenants.use(tenant), now: tenants.now(tenant), baseUrl };
    },
    tenantOf: ({ db }) => db.id,
    validationFail: (errors) => paramError(errors),
    routing: ZOHO_ROUTING,
    routingErrorSchemas,
    onWrite,
    logError,
  });
}
