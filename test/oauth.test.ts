import { describe, expect, it } from 'vitest';
import { OAUTH_CLIENTS } from '../fixtures/personas.js';
import { createDefaultTenant, restoreFixtures } from '../fixtures/seed.js';
import { ACCESS_TOKENS_PER_REFRESH_TOKEN, REFRESH_TOKENS_PER_USER } from '../server/accounts/tokens.js';
import { auth, BASE, createTestApp, LICENSED_ORG, TOKENS, type TestApp } from './helpers.js';

const [MOCKPBX, UNREGISTERED] = OAUTH_CLIENTS;
const REDIRECT = MOCKPBX.redirectUris[0]!;
// supertest serves each request on a new ephemeral port, so only the shape of the mock's own URL is stable here.
const LOOPBACK = /^http:\/\/127\.0\.0\.1:\d+$/;

interface AuthorizeOptions {
  client?: (typeof OAUTH_CLIENTS)[number];
  scope?: string;
  accessType?: 'online' | 'offline';
  redirectUri?: string;
  state?: string;
}

/** The consent redirect (auto-consent in these tests): the grant code and the rest of the redirect. */
async function authorize(
  t: TestApp,
  { client = MOCKPBX, scope = 'ZohoCRM.crmphonebridge.ALL', accessType = 'offline', redirectUri = REDIRECT, state = 'xyz' }: AuthorizeOptions = {},
) {
  const res = await t.http
    .get('/oauth/v2/auth')
    .query({ response_type: 'code', client_id: client.clientId, scope, redirect_uri: redirectUri, access_type: accessType, prompt: 'consent', state })
    .expect(302);
  const location = new URL(res.headers.location!);
  return { code: location.searchParams.get('code')!, location };
}

/** POST /oauth/v2/token with the parameters in the query string and an empty body, as many clients do. */
const tokenByQuery = (t: TestApp, params: Record<string, string>) => t.http.post('/oauth/v2/token').query(params).expect(200);
/** The same as a form body. */
const tokenByForm = (t: TestApp, params: Record<string, string>) => t.http.post('/oauth/v2/token').type('form').send(params).expect(200);

async function exchange(t: TestApp, code: string, client = MOCKPBX) {
  const res = await tokenByQuery(t, {
    grant_type: 'authorization_code',
    code,
    client_id: client.clientId,
    client_secret: client.clientSecret,
    redirect_uri: REDIRECT,
  });
  return res.body as { access_token: string; refresh_token?: string; api_domain: string; token_type: string; expires_in: number };
}

async function tokensFor(t: TestApp, options: AuthorizeOptions = {}) {
  return exchange(t, (await authorize(t, options)).code, options.client);
}

const refresh = (t: TestApp, refreshToken: string, client = MOCKPBX) =>
  tokenByForm(t, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: client.clientId, client_secret: client.clientSecret });

