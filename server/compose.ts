/**
 * The composition root: the three documents' APIs over one store and one
 * clock, the HTTP app in front of them, and the request events they announce.
 * It never listens (main.ts does).
 */
import type express from 'express';
import { LICENSED_ORG_ID } from '../fixtures/personas.js';
import { createAccountsApi } from './accounts/api.js';
import { createAdminApi } from './admin/api.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import { createApp } from './http/app.js';
import { RequestEvents } from './http/events.js';
import { loadDocument } from './openapi/documents.js';
import { createPhoneBridgeV2 } from './phonebridge/v2/api.js';
import type { Db } from './store/schema.js';
import type { Store } from './store/store.js';
import { ZOHO_ROUTING } from './zoho/errors.js';

export interface MockDeps {
  store: Store;
  clock: Clock;
  /** A freshly seeded database, for /__admin/reset. */
  reseed: (seed?: number) => Db;
  config: Pick<Config, 'tokenTtlSeconds' | 'legacyExpires' | 'autoConsent' | 'publicUrl' | 'webhook'>;
  /** Where each request's start and end are announced; a new emitter when not given. */
  events?: RequestEvents;
  logError?: (error: unknown) => void;
}

export interface Mock {
  app: express.Express;
  events: RequestEvents;
}

/** The org whose admin auto-consents and that control-plane triggers act on by default: the licensed one. */
export const DEFAULT_ORG_ID = LICENSED_ORG_ID;

/** The whole mock: the PhoneBridge API, Zoho's accounts server and the control plane on one app. */
export async function createMock({ store, clock, reseed, config, events = new RequestEvents(), logError }: MockDeps): Promise<Mock> {
  // The one place the store learns of a change: after every operation that is not read-only.
  const onWrite = () => store.changed();
  const phonebridge = await createPhoneBridgeV2({ store, clock, onWrite, logError });
  const accounts = await createAccountsApi({
    store,
    clock,
    tokenTtlSeconds: config.tokenTtlSeconds,
    legacyExpires: config.legacyExpires,
    autoConsent: config.autoConsent,
    autoConsentOrgId: DEFAULT_ORG_ID,
    routingErrorSchemas: phonebridge.routingErrorSchemas,
    onWrite,
    logError,
  });
  const admin = await createAdminApi({
    store,
    clock,
    reseed,
    defaultOrgId: DEFAULT_ORG_ID,
    delivery: config.webhook,
    routingErrorSchemas: phonebridge.routingErrorSchemas,
    onWrite,
    logError,
  });
  const app = createApp({
    apis: [
      ['phonebridge', phonebridge],
      ['accounts', accounts],
      ['admin', admin],
    ],
    documents: { phonebridge: loadDocument('phonebridge.yaml'), accounts: loadDocument('accounts.yaml'), admin: loadDocument('admin.yaml') },
    publicUrl: config.publicUrl,
    events,
    internalError: ZOHO_ROUTING.internalError,
    logError,
  });
  return { app, events };
}
