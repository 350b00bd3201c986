import supertest from 'supertest';
import { expect } from 'vitest';
import { createDatabase } from '../fixtures/seed.js';
import type { ApiResult } from '../server/api.js';
import { createMock, type MockDeps } from '../server/mock.js';
import { openStore, type Store } from '../server/store/store.js';

export const BASE = '/crm/v2/phonebridge';
export const TOKENS = {
  admin: '1000.admin.mockpbx',
  user: '1000.user.mockpbx',
  free: '1000.admin.freeedition',
  unregistered: '1000.admin.unregistered',
  otherpbx: '1000.admin.otherpbx',
  expired: '1000.expired.mockpbx',
} as const;
export const LICENSED_ORG = '700000101';

export const auth = (token: string) => ({ Authorization: `Zoho-oauthtoken ${token}` });

/** A settable clock, so expiry and timestamps are tested without waiting. */
export function testClock(start = '2026-11-26T12:00:00Z') {
  let now = new Date(start);
  return { now: () => new Date(now), set: (iso: string) => (now = new Date(iso)) };
}

export interface TestApp {
  http: ReturnType<typeof supertest>;
  store: Store;
  clock: ReturnType<typeof testClock>;
  /** Every response the app sent, with the document violations found in it. */
  responses: { result: ApiResult; violations: string[] }[];
  errors: unknown[];
}

/**
 * An in-process app on an in-memory store. Every response it sends is checked
 * against the document; the test fails on any violation.
 */
export async function createTestApp(config: Partial<MockDeps['config']> = {}): Promise<TestApp> {
  const clock = testClock();
  const reseed = (seed = 42) => createDatabase({ seed, crmSize: 30, now: clock.now() });
  const store = await openStore({ location: ':memory:', seed: () => reseed() });
  const errors: unknown[] = [];
  const responses: TestApp['responses'] = [];
  const app = await createMock({
    store,
    now: clock.now,
    reseed,
    config: { tokenTtlSeconds: 3600, legacyExpires: false, autoConsent: true, publicUrl: undefined, webhook: { timeoutMs: 5000, retries: 0, backoffMs: 50, allowHosts: undefined }, ...config },
    onResponse: (result, violations) => responses.push({ result, violations }),
    logError: (e) => errors.push(e),
  });
  const testApp = { http: supertest(app), store, clock, responses, errors };
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
export const licensedOrg = (store: Store) => store.data.orgs[LICENSED_ORG]!;
