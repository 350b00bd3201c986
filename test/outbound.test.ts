import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Delivery } from '../server/store/schema.js';
import { auth, BASE, createTestApp, licensedOrg, TOKENS, type TestApp } from './helpers.js';
import { callbackValidator, closedPortUrl, startReceiver, type Behaviour } from './receiver.js';

const admin = auth(TOKENS.admin);
const ACTIONS = ['answer', 'hangup', 'mute', 'unmute', 'hold', 'unhold', 'keypress'] as const;
const URL_FIELD = {
  answer: 'answerurl',
  hangup: 'hungupurl',
  mute: 'muteurl',
  unmute: 'unmuteurl',
  hold: 'holdurl',
  unhold: 'unholdurl',
  keypress: 'keypressurl',
} as const;
const CALLBACK = { answer: 'answer', hangup: 'hangup', mute: 'mute', unmute: 'unmute', hold: 'hold', unhold: 'unhold', keypress: 'keypress' } as const;

let validate: Awaited<ReturnType<typeof callbackValidator>>;
beforeAll(async () => {
  validate = await callbackValidator();
});

let t: TestApp;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

type Config = Parameters<typeof createTestApp>[0];

/** A fresh mock, integrated, and a receiver; the config may depend on the receiver's address. */
async function setUp(config: Config | ((receiverBase: string) => Config) = {}, behaviour?: Behaviour) {
  receiver = await startReceiver(behaviour);
  closers.push(receiver.close);
  t = await createTestApp(typeof config === 'function' ? config(receiver.base) : config);
  await t.http.post(`${BASE}/integrate`).set(admin).expect(200);
}

const adminUser = () => licensedOrg(t.store).users.find((u) => u.role === 'admin')!;

async function register(base = receiver.base, only?: readonly (typeof ACTIONS)[number][]) {
  const urls = Object.fromEntries((only ?? ACTIONS).map((a) => [URL_FIELD[a], `${base}/zoho/${a}`]));
  await t.http
    .post(`${BASE}/clicktocallandcallcontrol`)
    .set(admin)
    .type('form')
    .send({
      clicktocallurl: `${base}/zoho/clicktocall`,
      ...urls,
      authorizationparam: '{ name:Authorization, value:vendor-secret}',
      clicktocallparam: '[{name:pbxuserid,value:pbx-42},{name:tenant,value:acme}]',
      callcontrolparam: '[{name:tenant,value:acme}]',
    })
    .expect(200);
}

const clickToCall = (fields: Record<string, string>) => t.http.post('/__admin/click-to-call').send(fields);
const control = (fields: Record<string, string>) => t.http.post('/__admin/call-control').send(fields);
const event = (path: string, fields: Record<string, string>) => t.http.post(`${BASE}/${path}`).set(admin).type('form').send(fields).expect(200);
const INBOUND = { callrefid: 'in-1', fromnumber: '0018885554567', tonumber: '100' };

