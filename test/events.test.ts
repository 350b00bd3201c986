/** Request events: one start and one end per request, from the HTTP layer, with what the engine learned. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RequestEnd, RequestStart } from '../server/http/events.js';
import { auth, BASE, createTestApp, LICENSED_ORG, TOKENS, type TestApp } from './helpers.js';

let t: TestApp;
let starts: RequestStart[];
let ends: RequestEnd[];
const onStart = (e: RequestStart) => starts.push(e);
const onEnd = (e: RequestEnd) => ends.push(e);
beforeEach(async () => {
  t = await createTestApp();
  starts = [];
  ends = [];
  t.events.on('request:start', onStart);
  t.events.on('request:end', onEnd);
});
afterEach(() => {
  t.events.off('request:start', onStart);
  t.events.off('request:end', onEnd);
});

describe('request events', () => {
  it('a validated request: operation, org, fields as validated (coerced, declared only), status, duration', async () => {
    await t.http.post(`${BASE}/integrate`).set(auth(TOKENS.admin)).expect(200);
    await t.http
      .post(`${BASE}/callhungup`)
      .set(auth(TOKENS.admin))
      .type('form')
      .send({
        callrefid: 'e-1',
        fromnumber: '0018885554567',
        tonumber: '100',
        callstarttime: '2026-11-26 10:00:00',
        duration: '42',
        direction: 'inbound',
        junk: 'x',
      })
      .expect(200);
    expect(starts.map((s) => s.id)).toEqual(ends.map((e) => e.id));
    const end = ends[1]!;
    expect(end).toMatchObject({
      method: 'POST',
      path: `${BASE}/callhungup`,
      api: 'phonebridge',
      operationId: 'callHungUp',
      orgId: LICENSED_ORG,
      status: 200,
      validation: 'passed',
      readOnly: false,
    });
    expect(end.params).toEqual({
      callrefid: 'e-1',
      fromnumber: '0018885554567',
      tonumber: '100',
      callstarttime: '2026-11-26 10:00:00',
      duration: 42,
      direction: 'inbound',
    });
    expect(end.durationMs).toBeGreaterThanOrEqual(0);
    expect(end.violations()).toEqual([]);
  });

  it('a request the schema refuses: validation failed, with the fields it saw', async () => {
    await t.http.post(`${BASE}/callreceived`).set(auth(TOKENS.admin)).type('form').send({ callrefid: 'e-2' }).expect(400);
    expect(ends[0]).toMatchObject({ operationId: 'callReceived', status: 400, validation: 'failed', params: { callrefid: 'e-2' }, orgId: LICENSED_ORG });
  });

  it('a refused token: no org, validation skipped', async () => {
    await t.http.get(`${BASE}/users`).expect(401);
    expect(ends[0]).toMatchObject({ operationId: 'listUsers', status: 401, validation: 'skipped' });
    expect(ends[0]!.orgId).toBeUndefined();
  });

  it('an unknown path: no operation, a 404', async () => {
    await t.http.get('/nowhere').expect(404);
    expect(ends[0]).toMatchObject({ path: '/nowhere', status: 404, validation: 'skipped' });
    expect(ends[0]!.operationId).toBeUndefined();
  });

  it('a control-plane trigger names the org it acted on', async () => {
    await t.http.post('/__admin/call-control').send({ callrefid: 'none', action: 'hold', orgid: '700000102' }).expect(400);
    expect(ends[0]).toMatchObject({ api: 'admin', operationId: 'triggerCallControl', status: 400 });
    await t.http.post('/__admin/reset').send({ orgid: '700000102' }).expect(200);
    expect(ends[1]).toMatchObject({ api: 'admin', operationId: 'reset', orgId: '700000102' });
  });
});
