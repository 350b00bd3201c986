import type { App } from '../server/http/app.js';
import supertest from 'supertest';
import { expect } from 'vitest';
import { LICENSED_ORG_ID, TOKENS } from '../fixtures/personas.js';
import { createDatabase } from '../fixtures/seed.js';
import { settableClock } from '../server/clock.js';
import { createMock, type Mock, type MockDeps } from '../server/compose.js';
import type { RequestEvents } from '../server/http/events.js';
import type { ApiResult } from '../server/openapi/types.js';
import type { Journal } from '../server/journal/journal.js';
import type { LiveEvents } from '../server/journal/live.js';
import type { Db, Tenant } from '../server/store/schema.js';
import type { Tenants } from '../server/tenants/registry.js';
import { migrateDatabase } from '../server/store/migrate.js';
import { openStore, type Store } from '../server/store/store.js';

export { TOKENS };
export const BASE = '/crm/v2/phonebridge';
export const LICENSED_ORG = LICENSED_ORG_ID;

export const auth = (token: string) => ({ Authorization: `Zoho-oauthtoken ${token}` });

const START = '2026-11-26T12:00:00Z';

export interface TestApp {
  http: ReturnType<typeof supertest>;
  /** The Express app, for a test that needs a real port (app.listen(0, '127.0.0.1')). */
  app: App;
  store: Store;
  /** A settable clock, so expiry and timestamps are tested without waiting. */
  clock: ReturnType<typeof settableClock>;
  events: RequestEvents;
  tenants: Tenants;
  journal: Journal;
  live: LiveEvents;
  /** The default tenant's world, as the store holds it now. */
  readonly world: Tenant;
  /** Tells the mock where it listens (after app.listen), so its address guard knows its own port. */
  setListening: Mock['setListening'];
  /** Every response the app sent, with the document violations found in it. */
  responses: { result: ApiResult; violations: string[] }[];
  errors: unknown[];
  /** Back to the state it was created in: the seeded data, the clock, no responses or errors. */
  reset(): Promise<void>;
}

/** The mock's configuration, every part optional; `webhook` too, field by field. */
export type TestConfig = Partial<Omit<MockDeps['config'], 'webhook'>> & { webhook?: Partial<MockDeps['config']['webhook']> };

const WEBHOOK: MockDeps['config']['webhook'] = { timeoutMs: 5000, retries: 0, backoffMs: 50, allowHosts: undefined, rate: 20 };

/** Apps already built in this test file, by configuration: building one costs far more than resetting it. */
const built = new Map<string, TestApp>();

/**
 * An in-process app on an in-memory store, in its initial state: the seeded
 * data (42, 30 records per org) and the clock at 2026-11-26 12:00 UTC. Every
 * response it sends is checked against the document; the test fails on any
 * violation. An app of the same configuration built earlier in the file is
 * reset and handed out again (tests in a file run one at a time).
 */
export async function createTestApp(config: TestConfig = {}): Promise<TestApp> {
  const key = JSON.stringify(config);
  const existing = built.get(key);
  if (existing) {
    await existing.reset();
    return existing;
  }
  const clock = settableClock(START);
  const initial: Db = createDatabase({ seed: 42, crmSize: 30, now: clock.now() });
  // A deep copy, with the prototype-free records of a database as the store reads it.
  const fresh = () => migrateDatabase(structuredClone(initial));
  const store = await openStore({ location: ':memory:', seed: fresh });
  const errors: unknown[] = [];
  const responses: TestApp['responses'] = [];
  const { app, events, tenants, journal, live, setListening } = await createMock({
    store,
    clock,
    config: {
      seed: 42,
      crmSize: 30,
      redirectUris: [],
      tenantTtlSeconds: 86_400,
      maxTenants: 100,
      journalMax: 2000,
      tokenTtlSeconds: 3600,
      legacyExpires: false,
      autoConsent: true,
      publicUrl: undefined,
      adminToken: undefined,
      ...config,
      webhook: { ...WEBHOOK, ...config.webhook },
    },
    logError: (e) => errors.push(e),
  });
  events.on('request:end', (end) => responses.push({ result: end.result, violations: end.violations() }));
  const testApp: TestApp = {
    http: supertest(app),
    app,
    store,
    clock,
    events,
    tenants,
    journal,
    live,
    setListening,
    get world() {
      return tenants.default;
    },
    responses,
    errors,
    async reset() {
      clock.set(START);
      setListening(undefined);
      for (const tenant of tenants.list()) if (tenant.id !== 'default') await tenants.remove(tenant.id);
      journal.forget('default');
      await store.replace(fresh());
      responses.length = 0;
      errors.length = 0;
    },
  };
  built.set(key, testApp);
  liveApps.add(testApp);
  return testApp;
}

/** Every app created by createTestApp; test/setup.ts checks their responses after each test. */
const liveApps = new Set<TestApp>();

/**
 * Fails the current test if any app sent a response its document does not
 * allow. Registered once per test file by test/setup.ts: a hook registered
 * from inside beforeEach or beforeAll would never run.
 */
export function expectDocumentedResponses(): void {
  const violations = [...liveApps].flatMap((app) => app.responses.splice(0).flatMap((r) => r.violations));
  expect(violations, 'every response must match its OpenAPI document').toEqual([]);
}

/** The licensed org's state in the store. */
export const licensedOrg = (store: Store) => store.data.tenants.default!.orgs[LICENSED_ORG]!;
