/**
 * A bad day at Zoho, per tenant, over a real port: injected statuses, delays
 * and dropped connections, the tenant's clock, and Zoho's API limits.
 */
import type { Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TOKENS } from '../fixtures/personas.js';
import { auth, BASE, createTestApp, LICENSED_ORG, type TestApp } from './helpers.js';

let t: TestApp;
let server: Server;
let base: string;

beforeAll(async () => {
  t = await createTestApp();
  server = t.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => server.close());
beforeEach(async () => {
  await t.reset();
  await phonebridge('integrate', {}, TOKENS.admin);
});

const CALL = { callrefid: 'call-1', fromnumber: '0018885554567', tonumber: '100' };
const HUNGUP = { ...CALL, direction: 'inbound', callstarttime: '2026-11-26 12:00:00', duration: '0' };

function phonebridge(op: string, fields: Record<string, string> = {}, token: string = TOKENS.admin, query = ''): Promise<Response> {
  return fetch(`${base}${BASE}/${op}${query}`, {
    method: op === 'users' ? 'GET' : 'POST',
    headers: { ...auth(token), ...(op === 'users' ? {} : { 'Content-Type': 'application/x-www-form-urlencoded' }) },
    body: op === 'users' ? undefined : new URLSearchParams(fields).toString(),
  });
}

async function admin(method: string, path: string, body?: object): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}/__admin/${path}`, {
    method,
    headers: body ? { 'Content-Type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

const addFault = async (fault: object) => {
  const res = await admin('POST', 'faults', fault);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string };
};

/** What a fetch that failed on the network says: the cause's code, or its message. */
async function networkFailure(request: Promise<Response>): Promise<string> {
  try {
    const res = await request;
    await res.text();
    return `answered ${res.status}`;
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? String(error);
  }
}

describe('faults', () => {
  it("a documented status, `times` times, with the document's example; it changes nothing and the journal marks it", async () => {
    await phonebridge('callreceived', CALL);
    const before = JSON.stringify(t.world.orgs[LICENSED_ORG]!.calls);
    const fault = await addFault({ operationId: 'callHungUp', status: 500, times: 1 });
    const injected = await phonebridge('callhungup', HUNGUP);
    expect(injected.status).toBe(500);
    expect(await injected.json()).toEqual({ code: 'INTERNAL_ERROR', details: {}, message: 'Internal server error', status: 'error' });
    expect(JSON.stringify(t.world.orgs[LICENSED_ORG]!.calls)).toBe(before);
    expect((await phonebridge('callhungup', HUNGUP)).status).toBe(200);
    expect((await admin('GET', 'faults')).body.faults).toMatchObject([{ id: fault.id, hits: 1, remaining: 0 }]);
    await t.store.flush();
    expect((await t.store.readSaved())!.tenants.default!.faults).toMatchObject([{ id: fault.id, hits: 1, seen: 1 }]);
    const journal = (await admin('GET', 'requests?operation=callHungUp')).body.requests as { fault: unknown; response: { status: number } }[];
    expect(journal.map((e) => [e.response.status, e.fault])).toEqual([
      [200, null],
      [500, { id: fault.id, effect: { status: 500 } }],
    ]);
  });

  it('refuses what it cannot do: an undocumented status, an unknown operation, a drop with a status, no effect', async () => {
    expect((await admin('POST', 'faults', { operationId: 'listUsers', status: 418 })).body).toMatchObject({ details: { param: 'status' } });
    expect((await admin('POST', 'faults', { operationId: 'nope', status: 500 })).body).toMatchObject({ details: { param: 'operationId' } });
    expect((await admin('POST', 'faults', { drop: 'close', status: 500 })).body).toMatchObject({ details: { param: 'drop' } });
    expect((await admin('POST', 'faults', { operationId: 'listUsers' })).status).toBe(400);
    expect((await admin('GET', 'faults')).body.faults).toEqual([]);
  });

  it('a delay before the real answer, measured', async () => {
    await addFault({ operationId: 'listUsers', delayMs: 300 });
    const started = performance.now();
    const res = await phonebridge('users');
    const elapsed = performance.now() - started;
    expect(res.status).toBe(200);
    expect(elapsed).toBeGreaterThanOrEqual(295);
    expect(elapsed).toBeLessThan(1500);
  });

  it('a delay with a status', async () => {
    await addFault({ operationId: 'listUsers', delayMs: 200, status: 403 });
    const started = performance.now();
    expect((await phonebridge('users')).status).toBe(403);
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
  });

  it('drops: closed with no answer, reset, half a body; each fails the client as the network would, and the journal says status 0', async () => {
    await addFault({ operationId: 'listUsers', drop: 'close', times: 1 });
    expect(await networkFailure(phonebridge('users'))).toMatch(/other side closed|UND_ERR_SOCKET|ECONNRESET/);
    await addFault({ operationId: 'listUsers', drop: 'reset', times: 1 });
    expect(await networkFailure(phonebridge('users'))).toMatch(/ECONNRESET|UND_ERR_SOCKET/);
    await addFault({ operationId: 'listUsers', drop: 'half', times: 1 });
    expect(await networkFailure(phonebridge('users'))).toMatch(/terminated|other side closed|UND_ERR_SOCKET|ECONNRESET/);
    expect((await phonebridge('users')).status).toBe(200);
    const statuses = ((await admin('GET', 'requests?operation=listUsers')).body.requests as { response: { status: number } }[]).map((e) => e.response.status);
    expect(statuses).toEqual([200, 0, 0, 0]);
  });

  it('probability draws from a seeded generator: the same seed, the same requests touched', async () => {
    const pattern = async () => {
      await admin('DELETE', 'faults');
      await addFault({ operationId: 'listUsers', status: 500, probability: 0.5, seed: 7 });
      const statuses: number[] = [];
      for (let i = 0; i < 24; i++) statuses.push((await phonebridge('users')).status);
      return statuses;
    };
    const first = await pattern();
    expect(first).toContain(200);
    expect(first).toContain(500);
    expect(await pattern()).toEqual(first);
  });

  it('with no match, touches every PhoneBridge operation of its tenant only; the control plane never', async () => {
    const tenant = (await admin('POST', 'tenants', {})).body as { id: string; tokens: { admin: string } };
    await addFault({ tenant: tenant.id, status: 500 });
    expect((await phonebridge('users', {}, tenant.tokens.admin)).status).toBe(500);
    expect((await phonebridge('integrate', {}, tenant.tokens.admin)).status).toBe(500);
    expect((await phonebridge('users')).status).toBe(200); // the default tenant
    expect((await admin('GET', `faults?tenant=${tenant.id}`)).status).toBe(200);
  });

  it("Prism's __code query parameter answers a documented status for one request", async () => {
    const res = await phonebridge('users', {}, TOKENS.admin, '?__code=403');
    expect(res.status).toBe(403);
    expect(res.headers.get('preference-applied')).toBe('code=403');
    expect((await phonebridge('users')).status).toBe(200);
  });
});

/** A token for one of the tenant's OAuth clients, through the consent and token endpoints like a vendor's app. */
async function mintToken(clientVendor: string, tenantId?: string) {
  const detail = (await admin('GET', `tenants/${tenantId ?? 'default'}`)).body as {
    clients: { vendor: string; clientId: string; clientSecret: string; redirectUris: string[] }[];
  };
  const client = detail.clients.find((c) => c.vendor === clientVendor)!;
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: client.clientId,
    scope: 'ZohoCRM.crmphonebridge.ALL',
    redirect_uri: client.redirectUris[0]!,
    access_type: 'offline',
  });
  const authorize = await fetch(`${base}/oauth/v2/auth?${query}`, { redirect: 'manual' });
  const code = new URL(authorize.headers.get('location')!).searchParams.get('code')!;
  const tokens = (await (
    await fetch(`${base}/oauth/v2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        client_id: client.clientId,
        client_secret: client.clientSecret,
        redirect_uri: client.redirectUris[0]!,
      }),
    })
  ).json()) as { access_token: string; refresh_token: string };
  return { ...tokens, client };
}