describe('a scripted vendor, from consent to revocation', () => {
  it('consent -> code -> tokens -> call -> expiry -> 401 -> refresh -> call -> revoke -> 401', async () => {
    const t = await createTestApp();
    const { code, location } = await authorize(t);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(code).toMatch(/^1000\.[0-9a-f]{32}\.[0-9a-f]{32}$/);
    expect(location.searchParams.get('location')).toBe('us');
    expect(location.searchParams.get('state')).toBe('xyz');
    expect(location.searchParams.get('accounts-server')).toMatch(LOOPBACK);

    const tokens = await exchange(t, code);
    expect(tokens).toEqual({
      access_token: expect.stringMatching(/^1000\./),
      refresh_token: expect.stringMatching(/^1000\./),
      api_domain: expect.stringMatching(LOOPBACK),
      token_type: 'Bearer',
      expires_in: 3600,
    });

    // The token belongs to the licensed org's admin and the MockPBX vendor.
    const ok = await t.http.post(`${BASE}/integrate`).set(auth(tokens.access_token)).expect(200);
    expect(ok.body.message).toMatch(/^MockPBX /);

    t.clock.set('2026-11-26T13:00:00Z'); // one hour later
    const expired = await t.http.get(`${BASE}/users`).set(auth(tokens.access_token)).expect(401);
    expect(expired.body.code).toBe('INVALID_TOKEN');

    const refreshed = (await refresh(t, tokens.refresh_token!)).body;
    expect(refreshed).toEqual({
      access_token: expect.stringMatching(/^1000\./),
      api_domain: expect.stringMatching(LOOPBACK),
      token_type: 'Bearer',
      expires_in: 3600,
    });
    await t.http.get(`${BASE}/users`).set(auth(refreshed.access_token)).expect(200);

    const revoked = await t.http.post('/oauth/v2/token/revoke').query({ token: tokens.refresh_token }).expect(200);
    expect(revoked.body).toEqual({ status: 'success' });
    const after = await t.http.get(`${BASE}/users`).set(auth(refreshed.access_token)).expect(401);
    expect(after.body.code).toBe('INVALID_TOKEN');
    expect((await refresh(t, tokens.refresh_token!)).body).toEqual({ error: 'invalid_code' });
  });

  it('tokens are stored with their org, user, vendor and scopes', async () => {
    const t = await createTestApp();
    const { access_token, refresh_token } = await tokensFor(t, { scope: 'ZohoCRM.crmphonebridge.READ,ZohoCRM.users.READ' });
    const admin = t.world.orgs[LICENSED_ORG]!.users.find((u) => u.role === 'admin')!;
    expect(t.world.tokens[access_token]).toMatchObject({
      orgId: LICENSED_ORG,
      userId: admin.id,
      vendor: 'MockPBX',
      scopes: ['ZohoCRM.crmphonebridge.READ', 'ZohoCRM.users.READ'],
      clientId: MOCKPBX.clientId,
      refreshToken: refresh_token,
    });
    expect(t.world.refreshTokens[refresh_token!]).toMatchObject({ userId: admin.id, accessTokens: [access_token] });
  });
});

describe('token endpoint errors, answered with HTTP 200 as Zoho does', () => {
  it.each([
    ['an unknown client', 'invalid_client', (code: string) => ({ client_id: '1000.NOBODY', client_secret: MOCKPBX.clientSecret, code })],
    ['a wrong secret', 'invalid_client_secret', (code: string) => ({ client_id: MOCKPBX.clientId, client_secret: 'wrong', code })],
    [
      'a wrong redirect URI',
      'invalid_redirect_uri',
      (code: string) => ({ client_id: MOCKPBX.clientId, client_secret: MOCKPBX.clientSecret, code, redirect_uri: 'https://evil.example.com/cb' }),
    ],
    ['an unknown code', 'invalid_code', () => ({ client_id: MOCKPBX.clientId, client_secret: MOCKPBX.clientSecret, code: '1000.nope.nope' })],
    ["another client's code", 'invalid_code', (code: string) => ({ client_id: UNREGISTERED.clientId, client_secret: UNREGISTERED.clientSecret, code })],
  ])('%s -> {"error": "%s"}', async (_title, error, params) => {
    const t = await createTestApp();
    const { code } = await authorize(t);
    const res = await tokenByQuery(t, { grant_type: 'authorization_code', redirect_uri: REDIRECT, ...params(code) });
    expect(res.body).toEqual({ error });
  });

  it('a code works once: reused -> invalid_code', async () => {
    const t = await createTestApp();
    const { code } = await authorize(t);
    await exchange(t, code);
    expect(await exchange(t, code)).toEqual({ error: 'invalid_code' });
  });

  it('a code expires after 2 minutes', async () => {
    const t = await createTestApp();
    const { code } = await authorize(t);
    t.clock.set('2026-11-26T12:02:00Z');
    expect(await exchange(t, code)).toEqual({ error: 'invalid_code' });
  });

  it('a code is still good just before 2 minutes', async () => {
    const t = await createTestApp();
    const { code } = await authorize(t);
    t.clock.set('2026-11-26T12:01:59Z');
    expect(await exchange(t, code)).toHaveProperty('access_token');
  });

  it.each([
    ['an unknown grant type', { grant_type: 'password' }],
    ['no grant type', {}],
  ])('%s -> unsupported_grant_type', async (_title, params) => {
    const t = await createTestApp();
    expect((await tokenByForm(t, { client_id: MOCKPBX.clientId, client_secret: MOCKPBX.clientSecret, ...params })).body).toEqual({
      error: 'unsupported_grant_type',
    });
  });

  it('a refresh token from another client -> invalid_code', async () => {
    const t = await createTestApp();
    const { refresh_token } = await tokensFor(t);
    expect((await refresh(t, refresh_token!, UNREGISTERED)).body).toEqual({ error: 'invalid_code' });
  });
});

