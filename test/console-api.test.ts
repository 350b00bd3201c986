/**
 * What the web console reads and does, through the control plane (in process):
 * a call's screen pop and the buttons it allows, each org's registrations, the
 * record picker, resending a delivery; and how the console's pages are served.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import supertest from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { consoleRoutes } from '../server/http/console.js';
import type { components } from '../server/admin/document.gen.js';
import type { Delivery } from '../server/store/schema.js';
import { auth, BASE, createTestApp, TOKENS, type TestApp } from './helpers.js';
import { startReceiver } from './receiver.js';

type Schemas = components['schemas'];
const admin = auth(TOKENS.admin);
const NIKITA = '3235140000000152001';
const JANE_SMITH = '0018885554567';

let t: TestApp;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());
beforeEach(async () => {
  t = await createTestApp();
  receiver.received.length = 0;
  await t.http.post(`${BASE}/integrate`).set(admin).expect(200);
});

const register = (fields: Record<string, string>) =>
  t.http
    .post(`${BASE}/clicktocallandcallcontrol`)
    .set(admin)
    .type('form')
    .send({ clicktocallurl: `${receiver.base}/c2c`, ...fields })
    .expect(200);
const ring = (callrefid: string, fromnumber: string) =>
  t.http.post(`${BASE}/callreceived`).set(admin).type('form').send({ callrefid, fromnumber, tonumber: '0018885556748' }).expect(200);
const call = async (callrefid: string) => (await t.http.get(`/__admin/calls/${callrefid}`).expect(200)).body as Schemas['Call'];
const records = async (query: Record<string, string | number>) =>
  (await t.http.get('/__admin/records').query(query).expect(200)).body.records as Schemas['CrmRecord'][];

describe('GET /__admin/calls/{callrefid} -> what the console shows of a call', () => {
  it("screenPop: the records the customer's number matches, as callreceived answers them; [] for an unknown caller", async () => {
    await ring('known', JANE_SMITH);
    await ring('unknown', '0019995550123');
    const known = await call('known');
    expect(known.screenPop).toHaveLength(1);
    expect(known.screenPop[0]).toMatchObject({ Name: 'Jane Smith', Module: 'Contacts', Phone: JANE_SMITH, 'Company/Account': 'Smith Logistics' });
    expect(known.screenPop[0]!.Potential).toHaveLength(2);
    expect((await call('unknown')).screenPop).toEqual([]);
  });

  it('actions: none without a registration, each missing URL named, then what the state allows, as POST /__admin/call-control decides', async () => {
    await ring('c1', JANE_SMITH);
    expect((await call('c1')).actions.answer).toEqual({ available: false, reason: `user ${NIKITA} registered no click-to-call and call control` });

    await register({ answerurl: `${receiver.base}/answer`, holdurl: `${receiver.base}/hold`, hungupurl: `${receiver.base}/hangup` });
    const ringing = (await call('c1')).actions;
    expect(ringing.answer).toEqual({ available: true, reason: null });
    expect(ringing.hangup).toEqual({ available: true, reason: null });
    expect(ringing.mute).toEqual({ available: false, reason: 'the vendor registered no muteurl' });
    expect(ringing.hold.available).toBe(false);
    expect(ringing.hold.reason).toMatch(/^hold needs an answered call/);
    // The view agrees with the trigger: what it calls unavailable, the trigger refuses.
    await t.http.post('/__admin/call-control').send({ callrefid: 'c1', action: 'hold' }).expect(409);
    await t.http.post('/__admin/call-control').send({ callrefid: 'c1', action: 'mute' }).expect(409);

    await t.http.post(`${BASE}/callanswered`).set(admin).type('form').send({ callrefid: 'c1', fromnumber: JANE_SMITH, tonumber: '100' }).expect(200);
    expect((await call('c1')).actions.hold).toEqual({ available: true, reason: null });
    await t.http.post('/__admin/call-control').send({ callrefid: 'c1', action: 'hold' }).expect(200);
    const held = await call('c1');
    expect(held.controls.held).toBe(true);
    expect(held.actions.hold.available).toBe(false);
    expect(held.actions.unhold).toEqual({ available: false, reason: 'the vendor registered no unholdurl' });
  });
});

it("GET /__admin/tenants/{id} -> each org's registrations: the click-to-call URL, each action's URL, the pairs", async () => {
  await register({
    holdurl: `${receiver.base}/hold`,
    authorizationparam: '{name:Authorization,value:secret}',
    clicktocallparam: '[{name:pbxuserid,value:pbx-42}]',
    callcontrolparam: '[{name:tenant,value:acme}]',
  });
  const body = (await t.http.get('/__admin/tenants/default').expect(200)).body as Schemas['Tenant'];
  const licensed = body.orgs.find((org) => org.kind === 'licensed')!;
  expect(licensed.registrations).toEqual([
    {
      userId: NIKITA,
      api: 'v2',
      clicktocallurl: `${receiver.base}/c2c`,
      actionUrls: { holdurl: `${receiver.base}/hold` },
      authorizationparam: { name: 'Authorization', value: 'secret' },
      clicktocallparam: [{ name: 'pbxuserid', value: 'pbx-42' }],
      callcontrolparam: [{ name: 'tenant', value: 'acme' }],
      registeredAt: expect.any(String),
    },
  ]);
  expect(body.orgs.filter((org) => org.kind !== 'licensed').map((org) => org.registrations)).toEqual([[], [], []]);
});

describe('GET /__admin/records -> the records a CRM user can click', () => {
  it('by part of a name, any case; by the digits of a number, whatever its punctuation', async () => {
    const jane = (await records({ search: 'jane smith' })).find((r) => r.name === 'Jane Smith');
    expect(jane).toMatchObject({ module: 'Contacts', company: 'Smith Logistics', phone: JANE_SMITH });
    const byNumber = await records({ search: '+1 (888) 555-4567' });
    expect(byNumber.map((r) => r.name)).toContain('Jane Smith');
    for (const record of byNumber) expect(`${record.phone}${record.mobile}`.replace(/\D/g, '')).toContain('18885554567');
  });

  it('Leads first, then Contacts and Accounts, only with a number, at most `limit`; an unknown org is 400', async () => {
    const all = (await t.http.get('/__admin/records').query({ limit: 1000 }).expect(200)).body.records as { module: string; phone: unknown; mobile: unknown }[];
    const order = ['Leads', 'Contacts', 'Accounts'];
    expect(all.map((r) => order.indexOf(r.module))).toEqual([...all.map((r) => order.indexOf(r.module))].sort((a, b) => a - b));
    expect(all.every((r) => r.phone !== null || r.mobile !== null)).toBe(true);
    expect((await t.http.get('/__admin/records').query({ limit: 3 }).expect(200)).body.records).toHaveLength(3);
    expect((await t.http.get('/__admin/records').query({ search: 'no such person anywhere' }).expect(200)).body.records).toEqual([]);
    await t.http.get('/__admin/records').query({ orgid: '999' }).expect(400);
  });
});

describe('POST /__admin/outbox/{id}/resend', () => {
  it('sends the same request again (URL, fields in order, headers) as a new delivery, and changes no call', async () => {
    await register({
      holdurl: `${receiver.base}/hold`,
      authorizationparam: '{name:Authorization,value:secret}',
      callcontrolparam: '[{name:tenant,value:acme}]',
    });
    await ring('c1', JANE_SMITH);
    await t.http.post(`${BASE}/callanswered`).set(admin).type('form').send({ callrefid: 'c1', fromnumber: JANE_SMITH, tonumber: '100' }).expect(200);
    const first = (await t.http.post('/__admin/call-control').send({ callrefid: 'c1', action: 'hold' }).expect(200)).body as Delivery;
    const again = (await t.http.post(`/__admin/outbox/${first.id}/resend`).expect(200)).body as Delivery;
    expect(again.id).not.toBe(first.id);
    expect(again).toMatchObject({ kind: 'hold', callrefid: 'c1', url: first.url, delivered: true, request: first.request });
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]!.body).toBe(receiver.received[0]!.body);
    expect(receiver.received[1]!.headers.authorization).toBe('secret');
    const outbox = (await t.http.get('/__admin/outbox').expect(200)).body as { deliveries: Delivery[] };
    expect(outbox.deliveries.map((d) => d.id)).toEqual([first.id, again.id]);
    expect((await call('c1')).controls).toEqual({ muted: false, held: true });
  });

  it('an id not in the outbox -> 404 NOT_FOUND; not a number -> 400', async () => {
    const res = await t.http.post('/__admin/outbox/999/resend').expect(404);
    expect(res.body).toMatchObject({ code: 'NOT_FOUND', status: 'error' });
    await t.http.post('/__admin/outbox/abc/resend').expect(400);
  });
});

describe('the console pages', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'console-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const app = () => express().use(consoleRoutes(dir));

  it('/ -> 302 to /__admin/console/; /__admin/console -> 301 to the slash', async () => {
    await supertest(app()).get('/').expect(302).expect('Location', '/__admin/console/');
    await supertest(app()).get('/__admin/console').expect(301).expect('Location', '/__admin/console/');
  });

  it('not built -> 503 saying how to build it; built -> the page, with headers that keep other sites out', async () => {
    const missing = await supertest(app()).get('/__admin/console/').expect(503);
    expect(missing.text).toContain('npm run build');
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>console</title>');
    const page = await supertest(app()).get('/__admin/console/').expect(200).expect('Content-Type', /html/);
    expect(page.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
  });

  it('the mock serves the built console (npm run compile) beside the control plane, which answers as before', async () => {
    await t.http.get('/').expect(302).expect('Location', '/__admin/console/');
    await t.http.get('/__admin/console/').expect(200).expect('Content-Type', /html/);
    await t.http
      .get('/__admin/console/app.js')
      .expect(200)
      .expect('Content-Type', /javascript/);
    await t.http.get('/__admin/health').expect(200);
    const unknown = await t.http.get('/__admin/consoles').expect(404);
    expect(unknown.body).toMatchObject({ code: 'INVALID_URL_PATTERN' });
  });
});
