/** Tenants: isolated worlds in one mock, reached through their own tokens and OAuth clients; the default one unchanged. */
import { describe, expect, it } from 'vitest';
import { OAUTH_CLIENTS } from '../fixtures/personas.js';
import { auth, BASE, createTestApp, LICENSED_ORG, TOKENS, type TestApp } from './helpers.js';

interface TenantBody {
  id: string;
  label: string | null;
  seed: number;
  tokens: Record<string, string>;
  clients: { vendor: string; clientId: string; clientSecret: string; redirectUris: string[] }[];
  orgs: { id: string; kind: string; users: { id: string; role: string; active: boolean }[] }[];
}

async function newTenant(t: TestApp, fields: Record<string, unknown> = {}): Promise<TenantBody> {
  const res = await t.http.post('/__admin/tenants').send(fields).expect(201);
  return res.body as TenantBody;
}

const licensed = (tenant: TenantBody) => tenant.orgs.find((o) => o.kind === 'licensed')!;
const CALL = { callrefid: 'call-1', fromnumber: '0018885554567', tonumber: '100' };

/** Enables the integration and reports a ringing call-1 with a persona token. */
async function ring(t: TestApp, token: string) {
  await t.http.post(`${BASE}/integrate`).set(auth(token)).expect(200);
  return t.http.post(`${BASE}/callreceived`).set(auth(token)).type('form').send(CALL).expect(200);
}

describe('POST /__admin/tenants', () => {
  it('answers 201 with a token per persona, its OAuth clients, and its four orgs with their users', async () => {
    const t = await createTestApp();
    const tenant = await newTenant(t, { label: 'ci-1', seed: 7, crmSize: 5 });
    expect(tenant.id).toMatch(/^t[0-9a-f]{12}$/);
    expect(tenant).toMatchObject({ label: 'ci-1', seed: 7 });
    expect(Object.keys(tenant.tokens).sort()).toEqual(['admin', 'expired', 'freeedition', 'otherpbx', 'unregistered', 'user']);
    expect(Object.values(tenant.tokens).every((token) => /^1000\.[0-9a-f]{32}\.[0-9a-f]{32}$/.test(token))).toBe(true);
    expect(tenant.clients.map((c) => c.vendor)).toEqual(['MockPBX', 'UnregisteredPBX']);
    expect(tenant.clients.map((c) => c.clientId)).not.toContain(OAUTH_CLIENTS[0].clientId);
    expect(tenant.orgs.map((o) => o.kind)).toEqual(['licensed', 'free', 'unregistered', 'otherpbx']);
    expect(tenant.orgs.map((o) => o.id)).not.toContain(LICENSED_ORG);
    expect(licensed(tenant).users.some((u) => u.role === 'admin')).toBe(true);
  });

  it("each persona token acts as that persona in the tenant's own orgs", async () => {
    const t = await createTestApp();
    const tenant = await newTenant(t);
    await t.http.post(`${BASE}/integrate`).set(auth(tenant.tokens.admin!)).expect(200);
    const users = await t.http.get(`${BASE}/users`).set(auth(tenant.tokens.user!)).expect(200);
    expect((users.body as { users: { userid: string }[] }).users.map((u) => u.userid).sort()).toEqual(
      licensed(tenant)
        .users.filter((u) => u.active)
        .map((u) => u.id)
        .sort(),
    );
    await t.http.get(`${BASE}/users`).set(auth(tenant.tokens.freeedition!)).expect(403);
    await t.http.get(`${BASE}/users`).set(auth(tenant.tokens.expired!)).expect(401);
    await t.http.post(`${BASE}/integrate`).set(auth(tenant.tokens.otherpbx!)).expect(403);
    await t.http.post(`${BASE}/integrate`).set(auth(tenant.tokens.unregistered!)).expect(400);
  });

  it('answers 429 TOO_MANY_TENANTS beyond PHONEBRIDGE_MAX_TENANTS, the default one not counted', async () => {
    const t = await createTestApp({ maxTenants: 2 });
    await newTenant(t);
    await newTenant(t);
    const res = await t.http.post('/__admin/tenants').send({}).expect(429);
    expect(res.body).toMatchObject({ code: 'TOO_MANY_TENANTS', status: 'error' });
  });

  it('refuses a malformed field with 400 naming it', async () => {
    const t = await createTestApp();
    const res = await t.http.post('/__admin/tenants').send({ crmSize: 0 }).expect(400);
    expect(res.body).toMatchObject({ details: { param: 'crmSize' } });
  });
});