describe('token rules', () => {
  it('access_type=online: no refresh token', async () => {
    const t = await createTestApp();
    const tokens = await tokensFor(t, { accessType: 'online' });
    expect(tokens).not.toHaveProperty('refresh_token');
    expect(tokens.access_token).toMatch(/^1000\./);
  });

  it('PHONEBRIDGE_TOKEN_TTL sets the lifetime', async () => {
    const t = await createTestApp({ tokenTtlSeconds: 60 });
    const { access_token, expires_in } = await tokensFor(t);
    expect(expires_in).toBe(60);
    await t.http.post(`${BASE}/integrate`).set(auth(access_token)).expect(200);
    t.clock.set('2026-11-26T12:00:59Z');
    await t.http.get(`${BASE}/users`).set(auth(access_token)).expect(200);
    t.clock.set('2026-11-26T12:01:00Z');
    await t.http.get(`${BASE}/users`).set(auth(access_token)).expect(401);
  });

  it('PHONEBRIDGE_LEGACY_EXPIRES=1 answers expires_in in milliseconds plus expires_in_sec', async () => {
    const t = await createTestApp({ legacyExpires: true });
    const tokens = await tokensFor(t);
    expect(tokens).toMatchObject({ expires_in: 3_600_000, expires_in_sec: 3600 });
  });

  it(`the ${ACCESS_TOKENS_PER_REFRESH_TOKEN + 1}st access token of a refresh token retires the oldest`, async () => {
    const t = await createTestApp();
    const { access_token: first, refresh_token } = await tokensFor(t);
    const minted = [first];
    for (let i = 1; i <= ACCESS_TOKENS_PER_REFRESH_TOKEN; i++) minted.push((await refresh(t, refresh_token!)).body.access_token);
    await t.http.post(`${BASE}/integrate`).set(auth(TOKENS.admin)).expect(200);
    await t.http.get(`${BASE}/users`).set(auth(minted[0]!)).expect(401);
    await t.http.get(`${BASE}/users`).set(auth(minted[1]!)).expect(200);
    await t.http
      .get(`${BASE}/users`)
      .set(auth(minted.at(-1)!))
      .expect(200);
    expect(t.world.refreshTokens[refresh_token!]!.accessTokens).toHaveLength(ACCESS_TOKENS_PER_REFRESH_TOKEN);
  });

  it(`the ${REFRESH_TOKENS_PER_USER + 1}st refresh token of a user deletes the oldest, with its access tokens`, async () => {
    const t = await createTestApp();
    const issued = [];
    for (let i = 0; i <= REFRESH_TOKENS_PER_USER; i++) issued.push(await tokensFor(t));
    await t.http.post(`${BASE}/integrate`).set(auth(TOKENS.admin)).expect(200);
    expect((await refresh(t, issued[0]!.refresh_token!)).body).toEqual({ error: 'invalid_code' });
    await t.http.get(`${BASE}/users`).set(auth(issued[0]!.access_token)).expect(401);
    expect((await refresh(t, issued[1]!.refresh_token!)).body).toHaveProperty('access_token');
    expect(Object.keys(t.world.refreshTokens)).toHaveLength(REFRESH_TOKENS_PER_USER);
  });

  it('a token issued to an unregistered vendor gets PBX_NOT_REGISTERED', async () => {
    const t = await createTestApp();
    const { access_token } = await tokensFor(t, { client: UNREGISTERED });
    const res = await t.http.post(`${BASE}/integrate`).set(auth(access_token)).expect(400);
    expect(res.body.code).toBe('PBX_NOT_REGISTERED');
  });

  it('revoking an access token leaves its refresh token working', async () => {
    const t = await createTestApp();
    const { access_token, refresh_token } = await tokensFor(t);
    await t.http.post('/oauth/v2/token/revoke').type('form').send({ token: access_token }).expect(200);
    await t.http.post(`${BASE}/integrate`).set(auth(access_token)).expect(401);
    expect((await refresh(t, refresh_token!)).body).toHaveProperty('access_token');
  });

  it('revoking an unknown token -> 400', async () => {
    const t = await createTestApp();
    const res = await t.http.post('/oauth/v2/token/revoke').query({ token: '1000.nope.nope' }).expect(400);
    expect(res.body).toEqual({ status: 'failure', error: 'invalid_token' });
  });
});