describe('click-to-call', () => {
  beforeEach(() => setUp());

  it('round trip: register -> trigger -> the vendor gets the documented request -> it reports the call -> the call log links them', async () => {
    await register();
    const res = await clickToCall({ userid: adminUser().id, tonumber: '+1 888 555 4567' }).expect(200);
    const delivery = res.body as Delivery;
    expect(delivery).toMatchObject({
      kind: 'clicktocall',
      delivered: true,
      attempts: 1,
      error: null,
      response: { status: 200, body: 'ok' },
      url: `${receiver.base}/zoho/clicktocall`,
      callrefid: null,
    });

    expect(receiver.received).toHaveLength(1);
    const got = receiver.received[0]!;
    expect(got.path).toBe('/zoho/clicktocall');
    expect(got.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(got.headers.authorization).toBe('vendor-secret');
    expect(got.fields).toEqual({
      tonumber: '+1 888 555 4567',
      userid: adminUser().id,
      fromnumber: adminUser().phone,
      pbxuserid: 'pbx-42',
      tenant: 'acme',
      Authorization: 'vendor-secret',
    });
    expect(validate('clickToCall', got.fields)).toEqual([]);
    expect(delivery.request.body).toBe(got.body);

    await event('calldialed', { callrefid: 'c2c-1', fromnumber: '100', tonumber: '+18885554567', customerstatus: 'success', userid: adminUser().id });
    await event('callhungup', {
      callrefid: 'c2c-1',
      fromnumber: '100',
      tonumber: '+18885554567',
      callstarttime: '2026-11-26 12:00:00',
      duration: '30',
      direction: 'outbound',
    });
    const call = licensedOrg(t.store).calls['c2c-1']!;
    expect(call).toMatchObject({ clickToCallDeliveryId: delivery.id, state: 'ended', direction: 'outbound', record: { name: 'Jane Smith' } });
    const outbox = (await t.http.get('/__admin/outbox').expect(200)).body.deliveries as Delivery[];
    expect(outbox.find((d) => d.id === delivery.id)!.callrefid).toBe('c2c-1');
  });

  it('a call to another number does not claim the click-to-call', async () => {
    await register();
    await clickToCall({ userid: adminUser().id, tonumber: '+1 888 555 4567' }).expect(200);
    await event('calldialed', { callrefid: 'other-1', fromnumber: '100', tonumber: '+44 7700 900123', customerstatus: 'success' });
    expect(licensedOrg(t.store).calls['other-1']!.clickToCallDeliveryId).toBeUndefined();
  });

  it('a CRM record can be clicked: its phone is dialled', async () => {
    await register();
    const contact = licensedOrg(t.store).crm.contacts[0]!;
    await clickToCall({ userid: adminUser().id, recordid: contact.id }).expect(200);
    expect(receiver.received[0]!.fields.tonumber).toBe(contact.phone);
  });

  it('a user without click-to-call -> 409 CLICKTOCALL_NOT_ENABLED, nothing sent', async () => {
    const res = await clickToCall({ userid: adminUser().id, tonumber: '100' }).expect(409);
    expect(res.body.code).toBe('CLICKTOCALL_NOT_ENABLED');
    expect(receiver.received).toEqual([]);
  });

  it.each([
    ['an unknown user', 'INVALID_DATA', 'userid', { userid: '1234567890123456789', tonumber: '1' }],
    ['no user', 'REQUIRED_PARAM_MISSING', 'userid', { tonumber: '1' }],
    ['neither number nor record', 'REQUIRED_PARAM_MISSING', 'tonumber', { userid: 'admin' }],
    ['an unknown record', 'INVALID_DATA', 'recordid', { userid: 'admin', recordid: '42' }],
  ])('%s -> 400 %s naming %s', async (_title, code, param, fields) => {
    await register();
    const body: Record<string, string> = { ...fields };
    if (body.userid === 'admin') body.userid = adminUser().id;
    const res = await clickToCall(body).expect(400);
    expect(res.body).toMatchObject({ code, details: { param } });
    expect(receiver.received).toEqual([]);
  });
});

describe('call control on a call the vendor reported', () => {
  beforeEach(async () => {
    await setUp();
    await register();
    await event('callreceived', { ...INBOUND, userid: adminUser().id });
  });

  it('answer, then (once answered) mute, unmute, hold, unhold, keypress and hang up, each to its URL as documented', async () => {
    const sent = async (action: (typeof ACTIONS)[number], extra: Record<string, string> = {}) => {
      const res = await control({ callrefid: 'in-1', action, ...extra }).expect(200);
      expect(res.body).toMatchObject({ kind: action, delivered: true, callrefid: 'in-1', url: `${receiver.base}/zoho/${action}` });
      const got = receiver.received.at(-1)!;
      expect(got.path).toBe(`/zoho/${action}`);
      expect(got.headers.authorization).toBe('vendor-secret');
      expect(got.fields).toEqual({ callrefid: 'in-1', ...extra, tenant: 'acme', Authorization: 'vendor-secret' });
      expect(validate(CALLBACK[action], got.fields)).toEqual([]);
    };
    await sent('answer');
    await event('callanswered', INBOUND);
    await sent('mute');
    await sent('unmute');
    await sent('hold');
    await sent('unhold');
    await sent('keypress', { digit: '5' });
    await sent('hangup');
    expect(receiver.received.map((r) => r.path.slice('/zoho/'.length))).toEqual(['answer', 'mute', 'unmute', 'hold', 'unhold', 'keypress', 'hangup']);
  });

  it.each([
    ['answer an answered call', ['answered'], 'answer'],
    ['unmute a call that is not muted', ['answered'], 'unmute'],
    ['unhold a call not on hold', ['answered'], 'unhold'],
    ['mute a ringing call', [], 'mute'],
    ['hold a call that has ended', ['answered', 'hungup'], 'hold'],
    ['hang up a call that has ended', ['answered', 'hungup'], 'hangup'],
  ] as const)('refuses to %s: 409 ACTION_NOT_ALLOWED, nothing sent', async (_title, events, action) => {
    if (events.includes('answered' as never)) await event('callanswered', INBOUND);
    if (events.includes('hungup' as never))
      await event('callhungup', { ...INBOUND, callstarttime: '2026-11-26 12:00:00', duration: '5', direction: 'inbound' });
    const res = await control({ callrefid: 'in-1', action }).expect(409);
    expect(res.body).toMatchObject({ code: 'ACTION_NOT_ALLOWED', status: 'error' });
    expect(res.body.message).toMatch(new RegExp(`^${action} needs`));
    expect(receiver.received).toEqual([]);
  });

  it('mute twice: the second is refused', async () => {
    await event('callanswered', INBOUND);
    await control({ callrefid: 'in-1', action: 'mute' }).expect(200);
    const res = await control({ callrefid: 'in-1', action: 'mute' }).expect(409);
    expect(res.body.message).toMatch(/muted/);
  });

  it('an action the vendor registered no URL for -> 409 NO_URL_FOR_ACTION', async () => {
    await register(receiver.base, ['hangup']);
    const res = await control({ callrefid: 'in-1', action: 'answer' }).expect(409);
    expect(res.body).toMatchObject({ code: 'NO_URL_FOR_ACTION', details: { action: 'answer' } });
  });

  it.each([
    ['an unknown call', 'INVALID_DATA', 'callrefid', { callrefid: 'never', action: 'hangup' }],
    ['an unknown action', 'INVALID_DATA', 'action', { callrefid: 'in-1', action: 'transfer' }],
    ['a key press without digit', 'REQUIRED_PARAM_MISSING', 'digit', { callrefid: 'in-1', action: 'keypress' }],
    ['a digit that is no key', 'INVALID_DATA', 'digit', { callrefid: 'in-1', action: 'keypress', digit: '55' }],
    ['an unknown user', 'INVALID_DATA', 'userid', { callrefid: 'in-1', action: 'hangup', userid: '1234567890123456789' }],
  ])('%s -> 400 %s naming %s', async (_title, code, param, fields) => {
    await event('callanswered', INBOUND);
    const res = await control(fields).expect(400);
    expect(res.body).toMatchObject({ code, details: { param } });
  });
});

describe('the authorization pair', () => {
  it.each([
    ['a name that cannot be a header', 'my auth', undefined],
    ['a name the request itself needs', 'Content-Type', 'application/x-www-form-urlencoded'],
  ])('%s travels as a field only, and the request still goes', async (_title, name, contentType) => {
    await setUp();
    await t.http
      .post(`${BASE}/clicktocallandcallcontrol`)
      .set(admin)
      .send({ clicktocallurl: `${receiver.base}/c2c`, authorizationparam: { name, value: 'secret' } })
      .expect(200);
    const res = await clickToCall({ userid: adminUser().id, tonumber: '100' }).expect(200);
    expect(res.body.delivered).toBe(true);
    const got = receiver.received[0]!;
    expect(got.fields[name]).toBe('secret');
    expect(got.headers['content-type']).toBe('application/x-www-form-urlencoded');
    if (contentType === undefined) expect(Object.values(got.headers)).not.toContain('secret');
  });
});

describe('delivery failures', () => {
  it('a vendor that is down: a failed delivery in the outbox, and the mock carries on', async () => {
    await setUp();
    await register(await closedPortUrl());
    const res = await clickToCall({ userid: adminUser().id, tonumber: '100' }).expect(200);
    expect(res.body).toMatchObject({ delivered: false, response: null, attempts: 1, error: expect.stringMatching(/ECONNREFUSED/) });
    await t.http.get(`${BASE}/users`).set(admin).expect(200);
  });

  it('a slow vendor: a timeout', async () => {
    await setUp({ webhook: { timeoutMs: 200, retries: 0, backoffMs: 10, allowHosts: undefined } }, () => ({ status: 200, delayMs: 1500 }));
    await register();
    const started = Date.now();
    const res = await clickToCall({ userid: adminUser().id, tonumber: '100' }).expect(200);
    expect(res.body).toMatchObject({ delivered: false, response: null, error: 'timeout: no answer within 200 ms' });
    expect(res.body.latencyMs).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(1400);
  });

  it('a vendor answering 500, no retries: one attempt, its answer recorded', async () => {
    await setUp({}, () => ({ status: 500, body: 'PBX exploded' }));
    await register();
    const res = await clickToCall({ userid: adminUser().id, tonumber: '100' }).expect(200);
    expect(res.body).toMatchObject({ delivered: false, attempts: 1, error: 'HTTP 500', response: { status: 500, body: 'PBX exploded' } });
    expect(receiver.received).toHaveLength(1);
  });

  it('retries with backoff: 500, 500, then 200 -> delivered on the third attempt', async () => {
    await setUp({ webhook: { timeoutMs: 1000, retries: 3, backoffMs: 20, allowHosts: undefined } }, (_r, n) => (n < 3 ? { status: 500 } : { status: 204 }));
    await register();
    const res = await clickToCall({ userid: adminUser().id, tonumber: '100' }).expect(200);
    expect(res.body).toMatchObject({ delivered: true, attempts: 3, error: null, response: { status: 204 } });
    expect(receiver.received).toHaveLength(3);
  });

  it('retries run out: every attempt failed', async () => {
    await setUp({ webhook: { timeoutMs: 1000, retries: 2, backoffMs: 5, allowHosts: undefined } }, () => ({ status: 503 }));
    await register();
    const res = await clickToCall({ userid: adminUser().id, tonumber: '100' }).expect(200);
    expect(res.body).toMatchObject({ delivered: false, attempts: 3, error: 'HTTP 503' });
  });

  it('a 4xx is not retried', async () => {
    await setUp({ webhook: { timeoutMs: 1000, retries: 3, backoffMs: 5, allowHosts: undefined } }, () => ({ status: 401 }));
    await register();
    const res = await clickToCall({ userid: adminUser().id, tonumber: '100' }).expect(200);
    expect(res.body).toMatchObject({ delivered: false, attempts: 1, error: 'HTTP 401' });
  });
});

describe('PHONEBRIDGE_WEBHOOK_ALLOW', () => {
  it('a host off the list is never called: 403, and the refusal is in the outbox', async () => {
    await setUp({ webhook: { timeoutMs: 1000, retries: 0, backoffMs: 5, allowHosts: ['pbx.example.com'] } });
    await register();
    const res = await clickToCall({ userid: adminUser().id, tonumber: '100' }).expect(403);
    expect(res.body).toMatchObject({ code: 'WEBHOOK_HOST_NOT_ALLOWED', details: { url: `${receiver.base}/zoho/clicktocall` } });
    expect(receiver.received).toEqual([]);
    const [refused] = (await t.http.get('/__admin/outbox').expect(200)).body.deliveries as Delivery[];
    expect(refused).toMatchObject({ delivered: false, attempts: 0, error: expect.stringMatching(/not in PHONEBRIDGE_WEBHOOK_ALLOW/) });
  });

  it.each([
    ['by host name', (base: string) => new URL(base).hostname],
    ['by host and port', (base: string) => new URL(base).host],
  ])('a host on the list (%s) is called', async (_title, entry) => {
    await setUp((base) => ({ webhook: { timeoutMs: 1000, retries: 0, backoffMs: 5, allowHosts: ['pbx.example.com', entry(base)] } }));
    await register();
    await clickToCall({ userid: adminUser().id, tonumber: '100' }).expect(200);
    expect(receiver.received).toHaveLength(1);
  });
});

describe('the outbox', () => {
  it('lists every delivery oldest first, and clears', async () => {
    await setUp();
    await register();
    await clickToCall({ userid: adminUser().id, tonumber: '1' }).expect(200);
    await clickToCall({ userid: adminUser().id, tonumber: '2' }).expect(200);
    const list = (await t.http.get('/__admin/outbox').expect(200)).body.deliveries as Delivery[];
    expect(list.map((d) => new URLSearchParams(d.request.body).get('tonumber'))).toEqual(['1', '2']);
    await t.http.delete('/__admin/outbox').expect(200);
    expect((await t.http.get('/__admin/outbox').expect(200)).body).toEqual({ deliveries: [] });
  });

  it('PUT /__admin/outbox -> 405 with Allow', async () => {
    await setUp();
    const res = await t.http.put('/__admin/outbox').expect(405);
    expect(res.headers.allow).toBe('GET, DELETE');
  });

  it('serves openapi/admin.yaml', async () => {
    await setUp();
    expect((await t.http.get('/openapi/admin.yaml').expect(200)).text).toMatch(/\/__admin\/click-to-call:/);
  });
});

describe('POST /__admin/reset', () => {
  it('starts over from the seed: integration, registrations, calls, tokens and outbox are gone', async () => {
    await setUp();
    await register();
    await clickToCall({ userid: adminUser().id, tonumber: '1' }).expect(200);
    await event('callreceived', INBOUND);
    const firstNames = licensedOrg(t.store).crm.contacts.map((c) => c.name);
    const res = await t.http.post('/__admin/reset').expect(200);
    expect(res.body).toEqual({ status: 'success', seed: 42 });
    const org = licensedOrg(t.store);
    expect(org.integration).toBeNull();
    expect(org.clickToCall).toEqual({});
    expect(org.calls).toEqual({});
    expect(Object.values(t.world.orgs).flatMap((o) => o.outbox)).toEqual([]);
    expect(org.crm.contacts.map((c) => c.name)).toEqual(firstNames);
    // The mock keeps working on the new state: fixed tokens, not integrated yet.
    const users = await t.http.get(`${BASE}/users`).set(admin).expect(400);
    expect(users.body.code).toBe('PBX_NOT_INTEGRATED');
    await t.http.post(`${BASE}/integrate`).set(admin).expect(200);
    await event('callreceived', INBOUND);
  });

  it('with another seed: other fake data, the reference Contact still there', async () => {
    await setUp();
    const before = licensedOrg(t.store).crm.leads.map((l) => l.name);
    const res = await t.http.post('/__admin/reset').send({ seed: 7 }).expect(200);
    expect(res.body.seed).toBe(7);
    expect(licensedOrg(t.store).crm.leads.map((l) => l.name)).not.toEqual(before);
    const found = await t.http.get(`${BASE}/callerdetails`).set(admin).query({ phonenumber: '0018885554567' }).expect(400);
    expect(found.body.code).toBe('PBX_NOT_INTEGRATED');
  });

  it('a seed that is not a number -> 400 INVALID_DATA naming seed', async () => {
    await setUp();
    const res = await t.http.post('/__admin/reset').type('form').send({ seed: 'forty-two' }).expect(400);
    expect(res.body).toMatchObject({ code: 'INVALID_DATA', details: { param: 'seed' } });
  });
});
