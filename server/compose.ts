/**
 * The composition root: the three documents' APIs over one store and one
 * clock, the tenants, the request journal and its live events, and the HTTP
 * app in front of them. It never listens (main.ts does).
 */
import path from 'node:path';
import { createAccountsApi, revokeFailed } from './accounts/api.js';
import { createAdminApi } from './admin/api.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import { createApp, type App } from './http/app.js';
import { createControlPlaneGuard, openOperationsOf } from './http/admin-guard.js';
import { RequestEvents } from './http/events.js';
import { createGate } from './controls/gate.js';
import { Limiter } from './controls/limits.js';
import { createHinter } from './journal/hints.js';
import { Journal } from './journal/journal.js';
import { LiveEvents } from './journal/live.js';
import { recordRequests } from './journal/recorder.js';
import { loadDocument, packageDir } from './openapi/documents.js';
import { createPhoneBridgeV2 } from './phonebridge/v2/api.js';
import { createPhoneBridgeV3 } from './phonebridge/v3/api.js';
import { createAddressGuard, type Listening } from './outbound/address-guard.js';
import { DeliveryRate } from './outbound/rate.js';
import type { RequestTrace } from './openapi/types.js';
import type { Store } from './store/store.js';
import { createTenants, sweepExpiredTenants, type Tenants } from './tenants/registry.js';
import { ZOHO_ROUTING } from './zoho/errors.js';

export interface MockDeps {
  store: Store;
  clock: Clock;
  config: Pick<
    Config,
    | 'seed'
    | 'crmSize'
    | 'redirectUris'
    | 'tokenTtlSeconds'
    | 'legacyExpires'
    | 'autoConsent'
    | 'publicUrl'
    | 'adminToken'
    | 'webhook'
    | 'tenantTtlSeconds'
    | 'maxTenants'
    | 'journalMax'
  >;
  /** Where each request's start and end are announced; a new emitter when not given. */
  events?: RequestEvents;
  logError?: (error: unknown) => void;
}

export interface Mock {
  app: App;
  events: RequestEvents;
  tenants: Tenants;
  journal: Journal;
  live: LiveEvents;
  /**
   * Tells the mock where it listens (main.ts after listen; a test after app.listen), so that it never
   * sends a vendor request to itself; undefined: not listening.
   */
  setListening: (address: Listening | undefined) => void;
  /** Stops the mock's timers (the sweep of expired tenants). */
  close(): void;
}

/** The calls a write may have changed: the one it names, and the one it was transferred from. */
function callrefidsOf(trace: RequestTrace): string[] {
  // v2 names a call `callrefid` (`transfercallrefid`), v3 `id` (`transferredcallid`); an admin trigger `callrefid`.
  const { callrefid, transfercallrefid, transferredcallid } = trace.params ?? {};
  const v3Id = trace.operationId?.startsWith('v3') ? trace.params?.id : undefined;
  return [callrefid, transfercallrefid, v3Id, transferredcallid].filter((id): id is string => typeof id === 'string');
}

/** The whole mock: the PhoneBridge API, Zoho's accounts server and the control plane on one app. */
export async function createMock({ store, clock, config, events = new RequestEvents(), logError = console.error }: MockDeps): Promise<Mock> {
  // The one place the store learns of a change: after every operation that is not read-only. The answer waits for the save.
  const onWrite = (_operation: unknown, trace: RequestTrace) =>
    store.changed({ tenantId: trace.tenantId, orgId: trace.orgId, callrefids: callrefidsOf(trace) });
  // A PhoneBridge request changes its caller's org and calls only (when the tenant was used is saved on its own).
  const onPhoneBridgeWrite = (_operation: unknown, trace: RequestTrace) =>
    store.changed({ tenantId: trace.tenantId, orgId: trace.orgId, callrefids: callrefidsOf(trace), orgOnly: true });
  // The accounts server changes only a tenant's tokens and grants.
  const onAccountsWrite = (_operation: unknown, trace: RequestTrace) => store.changed({ tenantId: trace.tenantId, tenantOnly: true });
  const journal = new Journal(config.journalMax);
  const limiter = new Limiter();
  const live = new LiveEvents();
  const rate = new DeliveryRate(config.webhook.rate);
  let listening: Listening | undefined;
  const addressGuard = createAddressGuard({ allowHosts: config.webhook.allowHosts, listening: () => listening });
  const tenants = createTenants(store, clock, {
    ttlSeconds: config.tenantTtlSeconds,
    maxTenants: config.maxTenants,
    seed: config.seed,
    crmSize: config.crmSize,
    redirectUris: config.redirectUris,
    onRemove: (id) => {
      journal.forget(id);
      live.forget(id);
      limiter.forget(id);
      rate.forget(id);
    },
  });
  const phonebridge = await createPhoneBridgeV2({ tenants, onWrite: onPhoneBridgeWrite, logError });
  const phonebridgeV3 = await createPhoneBridgeV3({ tenants, onWrite: onPhoneBridgeWrite, logError });
  const accounts = await createAccountsApi({
    tenants,
    tokenTtlSeconds: config.tokenTtlSeconds,
    legacyExpires: config.legacyExpires,
    autoConsent: config.autoConsent,
    routingErrorSchemas: phonebridge.routingErrorSchemas,
    onWrite: onAccountsWrite,
    logError,
  });
  const targets = {
    statusesOf: (id: string) =>
      [phonebridge, phonebridgeV3, accounts].flatMap((api) => (api.operationIds.includes(id) ? api.statusesOf(id).map((s) => s.status) : [])),
    phonebridgeOperations: [...phonebridge.operationIds, ...phonebridgeV3.operationIds],
  };
  const admin = await createAdminApi({
    tenants,
    limiter,
    targets,
    clock,
    health: () => ({
      database: store.location,
      durability: store.durability,
      error: store.failure,
      saves: { count: store.saves, lastMs: Math.round(store.lastSave.ms * 10) / 10, lastBytes: store.lastSave.bytes },
    }),
    journal,
    live,
    delivery: config.webhook,
    addressGuard,
    rate,
    routingErrorSchemas: phonebridge.routingErrorSchemas,
    onWrite,
    logError,
  });
  const documents = {
    phonebridge: loadDocument('phonebridge.yaml'),
    'phonebridge-v3': loadDocument('phonebridge-v3.yaml'),
    accounts: loadDocument('accounts.yaml'),
    admin: loadDocument('admin.yaml'),
  };
  const app = createApp({
    apis: [
      ['phonebridge', phonebridge],
      ['phonebridge-v3', phonebridgeV3],
      ['accounts', accounts],
      ['admin', admin],
    ],
    documents,
    publicUrl: config.publicUrl,
    events,
    internalError: ZOHO_ROUTING.internalError,
    guard: createControlPlaneGuard({
      adminToken: config.adminToken,
      openOperations: openOperationsOf(documents.admin.document),
      personaTenant: (token) => tenants.list().find((tenant) => Object.values(tenant.personas).includes(token))?.id,
      revokeFailed,
    }),
    gate: createGate(tenants, limiter, (tenantId) => void store.changed({ tenantId, tenantOnly: true }).catch(() => {})),
    consoleDir: path.join(packageDir(), 'dist', 'console'),
    logError,
  });
  const hints = createHinter([documents.phonebridge.document, documents['phonebridge-v3'].document, documents.accounts.document]);
  recordRequests({ events, tenants, journal, live, hints, logError });
  const stopSweeping = sweepExpiredTenants(tenants, config.tenantTtlSeconds, logError);
  return { app, events, tenants, journal, live, setListening: (address) => void (listening = address), close: stopSweeping };
}
