/**
 * PhoneBridge v3 beside v2 (in process, every response checked against
 * openapi/phonebridge-v3.yaml): a vendor's whole v3 flow as the reference
 * notes describe it, the profiles where Zoho's documents and its live API
 * disagree, Zoho's requests to v3 registrations, and replays of what real v3
 * clients put on the wire.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { components } from '../server/admin/document.gen.js';
import { auth, BASE, createTestApp, licensedOrg, TOKENS, type TestApp } from './helpers.js';
import { startReceiver } from './receiver.js';

type Schemas = components['schemas'];
const V3 = '/phonebridge/v3';
const admin = auth(TOKENS.admin);
const NIKITA = '3235140000000152001';
const JANE = '+18885554567';

let t: TestApp;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());
beforeEach(async () => {
  t = await createTestApp();
  receiver.received.length = 0;
});

const post = (path: string, fields: Record<string, string> = {}, headers: Record<string, string> = admin) =>
  t.http.post(`${V3}/${path}`).set(headers).type('form').send(fields);
const integrate = () => post('integrate').expect(200);
const notify = (fields: Record<string, string>, headers?: Record<string, string>) => post('callnotify', fields, headers);
const call = async (id: string) => (await t.http.get(`/__admin/calls/${id}`).expect(200)).body as Schemas['Call'];
const setProfile = (profile: 'documented' | 'live') => t.http.post('/__admin/tenants/default/profile').send({ profile }).expect(200);
const journalHints = async () => ((await t.http.get('/__admin/requests').query({ limit: 1 }).expect(200)).body.requests[0] as Schemas['JournalEntry']).hints;

describe("a vendor's v3 flow, from the reference notes", () => {
  it('integrate -> users -> clicktodial + callcontrol -> an inbound call ringing, answered, ended -> a click-to-dial error -> disable', async () => {
    // Before integrate, every endpoint answers PBX_NOT_INTEGRATED (as live), users included.
    expect((await t.http.get(`${V3}/users`).set(admin).expect(400)).body).toMatchObject({ code: 'PBX_NOT_INTEGRATED', status: 'error' });
    expect((await integrate()).body).toEqual({ code: 'SUCCESS', message: 'MockPBX Integration is successful', status: 'success' });

    const users = (await t.http.get(`${V3}/users`).set(admin).expect(200)).body;
    expect(users.paging).toEqual({ perPage: 200, page: 1 });
    expect(users.users).toContainEqual({ zohouser: NIKITA, email: expect.any(String), username: 'Nikita Crist' });
    expect(users.navigation).toEqual({});

    await post('clicktodial', {
      clicktodialuri: `${receiver.base}/v3/dial`,
      authorizationparam: '{name:authorization,value:vendor-token}',
      clicktodialparam: "[{name:callee,value:'{to}'},{name:pbxuserid,value:pbx-42}]",
    }).expect(200);
    await post('callcontrol', {
      holduri: `${receiver.base}/v3/hold`,
      answeruri: `${receiver.base}/v3/answer`,
      callcontrolparam: '[{name:tenant,value:acme}]',
    }).expect(200);

    expect((await notify({ type: 'received', state: 'ringing', id: 'v3-call-1', from: JANE, to: '100' }).expect(200)).body).toEqual({
      code: 'SUCCESS',
      status: 'success',
    });
    const ringing = await call('v3-call-1');
    expect(ringing).toMatchObject({ api: 'v3', direction: 'inbound', state: 'ringing', userId: NIKITA });
    expect(ringing.screenPop[0]).toMatchObject({ Name: 'Jane Smith', Module: 'Contacts' });
    expect(ringing.actions.answer).toEqual({ available: true, reason: null });
    expect(ringing.actions.mute).toEqual({ available: false, reason: 'the vendor registered no muteurl' });

    await notify({ type: 'received', state: 'answered', id: 'v3-call-1', from: JANE, to: '100' }).expect(200);
    // The CRM user presses Hold: the v3 call-control request goes to the holduri.
    await t.http.post('/__admin/call-control').send({ callrefid: 'v3-call-1', action: 'hold' }).expect(200);
    expect(receiver.received.at(-1)).toMatchObject({ path: '/v3/hold', fields: { callrefid: 'v3-call-1', tenant: 'acme', authorization: 'vendor-token' } });

    await notify({ type: 'received', state: 'ended', id: 'v3-call-1', from: JANE, to: '100', start_time: '2026-11-26 11:59:00', duration: '42' }).expect(200);
    const ended = await call('v3-call-1');
    expect(ended.state).toBe('ended');
    expect(ended.activity).toMatchObject({ kind: 'call', durationSeconds: 42, startTime: '2026-11-26T11:59:00Z', direction: 'inbound' });

    // A click: the v3 click-to-dial request, `{to}` replaced by the number.
    await t.http.post('/__admin/click-to-call').send({ userid: NIKITA, tonumber: '+44 20 7946 0000' }).expect(200);
    expect(receiver.received.at(-1)).toMatchObject({
      path: '/v3/dial',
      fields: { tonumber: '+44 20 7946 0000', callee: '+44 20 7946 0000', pbxuserid: 'pbx-42', authorization: 'vendor-token' },
    });
    expect(receiver.received.at(-1)!.fields).not.toHaveProperty('userid');
    await post('clicktodialerror', {
      code: 'busy',
      from: '100',
      to: '+442079460000',
      message: 'International dialing is disabled for the extension 3201.',
    }).expect(200);

    expect((await t.http.delete(`${V3}/integrate`).set(admin).expect(200)).body.message).toBe('MockPBX Integration has been successfully removed');
    expect(licensedOrg(t.store).clickToCall).toEqual({});
    await notify({ type: 'received', state: 'ringing', id: 'v3-call-2', from: JANE, to: '100' }).expect(400);
  });

  it('an unattended outgoing call: dialed + busy with start_time ends the call and writes its activity; without start_time -> 400', async () => {
    await integrate();
    await notify({ type: 'dialed', state: 'ringing', id: 'out-1', from: '100', to: JANE }).expect(200);
    expect((await call('out-1')).state).toBe('dialing');
    const missing = await notify({ type: 'dialed', state: 'busy', id: 'out-1', from: '100', to: JANE }).expect(400);
    expect(missing.body).toMatchObject({ code: 'REQUIRED_PARAM_MISSING', details: { param: 'start_time' } });
    await notify({ type: 'dialed', state: 'busy', id: 'out-1', from: '100', to: JANE, start_time: '2026-11-26 11:58:00' }).expect(200);
    const busy = await call('out-1');
    expect(busy).toMatchObject({ api: 'v3', direction: 'outbound', state: 'ended' });
    expect(busy.activity).toMatchObject({ kind: 'call', durationSeconds: 0, description: 'busy' });
  });

  it('a state the type does not have, and type=unknown -> 400 INVALID_DATA naming the field', async () => {
    await integrate();
    expect(
      (await notify({ type: 'received', state: 'busy', id: 'x', from: JANE, to: '100', start_time: '2026-11-26 11:58:00' }).expect(400)).body,
    ).toMatchObject({
      code: 'INVALID_DATA',
      details: { param: 'state' },
    });
    expect((await notify({ type: 'unknown', state: 'ringing', id: 'x', from: JANE, to: '100' }).expect(400)).body).toMatchObject({
      code: 'INVALID_DATA',
      details: { param: 'type' },
    });
  });

  it('users pages: perPage, previous and next links, a page past the end is empty', async () => {
    await integrate();
    const all = (await t.http.get(`${V3}/users`).set(admin).expect(200)).body.users as unknown[];
    expect(all.length).toBeGreaterThan(2);
    const second = (await t.http.get(`${V3}/users`).set(admin).query({ page: 2, perPage: 1 }).expect(200)).body;
    expect(second.users).toEqual([all[1]]);
    expect(second.navigation.firstPage.uri).toMatch(/\/phonebridge\/v3\/users\?page=1&perPage=1$/);
    expect(second.navigation.lastPage.uri).toMatch(/\/phonebridge\/v3\/users\?page=3&perPage=1$/);
    expect((await t.http.get(`${V3}/users`).set(admin).query({ page: 99 }).expect(200)).body.users).toEqual([]);
    await t.http.get(`${V3}/users`).set(admin).query({ perPage: 1001 }).expect(400);
  });

  it('registration rules: one user per request, another user needs an administrator, an unknown one is INVALID_USER, callcontrol without a URI is 400', async () => {
    await integrate();
    const other = licensedOrg(t.store).users.find((u) => u.id !== NIKITA && u.active)!;
    await post('clicktodial', { clicktodialuri: `${receiver.base}/d`, zohouser: other.id }).expect(200);
    expect(licensedOrg(t.store).clickToCall[other.id]).toMatchObject({ api: 'v3', clicktocallurl: `${receiver.base}/d` });
    const forbidden = await post('clicktodial', { clicktodialuri: `${receiver.base}/d`, zohouser: NIKITA }, auth(TOKENS.user)).expect(403);
    expect(forbidden.body.code).toBe('NO_PERMISSION');
    expect((await post('clicktodial', { clicktodialuri: `${receiver.base}/d`, zohouser: '42' }).expect(400)).body.code).toBe('INVALID_USER');
    expect((await post('callcontrol', {}).expect(400)).body).toMatchObject({ code: 'REQUIRED_PARAM_MISSING', details: { param: 'answeruri' } });
    // DELETE with a form body (as a real client sends it) removes only that part.
    await post('callcontrol', { muteuri: `${receiver.base}/m`, zohouser: other.id }).expect(200);
    await t.http.delete(`${V3}/clicktodial`).set(admin).type('form').send({ zohouser: other.id }).expect(200);
    expect(licensedOrg(t.store).clickToCall[other.id]).toMatchObject({ muteurl: `${receiver.base}/m` });
    expect(licensedOrg(t.store).clickToCall[other.id]!.clicktocallurl).toBeUndefined();
    await t.http.delete(`${V3}/callcontrol`).set(admin).query({ zohouser: other.id }).expect(200);
    expect(licensedOrg(t.store).clickToCall[other.id]).toBeUndefined();
  });

  it('provider errors: PROVIDER_NOT_REGISTERED, DIFFERENT_PROVIDER_ALREADY_ENABLED, INTERNAL_ERROR for a non-admin integrate, OAUTH_SCOPE_MISMATCH without PhoneBridge.call.log', async () => {
    expect((await post('integrate', {}, auth(TOKENS.unregistered)).expect(400)).body.code).toBe('PROVIDER_NOT_REGISTERED');
    expect((await post('integrate', {}, auth(TOKENS.otherpbx)).expect(403)).body.code).toBe('DIFFERENT_PROVIDER_ALREADY_ENABLED');
    expect((await post('integrate', {}, auth(TOKENS.user)).expect(403)).body.code).toBe('INTERNAL_ERROR');
    const grant = t.world.tokens[TOKENS.admin]!;
    grant.scopes = ['ZohoCRM.crmphonebridge.ALL'];
    expect((await post('integrate').expect(401)).body.code).toBe('OAUTH_SCOPE_MISMATCH');
  });
});

describe('profiles: documented (default) and live', () => {
  it('Bearer: accepted in documented, 401 INVALID_TOKEN in live; the hint says which profile decided', async () => {
    const bearer = { Authorization: `Bearer ${TOKENS.admin}` };
    await post('integrate', {}, bearer).expect(200);
    expect((await journalHints()).find((h) => h.code === 'bearer-scheme')?.message).toMatch(/accepted.*profile documented/);
    await setProfile('live');
    expect((await post('integrate', {}, bearer).expect(401)).body.code).toBe('INVALID_TOKEN');
    expect((await journalHints()).find((h) => h.code === 'bearer-scheme')?.message).toMatch(/refused \(401\).*profile live/);
    await post('integrate').expect(200); // Zoho-oauthtoken works in both
    // v2 never takes Bearer, whatever the profile.
    await setProfile('documented');
    await t.http.get(`${BASE}/users`).set(bearer).expect(401);
  });

  it('missed and unattended states: accepted in documented, 400 INVALID_DATA naming state in live; ended is accepted in both', async () => {
    await integrate();
    const missed = { type: 'received', state: 'missed', id: 'm-1', from: JANE, to: '100', start_time: '2026-11-26 11:00:00' };
    await notify(missed).expect(200);
    expect((await call('m-1')).activity).toMatchObject({ kind: 'missed' });
    expect((await journalHints()).map((h) => h.code)).toContain('profile-documented');
    await setProfile('live');
    expect((await notify({ ...missed, id: 'm-2' }).expect(400)).body).toMatchObject({ code: 'INVALID_DATA', details: { param: 'state' } });
    expect((await journalHints()).map((h) => h.code)).toContain('profile-live');
    await notify({ type: 'dialed', state: 'noanswer', id: 'o-2', from: '100', to: JANE, start_time: '2026-11-26 11:00:00' }).expect(400);
    await notify({ type: 'received', state: 'ended', id: 'e-1', from: JANE, to: '100' }).expect(200);
  });

  it('a second integrate answers 200 in both profiles, changes nothing, and the journal says it was already enabled; ISO 8601 start_time is refused in both', async () => {
    await integrate();
    const enabledAt = licensedOrg(t.store).integration!.enabledAt;
    t.clock.advance(60_000);
    await integrate();
    expect(licensedOrg(t.store).integration!.enabledAt).toBe(enabledAt);
    const entry = (await t.http.get('/__admin/requests').query({ limit: 1 }).expect(200)).body.requests[0] as Schemas['JournalEntry'];
    expect(entry.warnings.map((w) => w.code)).toEqual(['already-enabled']);
    for (const profile of ['documented', 'live'] as const) {
      await setProfile(profile);
      await integrate();
      const iso = await notify({ type: 'received', state: 'ended', id: `iso-${profile}`, from: JANE, to: '100', start_time: '2026-11-26T11:00:00Z' }).expect(
        400,
      );
      expect(iso.body).toMatchObject({ code: 'INVALID_DATA', details: { param: 'start_time' } });
    }
  });

  it('a tenant is created with a profile, keeps it across a reset, and lists it', async () => {
    const created = (await t.http.post('/__admin/tenants').send({ profile: 'live', crmSize: 3 }).expect(201)).body as Schemas['Tenant'];
    expect(created.profile).toBe('live');
    const reset = (await t.http.post(`/__admin/tenants/${created.id}/reset`).expect(200)).body as Schemas['Tenant'];
    expect(reset.profile).toBe('live');
    await t.http.post(`/__admin/tenants/${created.id}/profile`).send({ profile: 'sometimes' }).expect(400);
  });
});

describe('v2 and v3 side by side', () => {
  it('a v2 integration in one tenant and a v3 one in another: each call in its own tenant, with its version', async () => {
    const other = (await t.http.post('/__admin/tenants').send({ crmSize: 5 }).expect(201)).body as Schemas['Tenant'];
    const otherAdmin = auth(other.tokens.admin);
    await t.http.post(`${BASE}/integrate`).set(admin).expect(200);
    await t.http.post(`${BASE}/callreceived`).set(admin).type('form').send({ callrefid: 'same-id', fromnumber: JANE, tonumber: '100' }).expect(200);
    await post('integrate', {}, otherAdmin).expect(200);
    await notify({ type: 'received', state: 'ringing', id: 'same-id', from: JANE, to: '100' }, otherAdmin).expect(200);
    const v2 = (await t.http.get('/__admin/calls').expect(200)).body.calls as Schemas['Call'][];
    const v3 = (await t.http.get('/__admin/calls').query({ tenant: other.id }).expect(200)).body.calls as Schemas['Call'][];
    expect(v2.map((c) => [c.callrefid, c.api])).toEqual([['same-id', 'v2']]);
    expect(v3.map((c) => [c.callrefid, c.api])).toEqual([['same-id', 'v3']]);
    expect(v3[0]!.screenPop[0]).toMatchObject({ Name: 'Jane Smith' });
  });

  it('the v2 flow is unchanged: callreceived still answers the records, and v2 registrations still send v2 requests', async () => {
    await t.http.post(`${BASE}/integrate`).set(admin).expect(200);
    await t.http
      .post(`${BASE}/clicktocallandcallcontrol`)
      .set(admin)
      .type('form')
      .send({ clicktocallurl: `${receiver.base}/v2/c2c`, clicktocallparam: "[{name:callee,value:'{to}'}]" })
      .expect(200);
    await t.http.post('/__admin/click-to-call').send({ userid: NIKITA, tonumber: '100200' }).expect(200);
    // v2 sends the pair as registered: `{to}` is v3's placeholder only.
    expect(receiver.received.at(-1)!.fields).toMatchObject({ tonumber: '100200', userid: NIKITA, callee: '{to}' });
  });
});

describe('replays of real v3 clients, at the wire level', () => {
  beforeEach(() => integrate());

  it("a form body with an unencoded '+' (it arrives as a space): accepted, matched, and hinted", async () => {
    await t.http
      .post(`${V3}/callnotify`)
      .set(admin)
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('type=received&state=ringing&id=plus-1&from=+18885554567&to=100')
      .expect(200);
    expect((await call('plus-1')).screenPop[0]).toMatchObject({ Name: 'Jane Smith' });
    expect((await journalHints()).map((h) => h.code)).toContain('plus-as-space');
  });

  it('a local time instead of GMT: accepted and stored as sent (it cannot be told apart)', async () => {
    await notify({ type: 'received', state: 'ended', id: 'local-1', from: JANE, to: '100', start_time: '2026-11-26 14:00:00', duration: '3' }).expect(200);
    expect((await call('local-1')).activity).toMatchObject({ startTime: '2026-11-26T14:00:00Z' });
  });

  it('JSON under a form content type: the fields are not read -> 400 naming the first, with the json-as-form hint', async () => {
    const res = await t.http
      .post(`${V3}/clicktodial`)
      .set(admin)
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send(JSON.stringify({ clicktodialuri: `${receiver.base}/d`, clicktodialparam: [{ name: 'a', value: 'b' }] }))
      .expect(400);
    expect(res.body).toMatchObject({ code: 'REQUIRED_PARAM_MISSING', details: { param: 'clicktodialuri' } });
    expect((await journalHints()).map((h) => h.code)).toContain('json-as-form');
  });

  it('a multipart body is read like a form, a JSON body as JSON; a multipart body without its boundary is no body', async () => {
    await t.http
      .post(`${V3}/callnotify`)
      .set(admin)
      .field('type', 'received')
      .field('state', 'ringing')
      .field('id', 'mp-1')
      .field('from', JANE)
      .field('to', '100')
      .expect(200);
    expect((await call('mp-1')).state).toBe('ringing');
    await t.http.post(`${V3}/callnotify`).set(admin).send({ type: 'received', state: 'answered', id: 'mp-1', from: JANE, to: '100' }).expect(200);
    expect((await call('mp-1')).state).toBe('answered');
    const broken = await t.http.post(`${V3}/callnotify`).set(admin).set('Content-Type', 'multipart/form-data').send('type=received').expect(400);
    expect(broken.body).toMatchObject({ code: 'REQUIRED_PARAM_MISSING', details: { param: 'type' } });
  });

  it("click-to-dial setup POSTed to users -> 405 with Allow; an invented path -> 404 in Zoho's envelope", async () => {
    const wrong = await post('users', { clicktodialuri: `${receiver.base}/d` }).expect(405);
    expect(wrong.headers.allow).toBe('GET');
    expect(wrong.body).toMatchObject({ code: 'INVALID_REQUEST_METHOD', status: 'error' });
    const invented = await t.http
      .post(`${V3}/calls/popup`)
      .set({ Authorization: `Bearer ${TOKENS.admin}` })
      .send({ number: JANE })
      .expect(404);
    expect(invented.body).toEqual({
      code: 'INVALID_URL_PATTERN',
      details: {},
      message: 'Please check if the URL trying to access is a correct one',
      status: 'error',
    });
  });

  it('a token refresh with every parameter in the query string and an empty body: a new token that works on v3', async () => {
    const client = t.world.clients[Object.values(t.world.clientIds)[0]!]!;
    const code = await t.http.get('/oauth/v2/auth').query({
      response_type: 'code',
      client_id: client.clientId,
      scope: 'PhoneBridge.call.log',
      redirect_uri: client.redirectUris[0],
      access_type: 'offline',
    });
    const grant = new URL(code.headers.location as string).searchParams.get('code')!;
    const first = await t.http
      .post('/oauth/v2/token')
      .query({
        grant_type: 'authorization_code',
        code: grant,
        client_id: client.clientId,
        client_secret: client.clientSecret,
        redirect_uri: client.redirectUris[0],
      })
      .expect(200);
    const refreshed = await t.http
      .post('/oauth/v2/token')
      .query({ refresh_token: first.body.refresh_token, client_id: client.clientId, client_secret: client.clientSecret, grant_type: 'refresh_token' })
      .expect(200);
    await t.http.get(`${V3}/users`).set(auth(refreshed.body.access_token)).expect(200);
    // A v3-only token does not reach v2, nor a Zoho One search token v3.
    await t.http.get(`${BASE}/users`).set(auth(refreshed.body.access_token)).expect(401);
    const search = await t.http
      .get('/oauth/v2/auth')
      .query({ response_type: 'code', client_id: client.clientId, scope: 'PhoneBridge.zohoone.search', redirect_uri: client.redirectUris[0] });
    const searchToken = await t.http
      .post('/oauth/v2/token')
      .query({
        grant_type: 'authorization_code',
        code: new URL(search.headers.location as string).searchParams.get('code')!,
        client_id: client.clientId,
        client_secret: client.clientSecret,
        redirect_uri: client.redirectUris[0],
      })
      .expect(200);
    expect((await t.http.get(`${V3}/users`).set(auth(searchToken.body.access_token)).expect(401)).body.code).toBe('OAUTH_SCOPE_MISMATCH');
  });
});