describe('isolation', () => {
  it('two tenants and the default one all use call-1: none sees the others’ calls, journal or registrations', async () => {
    const t = await createTestApp();
    const [a, b] = [await newTenant(t), await newTenant(t)];
    await ring(t, a.tokens.admin!);
    await ring(t, b.tokens.admin!);
    await t.http
      .post(`${BASE}/clicktocallandcallcontrol`)
      .set(auth(a.tokens.admin!))
      .type('form')
      .send({ clicktocallurl: 'https://a.example.com/c2c' })
      .expect(200);

    for (const tenant of [a, b]) {
      const calls = (await t.http.get('/__admin/calls').query({ tenant: tenant.id }).expect(200)).body as { calls: { orgId: string }[] };
      expect(calls.calls.map((c) => c.orgId)).toEqual([licensed(tenant).id]);
      const requests = (await t.http.get('/__admin/requests').query({ tenant: tenant.id }).expect(200)).body as { requests: { tenant: string }[] };
      expect(requests.requests.length).toBeGreaterThan(0);
      expect(requests.requests.every((r) => r.tenant === tenant.id)).toBe(true);
    }
    expect(((await t.http.get('/__admin/calls').expect(200)).body as { calls: unknown[] }).calls).toEqual([]);
    expect(((await t.http.get('/__admin/requests').expect(200)).body as { requests: unknown[] }).requests).toEqual([]);
    expect(Object.keys(t.tenants.get(a.id)!.orgs[licensed(a).id]!.clickToCall)).toHaveLength(1);
    expect(Object.keys(t.tenants.get(b.id)!.orgs[licensed(b).id]!.clickToCall)).toHaveLength(0);
    // The default tenant is untouched: its integration was never enabled.
    expect(t.world.orgs[LICENSED_ORG]!.integration).toBeNull();
  });

  it("a trigger and the outbox act on the named tenant's org only", async () => {
    const t = await createTestApp();
    const a = await newTenant(t);
    const adminId = licensed(a).users.find((u) => u.role === 'admin')!.id;
    await t.http.post(`${BASE}/integrate`).set(auth(a.tokens.admin!)).expect(200);
    await t.http
      .post(`${BASE}/clicktocallandcallcontrol`)
      .set(auth(a.tokens.admin!))
      .type('form')
      .send({ clicktocallurl: 'http://127.0.0.1:9/c2c' })
      .expect(200);
    // The user exists only in tenant a: in the default tenant the same trigger is refused.
    await t.http.post('/__admin/click-to-call').send({ userid: adminId, tonumber: '123' }).expect(400);
    await t.http.post('/__admin/click-to-call').send({ tenant: a.id, userid: adminId, tonumber: '123' }).expect(200);
    expect(((await t.http.get('/__admin/outbox').query({ tenant: a.id }).expect(200)).body as { deliveries: unknown[] }).deliveries).toHaveLength(1);
    expect(((await t.http.get('/__admin/outbox').expect(200)).body as { deliveries: unknown[] }).deliveries).toHaveLength(0);
  });

  it('the well-known tokens and clients keep working in the default tenant', async () => {
    const t = await createTestApp();
    await newTenant(t);
    await t.http.get(`${BASE}/users`).set(auth(TOKENS.admin)).expect(400); // not integrated yet: PBX_NOT_INTEGRATED, as always
    const res = await t.http
      .post('/oauth/v2/token')
      .type('form')
      .send({ grant_type: 'refresh_token', refresh_token: 'x', client_id: OAUTH_CLIENTS[0].clientId, client_secret: OAUTH_CLIENTS[0].clientSecret });
    expect(res.body).toEqual({ error: 'invalid_code' });
  });
});

describe("a tenant's OAuth client", () => {
  it('mints tokens for the tenant: the grant is its licensed admin (auto-consent), and the token reaches its orgs only', async () => {
    const t = await createTestApp();
    const tenant = await newTenant(t);
    const client = tenant.clients.find((c) => c.vendor === 'MockPBX')!;
    const authorize = await t.http
      .get('/oauth/v2/auth')
      .query({
        response_type: 'code',
        client_id: client.clientId,
        scope: 'ZohoCRM.crmphonebridge.ALL',
        redirect_uri: client.redirectUris[0],
        access_type: 'offline',
      })
      .expect(302);
    const code = new URL(authorize.headers.location as string).searchParams.get('code')!;
    const token = await t.http
      .post('/oauth/v2/token')
      .type('form')
      .send({ grant_type: 'authorization_code', code, client_id: client.clientId, client_secret: client.clientSecret, redirect_uri: client.redirectUris[0] })
      .expect(200);
    const { access_token, refresh_token } = token.body as { access_token: string; refresh_token: string };
    await t.http.post(`${BASE}/integrate`).set(auth(access_token)).expect(200);
    expect(t.tenants.get(tenant.id)!.orgs[licensed(tenant).id]!.integration?.vendor).toBe('MockPBX');
    expect(t.world.orgs[LICENSED_ORG]!.integration).toBeNull();
    // The default tenant's client does not know the tenant's refresh token.
    const crossed = await t.http
      .post('/oauth/v2/token')
      .type('form')
      .send({ grant_type: 'refresh_token', refresh_token, client_id: OAUTH_CLIENTS[0].clientId, client_secret: OAUTH_CLIENTS[0].clientSecret });
    expect(crossed.body).toEqual({ error: 'invalid_code' });
  });

  it("the consent page of a tenant's client lists only that tenant's users", async () => {
    const t = await createTestApp({ autoConsent: false });
    const tenant = await newTenant(t);
    const client = tenant.clients.find((c) => c.vendor === 'MockPBX')!;
    const page = await t.http
      .get('/oauth/v2/auth')
      .query({ response_type: 'code', client_id: client.clientId, scope: 'ZohoCRM.crmphonebridge.ALL', redirect_uri: client.redirectUris[0] })
      .expect(200);
    for (const user of licensed(tenant).users.filter((u) => u.active)) expect(page.text).toContain(user.id);
    for (const user of t.world.orgs[LICENSED_ORG]!.users) expect(page.text).not.toContain(user.id);
  });
});

