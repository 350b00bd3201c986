import type { Context } from 'openapi-backend';
import { paramError } from '../api.js';
import { findUser, recordPhone } from '../crm-lookup.js';
import { errorResponse, fail, type ApiResponse } from '../errors.js';
import { deliver, hostAllowed, recordRefusal, type DeliveryOptions, type Outgoing } from '../outbound/deliver.js';
import { ACTION_URL, actionRefusal, callControlRequest, clickToCallRequest, controlsAfter } from '../outbound/requests.js';
import { createSpecApi, type RoutingErrorSchemas, type SpecApi, type SpecRequest } from '../spec-api.js';
import { loadSpec } from '../spec.js';
import type { CallControlAction, CrmUser, Db, Org } from '../store/schema.js';
import type { Store } from '../store/store.js';
import type { ErrorObject } from 'ajv';

export interface AdminDeps {
  store: Store;
  now: () => Date;
  /** A freshly seeded database: with this seed, or the one the mock started with. */
  reseed: (seed?: number) => Db;
  delivery: DeliveryOptions;
  routingErrorSchemas: RoutingErrorSchemas;
  logError?: (error: unknown) => void;
}

/** The active user with this id, in whichever org holds it. */
function findActiveUser(orgs: Org[], userId: string): { org: Org; user: CrmUser } {
  for (const org of orgs) {
    const user = findUser(org, userId);
    if (user?.active) return { org, user };
  }
  return fail('UNKNOWN_USER', { param: 'userid' });
}

/**
 * The control plane from openapi/admin.yaml: the mock plays Zoho toward the
 * vendor (click-to-call and call-control requests) and keeps an outbox.
 */
export async function createAdminApi({ store, now, reseed, delivery, routingErrorSchemas, logError }: AdminDeps): Promise<SpecApi> {
  const db = store.data;

  /** Sends (or, off the allow-list, refuses) one request and answers with its outbox record. */
  const send = async (out: Outgoing): Promise<ApiResponse> => {
    if (!hostAllowed(out.url, delivery.allowHosts)) {
      const host = URL.canParse(out.url) ? new URL(out.url).host : out.url;
      recordRefusal(db, out, now(), `not sent: ${host} is not in PHONEBRIDGE_WEBHOOK_ALLOW`);
      store.changed();
      return errorResponse('WEBHOOK_HOST_NOT_ALLOWED', { subject: host, details: { url: out.url } });
    }
    const done = await deliver(db, out, delivery, now);
    store.changed();
    return { status: 200, body: done };
  };

  const handlers: Record<string, (c: Context, request: SpecRequest) => ApiResponse | Promise<ApiResponse>> = {
    triggerClickToCall: (_c, { params }) => {
      const { org, user } = findActiveUser(Object.values(db.orgs), String(params.userid));
      const registration = org.clickToCall[user.id] ?? fail('CLICKTOCALL_NOT_ENABLED');
      let tonumber = params.tonumber as string | undefined;
      if (tonumber === undefined) {
        if (params.recordid === undefined) fail('REQUIRED_PARAM_MISSING', { param: 'tonumber' });
        tonumber = recordPhone(org, String(params.recordid)) ?? fail('UNKNOWN_RECORD', { param: 'recordid' });
      }
      const { fields, headers } = clickToCallRequest(registration, user, tonumber);
      return send({ kind: 'clicktocall', orgId: org.id, userId: user.id, callrefid: null, url: registration.clicktocallurl, fields, headers });
    },

    triggerCallControl: async (_c, { params }) => {
      const callrefid = String(params.callrefid);
      const action = params.action as CallControlAction;
      const org = Object.values(db.orgs).find((o) => o.calls[callrefid]) ?? fail('UNKNOWN_CALLREFID', { param: 'callrefid' });
      const call = org.calls[callrefid]!;
      const userId = typeof params.userid === 'string' ? params.userid : call.userId;
      if (!findUser(org, userId)?.active) fail('UNKNOWN_USER', { param: 'userid' });
      const registration = org.clickToCall[userId] ?? fail('CLICKTOCALL_NOT_ENABLED');
      const url = registration[ACTION_URL[action]] as string | undefined;
      if (!url) fail('NO_URL_FOR_ACTION', { subject: ACTION_URL[action], details: { action } });
      const refusal = actionRefusal(action, call);
      if (refusal) fail('ACTION_NOT_ALLOWED', { subject: refusal, details: { state: call.state } });
      if (action === 'keypress' && params.digit === undefined) fail('REQUIRED_PARAM_MISSING', { param: 'digit' });
      const { fields, headers } = callControlRequest(registration, callrefid, action === 'keypress' ? String(params.digit) : undefined);
      const result = await send({ kind: action, orgId: org.id, userId, callrefid, url: url!, fields, headers });
      if ((result.body as { delivered?: boolean } | undefined)?.delivered) {
        call.controls = controlsAfter(action, call.controls);
        store.changed();
      }
      return result;
    },

    reset: async (_c, { params }) => {
      await store.replace(reseed(typeof params.seed === 'number' ? params.seed : undefined));
      return { status: 200, body: { status: 'success', seed: db.seed } };
    },

    listOutbox: () => ({ status: 200, body: { deliveries: db.outbox } }),

    clearOutbox: () => {
      db.outbox = [];
      store.changed();
      return { status: 200, body: { deliveries: [] } };
    },

    validationFail: (c) => paramError((c.validation.errors ?? []) as ErrorObject[]),
  };

  return createSpecApi({ document: loadSpec('admin.yaml').document, handlers, routingErrorSchemas, logError });
}