describe('the clock', () => {
  it("advancing 3601 s expires the tenant's access token (401 INVALID_TOKEN), refresh works, another tenant's token is untouched", async () => {
    const other = (await admin('POST', 'tenants', {})).body as { id: string; tokens: { admin: string } };
    await phonebridge('integrate', {}, other.tokens.admin);
    const mine = await mintToken('MockPBX');
    const theirs = await mintToken('MockPBX', other.id);
    expect((await phonebridge('users', {}, mine.access_token)).status).toBe(200);
    expect((await admin('POST', 'clock', { advance: '3601' })).body).toMatchObject({ offsetSeconds: 3601, now: '2026-11-26T13:00:01.000Z' });
    const expired = await phonebridge('users', {}, mine.access_token);
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ code: 'INVALID_TOKEN' });
    expect((await phonebridge('users', {}, theirs.access_token)).status).toBe(200);
    const refreshed = (await (
      await fetch(`${base}/oauth/v2/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: mine.refresh_token,
          client_id: mine.client.clientId,
          client_secret: mine.client.clientSecret,
        }),
      })
    ).json()) as { access_token: string };
    expect((await phonebridge('users', {}, refreshed.access_token)).status).toBe(200);
    expect(t.world.tokens[refreshed.access_token]!.issuedAt).toBe('2026-11-26T13:00:01.000Z');
  });

  it('takes ISO 8601 durations and instants; call times and the journal follow it; DELETE is real time again', async () => {
    expect((await admin('POST', 'clock', { advance: 'P1DT1H' })).body).toMatchObject({ offsetSeconds: 90_000 });
    await phonebridge('callreceived', CALL);
    expect(t.world.orgs[LICENSED_ORG]!.calls['call-1']!.events[0]!.at).toBe('2026-11-27T13:00:00.000Z');
    expect(((await admin('GET', 'requests?limit=1')).body.requests as { at: string }[])[0]!.at).toBe('2026-11-27T13:00:00.000Z');
    expect((await admin('POST', 'clock', { set: '2027-01-01T00:00:00Z' })).body).toMatchObject({ now: '2027-01-01T00:00:00.000Z' });
    expect((await admin('POST', 'clock', { advance: 'soon' })).body).toMatchObject({ details: { param: 'advance' } });
    expect((await admin('POST', 'clock', {})).status).toBe(400);
    expect((await admin('DELETE', 'clock')).body).toEqual({ now: '2026-11-26T12:00:00.000Z', offsetSeconds: 0 });
  });

  it("a tenant's advanced clock expires it; the other tenants keep their own time", async () => {
    const tenant = (await admin('POST', 'tenants', {})).body as { id: string };
    await admin('POST', 'clock', { tenant: tenant.id, advance: String(86_401) });
    expect((await admin('GET', 'clock')).body).toMatchObject({ offsetSeconds: 0 });
    expect(await t.tenants.sweep()).toEqual([tenant.id]);
  });
});

describe("Zoho's API limits", () => {
  it('concurrency is exact under load: with 5, of 20 slow parallel requests 5 are answered and 15 get 429', async () => {
    await admin('POST', 'limits', { concurrency: 5 });
    await addFault({ operationId: 'listUsers', delayMs: 400 });
    const statuses = await Promise.all(Array.from({ length: 20 }, () => phonebridge('users').then((r) => r.status)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
    const refused = await (await phonebridge('integrate')).json(); // no longer in flight: admitted
    expect(refused).toMatchObject({ code: 'PBX_ALREADY_ENABLED' });
  });

  it("credits over a rolling window that follows the tenant's clock; 429 in Zoho's envelope; GET shows the use", async () => {
    expect((await admin('POST', 'limits', { credits: 3, windowSeconds: 60 })).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await phonebridge('users')).status).toBe(200);
    const refused = await phonebridge('users');
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual({
      code: 'TOO_MANY_REQUESTS',
      details: {},
      message: 'You have reached the credits limit of API requests for the org; try again later',
      status: 'error',
    });
    expect((await admin('GET', 'limits')).body.orgs).toContainEqual({ orgId: LICENSED_ORG, inFlight: 0, creditsUsed: 3, credits: 3 });
    await admin('POST', 'clock', { advance: '61' });
    expect((await phonebridge('users')).status).toBe(200);
    await admin('DELETE', 'limits');
    expect((await admin('GET', 'limits')).body).toEqual({ limits: null, orgs: [] });
  });

  it("an edition picks Zoho's figures; another tenant is not limited", async () => {
    const limits = (await admin('POST', 'limits', { edition: 'free' })).body as { limits: { concurrency: number }; orgs: { orgId: string; credits: number }[] };
    expect(limits.limits.concurrency).toBe(5);
    expect(limits.orgs.find((o) => o.orgId === LICENSED_ORG)!.credits).toBe(5000);
    const enterprise = (await admin('POST', 'limits', { edition: 'enterprise' })).body as {
      limits: { concurrency: number };
      orgs: { orgId: string; credits: number }[];
    };
    expect(enterprise.limits.concurrency).toBe(20);
    expect(enterprise.orgs.find((o) => o.orgId === LICENSED_ORG)!.credits).toBe(50_000 + 1000 * 4);
    await admin('POST', 'limits', { credits: 1 });
    const tenant = (await admin('POST', 'tenants', {})).body as { tokens: { admin: string } };
    await phonebridge('integrate', {}, tenant.tokens.admin);
    for (let i = 0; i < 3; i++) expect((await phonebridge('users', {}, tenant.tokens.admin)).status).toBe(200);
  });
});

describe('a vendor-like client on a bad day', () => {
  it('refreshes on INVALID_TOKEN and retries 429 with backoff, with the clock advanced and limits on; every call is logged', async () => {
    const first = await mintToken('MockPBX');
    const { client } = first;
    const tokenCall = async (fields: Record<string, string>) =>
      (await (
        await fetch(`${base}/oauth/v2/token`, {
          method: 'POST',
          body: new URLSearchParams({ client_id: client.clientId, client_secret: client.clientSecret, ...fields }),
        })
      ).json()) as {
        access_token: string;
        refresh_token?: string;
      };
    const refresh_token = first.refresh_token;
    let access_token = first.access_token;
    const stats = { refreshed: 0, retried: 0 };

    /** The vendor's one way to call Zoho: refresh once on INVALID_TOKEN, back off and retry on 429. */
    const report = async (op: string, fields: Record<string, string>) => {
      for (let attempt = 0, backoff = 20; attempt < 10; attempt++) {
        const res = await phonebridge(op, fields, access_token);
        if (res.status === 401 && ((await res.clone().json()) as { code: string }).code === 'INVALID_TOKEN') {
          ({ access_token } = await tokenCall({ grant_type: 'refresh_token', refresh_token }));
          stats.refreshed++;
          continue;
        }
        if (res.status === 429) {
          stats.retried++;
          await new Promise((resolve) => setTimeout(resolve, (backoff *= 2)));
          continue;
        }
        return res.status;
      }
      throw new Error(`${op} never went through`);
    };

    await admin('POST', 'limits', { concurrency: 2 });
    await addFault({ operationId: 'callReceived', delayMs: 150 });
    const calls = Array.from({ length: 6 }, (_, i) => ({ ...CALL, callrefid: `day-${i}` }));
    expect(await Promise.all(calls.map((c) => report('callreceived', c)))).toEqual(Array(6).fill(200));
    await admin('POST', 'clock', { advance: 'PT1H1S' }); // every access token of the hour has expired
    expect(
      await Promise.all(calls.map((c) => report('callhungup', { ...c, direction: 'inbound', callstarttime: '2026-11-26 13:00:01', duration: '0' }))),
    ).toEqual(Array(6).fill(200));
    expect(stats.retried).toBeGreaterThan(0);
    expect(stats.refreshed).toBeGreaterThan(0);
    expect(Object.values(t.world.orgs[LICENSED_ORG]!.calls).filter((c) => c.state === 'ended')).toHaveLength(6);
  });
});
