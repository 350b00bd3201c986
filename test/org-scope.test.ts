/**
 * Everything a client changes belongs to an org: two runs that both use the
 * callrefid `call-1` in different orgs never touch each other's call, outbox
 * or reset.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Delivery } from '../server/store/schema.js';
import { auth, BASE, createTestApp, LICENSED_ORG, TOKENS, type TestApp } from './helpers.js';
import { startReceiver } from './receiver.js';

const OTHER_ORG = '700000103';
const OTHER_TOKEN = '1000.admin.org103.mockpbx';

let t: TestApp;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());

/** Both orgs integrated with MockPBX, each with its own call-control URLs and its own call `call-1`, answered. */
beforeEach(async () => {
  t = await createTestApp();
  const otherAdmin = t.world.orgs[OTHER_ORG]!.users.find((u) => u.role === 'admin')!;
  // A token of the other org's admin for the registered vendor, as OAuth consent would mint it.
  t.world.tokens[OTHER_TOKEN] = {
    orgId: OTHER_ORG,
    userId: otherAdmin.id,
    vendor: 'MockPBX',
    scopes: ['ZohoCRM.crmphonebridge.ALL'],
    expiresAt: '9999-12-31T23:59:59Z',
  };
  for (const [token, tag] of [
    [TOKENS.admin, 'licensed'],
    [OTHER_TOKEN, 'other'],
  ] as const) {
    await t.http.post(`${BASE}/integrate`).set(auth(token)).expect(200);
    await t.http
      .post(`${BASE}/clicktocallandcallcontrol`)
      .set(auth(token))
      .type('form')
      .send({ clicktocallurl: `${receiver.base}/${tag}/c2c`, holdurl: `${receiver.base}/${tag}/hold` })
      .expect(200);
    for (const path of ['callreceived', 'callanswered']) {
      await t.http
        .post(`${BASE}/${path}`)
        .set(auth(token))
        .type('form')
        .send({ callrefid: 'call-1', fromnumber: '0018885554567', tonumber: '100' })
        .expect(200);
    }
  }
  receiver.received.length = 0;
});

const hold = (fields: Record<string, string>) => t.http.post('/__admin/call-control').send({ callrefid: 'call-1', action: 'hold', ...fields });
const outbox = async (query: Record<string, string> = {}) => (await t.http.get('/__admin/outbox').query(query).expect(200)).body.deliveries as Delivery[];

describe('control-plane triggers act on one org', () => {
  it('orgid names the org: its call-1 is held, through its URL, and the other org’s call-1 is untouched', async () => {
    await hold({ orgid: OTHER_ORG }).expect(200);
    expect(receiver.received.map((r) => r.path)).toEqual(['/other/hold']);
    expect(t.world.orgs[OTHER_ORG]!.calls['call-1']!.controls?.held).toBe(true);
    expect(t.world.orgs[LICENSED_ORG]!.calls['call-1']!.controls?.held ?? false).toBe(false);
  });

  it('userid resolves the org through the user', async () => {
    const otherAdmin = t.world.orgs[OTHER_ORG]!.users.find((u) => u.role === 'admin')!;
    await hold({ userid: otherAdmin.id }).expect(200);
    expect(receiver.received.map((r) => r.path)).toEqual(['/other/hold']);
  });

  it('neither: the default org (the licensed one)', async () => {
    await hold({}).expect(200);
    expect(receiver.received.map((r) => r.path)).toEqual(['/licensed/hold']);
  });

  it('a call of another org is not found by scanning: 400 INVALID_DATA naming callrefid', async () => {
    await t.http
      .post(`${BASE}/callreceived`)
      .set(auth(OTHER_TOKEN))
      .type('form')
      .send({ callrefid: 'only-there', fromnumber: '0018885554567', tonumber: '100' })
      .expect(200);
    const res = await t.http.post('/__admin/call-control').send({ callrefid: 'only-there', action: 'answer' }).expect(400);
    expect(res.body).toMatchObject({ code: 'INVALID_DATA', details: { param: 'callrefid' } });
  });

  it('an org that does not exist -> 400 INVALID_DATA naming orgid', async () => {
    const res = await hold({ orgid: '123' }).expect(400);
    expect(res.body).toMatchObject({ code: 'INVALID_DATA', details: { param: 'orgid' }, message: 'No org has this id' });
  });
});

describe('each org has its own outbox', () => {
  it('lists every org’s deliveries in order, or one org’s; clears one org’s only', async () => {
    await hold({ orgid: OTHER_ORG }).expect(200);
    await hold({}).expect(200);
    expect((await outbox()).map((d) => d.orgId)).toEqual([OTHER_ORG, LICENSED_ORG]);
    expect((await outbox({ orgid: LICENSED_ORG })).map((d) => d.url)).toEqual([`${receiver.base}/licensed/hold`]);
    await t.http.delete('/__admin/outbox').query({ orgid: OTHER_ORG }).expect(200);
    expect((await outbox()).map((d) => d.orgId)).toEqual([LICENSED_ORG]);
  });
});

describe('POST /__admin/reset with orgid', () => {
  it('starts that org over, with its tokens, and leaves the other org as it was', async () => {
    const res = await t.http.post('/__admin/reset').send({ orgid: OTHER_ORG }).expect(200);
    expect(res.body).toEqual({ status: 'success', seed: 42 });
    expect(t.world.orgs[OTHER_ORG]!.integration).toBeNull();
    expect(t.world.orgs[OTHER_ORG]!.calls).toEqual({});
    expect(t.world.tokens[OTHER_TOKEN]).toBeUndefined();
    expect(t.world.orgs[LICENSED_ORG]!.integration?.vendor).toBe('MockPBX');
    expect(Object.keys(t.world.orgs[LICENSED_ORG]!.calls)).toEqual(['call-1']);
    await t.http.get(`${BASE}/users`).set(auth(TOKENS.admin)).expect(200);
  });

  it('an unknown org -> 400 INVALID_DATA naming orgid, nothing reset', async () => {
    await t.http.post('/__admin/reset').send({ orgid: '999' }).expect(400);
    expect(t.world.orgs[OTHER_ORG]!.integration?.vendor).toBe('MockPBX');
  });
});