describe('scopes', () => {
  it.each([
    ['no PhoneBridge scope', 'ZohoCRM.modules.ALL', 'post', '/integrate'],
    ['READ, for a write', 'ZohoCRM.crmphonebridge.READ', 'post', '/integrate'],
    ['CREATE, for a read', 'ZohoCRM.crmphonebridge.CREATE', 'get', '/users'],
  ] as const)('%s -> 401 OAUTH_SCOPE_MISMATCH', async (_title, scope, method, path) => {
    const t = await createTestApp();
    const { access_token } = await tokensFor(t, { scope });
    const res = await t.http[method](`${BASE}${path}`).set(auth(access_token)).expect(401);
    expect(res.body).toEqual({ code: 'OAUTH_SCOPE_MISMATCH', details: {}, message: 'invalid oauth scope to access this URL', status: 'error' });
  });

  it.each([
    ['READ, for a read', 'ZohoCRM.crmphonebridge.READ', 'get', '/users', 200],
    ['CREATE, for a write', 'ZohoCRM.crmphonebridge.CREATE', 'post', '/callreceived', 400],
    ['ALL, in another case and among others', 'ZohoCRM.users.READ,zohocrm.CRMPHONEBRIDGE.all', 'get', '/users', 200],
  ] as const)('%s is enough', async (_title, scope, method, path, status) => {
    const t = await createTestApp();
    await t.http.post(`${BASE}/integrate`).set(auth(TOKENS.admin)).expect(200);
    const { access_token } = await tokensFor(t, { scope });
    await t.http[method](`${BASE}${path}`).set(auth(access_token)).expect(status);
  });
});

