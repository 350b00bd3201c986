import type express from 'express';
import { ORGS } from '../fixtures/personas.js';
import { createAccountsApi } from './accounts/api.js';
import { createAdminApi } from './admin/api.js';
import { createApi } from './api.js';
import { createApp, type AppDeps } from './app.js';
import type { Config } from './config.js';
import { loadSpec } from './spec.js';
import type { Db } from './store/schema.js';
import type { Store } from './store/store.js';

export interface MockDeps {
  store: Store;
  now: () => Date;
  /** A freshly seeded database, for /__admin/reset. */
  reseed: (seed?: number) => Db;
  config: Pick<Config, 'tokenTtlSeconds' | 'legacyExpires' | 'autoConsent' | 'publicUrl' | 'webhook'>;
  onResponse?: AppDeps['onResponse'];
  logError?: (error: unknown) => void;
}

/** The whole mock as an Express app: the PhoneBridge API, Zoho's accounts server and the control plane on one port. */
export async function createMock({ store, now, reseed, config, onResponse, logError }: MockDeps): Promise<express.Express> {
  const phonebridge = await createApi({ store, now, logError });
  const accounts = await createAccountsApi({
    store,
    now,
    tokenTtlSeconds: config.tokenTtlSeconds,
    legacyExpires: config.legacyExpires,
    autoConsent: config.autoConsent,
    autoConsentOrgId: ORGS.find((o) => o.key === 'licensed')!.id,
    routingErrorSchemas: phonebridge.routingErrorSchemas,
    logError,
  });
  const admin = await createAdminApi({ store, now, reseed, delivery: config.webhook, routingErrorSchemas: phonebridge.routingErrorSchemas, logError });
  const specs = { phonebridge: loadSpec('phonebridge.yaml'), accounts: loadSpec('accounts.yaml'), admin: loadSpec('admin.yaml') };
  return createApp({ phonebridge, others: { accounts, admin }, specs, publicUrl: config.publicUrl, onResponse, logError });
}