describe('GET, reset and DELETE of a tenant', () => {
  it('GET lists and shows it; an unknown id is 404 UNKNOWN_TENANT, for its own path and as a tenant parameter', async () => {
    const t = await createTestApp();
    const tenant = await newTenant(t, { label: 'mine' });
    const list = (await t.http.get('/__admin/tenants').expect(200)).body as { tenants: { id: string; expiresAt: string | null }[] };
    expect(list.tenants.map((x) => x.id)).toEqual(['default', tenant.id]);
    expect(list.tenants[0]!.expiresAt).toBeNull();
    expect(Date.parse(list.tenants[1]!.expiresAt!)).toBe(Date.parse('2026-11-27T12:00:00Z'));
    expect(((await t.http.get('/__admin/tenants').query({ label: 'mine' }).expect(200)).body as { tenants: unknown[] }).tenants).toHaveLength(1);
    expect((await t.http.get(`/__admin/tenants/${tenant.id}`).expect(200)).body).toEqual(tenant);
    const unknown = await t.http.get('/__admin/tenants/t000000000000').expect(404);
    expect(unknown.body).toMatchObject({ code: 'UNKNOWN_TENANT', details: { tenant: 't000000000000' } });
    await t.http.get('/__admin/calls').query({ tenant: 't000000000000' }).expect(404);
  });

  it('reset starts the tenant over from its seed, keeping its tokens; another seed gives other data', async () => {
    const t = await createTestApp();
    const tenant = await newTenant(t);
    await ring(t, tenant.tokens.admin!);
    const reset = (await t.http.post(`/__admin/tenants/${tenant.id}/reset`).send({ seed: 9 }).expect(200)).body as TenantBody;
    expect(reset.tokens).toEqual(tenant.tokens);
    expect(reset.seed).toBe(9);
    expect(t.tenants.get(tenant.id)!.orgs[licensed(tenant).id]!.calls).toEqual({});
    await ring(t, tenant.tokens.admin!); // integrate works again: the integration was reset
    expect(licensed(reset).users.map((u) => u.id)).toEqual(licensed(tenant).users.map((u) => u.id));
  });

  it('DELETE removes it and its tokens stop working; the default tenant cannot be deleted', async () => {
    const t = await createTestApp();
    const tenant = await newTenant(t);
    await t.http.delete(`/__admin/tenants/${tenant.id}`).expect(204);
    await t.http.get(`${BASE}/users`).set(auth(tenant.tokens.admin!)).expect(401);
    await t.http.delete(`/__admin/tenants/${tenant.id}`).expect(404);
    expect((await t.http.delete('/__admin/tenants/default').expect(409)).body).toMatchObject({ code: 'DEFAULT_TENANT' });
  });
});

describe('expiry', () => {
  it('a tenant unused for the TTL is removed by the sweep; one used meanwhile stays; the default one never goes', async () => {
    const t = await createTestApp({ tenantTtlSeconds: 60 });
    const [idle, busy] = [await newTenant(t), await newTenant(t)];
    t.clock.advance(45_000);
    await t.http.get(`${BASE}/users`).set(auth(busy.tokens.admin!));
    t.clock.advance(30_000);
    expect(await t.tenants.sweep()).toEqual([idle.id]);
    await t.http.get(`/__admin/tenants/${idle.id}`).expect(404);
    await t.http.get(`/__admin/tenants/${busy.id}`).expect(200);
    t.clock.advance(86_400_000);
    expect(await t.tenants.sweep()).toEqual([busy.id]);
    expect(t.tenants.list().map((x) => x.id)).toEqual(['default']);
  });

  it('with PHONEBRIDGE_TENANT_TTL=0 nothing expires', async () => {
    const t = await createTestApp({ tenantTtlSeconds: 0 });
    await newTenant(t);
    t.clock.advance(10 * 365 * 86_400_000);
    expect(await t.tenants.sweep()).toEqual([]);
  });
});