describe('the consent page and the authorize endpoint', () => {
  const query = (extra: Record<string, string> = {}) => ({
    response_type: 'code',
    client_id: MOCKPBX.clientId,
    scope: 'ZohoCRM.crmphonebridge.ALL',
    redirect_uri: REDIRECT,
    access_type: 'offline',
    state: 's1',
    ...extra,
  });

  it('without auto-consent, GET shows every active user; posting one issues a code for that user', async () => {
    const t = await createTestApp({ autoConsent: false });
    const page = await t.http.get('/oauth/v2/auth').query(query()).expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const standard = t.world.orgs[LICENSED_ORG]!.users.find((u) => u.role === 'standard' && u.active)!;
    expect(page.text).toContain(standard.name);
    expect(page.text).not.toContain(t.world.orgs[LICENSED_ORG]!.users.find((u) => !u.active)!.name);

    const res = await t.http
      .post('/oauth/v2/auth')
      .type('form')
      .send({ ...query(), userid: standard.id, decision: 'allow' })
      .expect(302);
    const { access_token } = await exchange(t, new URL(res.headers.location!).searchParams.get('code')!);
    expect(t.world.tokens[access_token]!.userId).toBe(standard.id);
    // A standard user's token: the privilege rules of PhoneBridge apply.
    const denied = await t.http.post(`${BASE}/integrate`).set(auth(access_token)).expect(403);
    expect(denied.body.message).toMatch(/privilege/);
  });

  it('deny -> back to the client with error=access_denied and the state', async () => {
    const t = await createTestApp({ autoConsent: false });
    const res = await t.http
      .post('/oauth/v2/auth')
      .type('form')
      .send({ ...query(), userid: '-', decision: 'deny' })
      .expect(302);
    const location = new URL(res.headers.location!);
    expect(Object.fromEntries(location.searchParams)).toEqual({ error: 'access_denied', state: 's1' });
  });

  it.each([
    ['an unknown client', { client_id: '1000.NOBODY' }, /Invalid Client/],
    ['an unregistered redirect URI', { redirect_uri: 'https://evil.example.com/cb' }, /Invalid Redirect Uri/],
    ['a response_type other than code', { response_type: 'token' }, /response_type/],
  ])('%s -> 400 error page, no redirect', async (_title, extra, text) => {
    const t = await createTestApp();
    const res = await t.http.get('/oauth/v2/auth').query(query(extra)).expect(400);
    expect(res.headers.location).toBeUndefined();
    expect(res.text).toMatch(text);
  });

  it('an unknown user on the consent form -> 400 page', async () => {
    const t = await createTestApp({ autoConsent: false });
    await t.http
      .post('/oauth/v2/auth')
      .type('form')
      .send({ ...query(), userid: '123' })
      .expect(400);
  });

  it('GET /oauth/v2/token -> 405 with Allow: POST', async () => {
    const t = await createTestApp();
    const res = await t.http.get('/oauth/v2/token').expect(405);
    expect(res.headers.allow).toBe('POST');
  });
});

describe('serverinfo and the served document', () => {
  it('lists the mock itself as the us accounts server', async () => {
    const t = await createTestApp();
    const res = await t.http.get('/oauth/serverinfo').expect(200);
    expect(res.body.result).toBe('success');
    expect(res.body.locations.us).toMatch(LOOPBACK);
    expect(res.body.locations.eu).toBe('https://accounts.zoho.eu');
  });

  it('PHONEBRIDGE_PUBLIC_URL replaces the request host in what the mock hands out', async () => {
    const t = await createTestApp({ publicUrl: 'http://mock.internal:4010' });
    const { location } = await authorize(t);
    expect(location.searchParams.get('accounts-server')).toBe('http://mock.internal:4010');
    expect((await exchange(t, location.searchParams.get('code')!)).api_domain).toBe('http://mock.internal:4010');
  });

  it('serves openapi/accounts.yaml', async () => {
    const t = await createTestApp();
    const res = await t.http.get('/openapi/accounts.yaml').expect(200);
    expect(res.text).toMatch(/\/oauth\/v2\/token:/);
  });
});

describe('restoreFixtures', () => {
  it('restores a revoked persona token and adds extra redirect URIs', () => {
    const now = new Date('2026-11-26T12:00:00Z');
    const db = createDefaultTenant({ seed: 1, crmSize: 3, now });
    delete db.tokens[TOKENS.admin];
    restoreFixtures(db, now, ['http://127.0.0.1:9999/cb']);
    expect(db.tokens[TOKENS.admin]).toBeDefined();
    expect(db.clients[MOCKPBX.clientId]!.redirectUris).toContain('http://127.0.0.1:9999/cb');
  });
});
