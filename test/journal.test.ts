/** The request journal, the call log over HTTP, and what the console prints per request. */
import { describe, expect, it } from 'vitest';
import { logRequests } from '../server/journal/console-log.js';
import { auth, BASE, createTestApp, TOKENS, type TestApp } from './helpers.js';

interface Entry {
  id: string;
  tenant: string;
  method: string;
  path: string;
  query: Record<string, unknown>;
  headers: Record<string, string>;
  body: string | null;
  bodyTruncated: boolean;
  fields: Record<string, unknown> | null;
  operationId: string | null;
  callrefid: string | null;
  response: { status: number; body: unknown };
  hints: { code: string }[];
  warnings: { code: string }[];
}

const admin = auth(TOKENS.admin);
const CALL = { callrefid: 'call-1', fromnumber: '0018885554567', tonumber: '100' };

const requests = async (t: TestApp, query: Record<string, unknown> = {}) =>
  ((await t.http.get('/__admin/requests').query(query).expect(200)).body as { requests: Entry[] }).requests;

async function integrated(): Promise<TestApp> {
  const t = await createTestApp();
  await t.http.post(`${BASE}/integrate`).set(admin).expect(200);
  return t;
}

describe('GET /__admin/requests', () => {
  it('shows the body byte for byte, the fields as read, the operation and the answer as sent; the token shortened', async () => {
    const t = await integrated();
    const raw = 'callrefid=call-1&fromnumber=%2B1%20888%20555%204567&tonumber=100&ignored=x';
    const res = await t.http.post(`${BASE}/callreceived`).set(admin).set('Content-Type', 'application/x-www-form-urlencoded').send(raw).expect(200);
    const [entry] = await requests(t, { limit: 1 });
    expect(entry).toMatchObject({
      tenant: 'default',
      method: 'POST',
      path: `${BASE}/callreceived`,
      body: raw,
      bodyTruncated: false,
      fields: { callrefid: 'call-1', fromnumber: '+1 888 555 4567', tonumber: '100' },
      operationId: 'callReceived',
      callrefid: 'call-1',
    });
    expect(entry!.response).toEqual({ status: 200, headers: {}, body: res.body });
    expect(entry!.headers.authorization).toBe('Zoho-oauthtoken 1000.admi…kpbx');
    expect(JSON.stringify(entry)).not.toContain(TOKENS.admin);
    expect((await t.http.get(`/__admin/requests/${entry!.id}`).expect(200)).body).toEqual(entry);
  });

  it('keeps a JSON body and a body of any other type as sent', async () => {
    const t = await integrated();
    await t.http.post(`${BASE}/callreceived`).set(admin).set('Content-Type', 'text/plain').send('just text').expect(400);
    await t.http.post(`${BASE}/callreceived`).set(admin).send({ callrefid: 'c-json', fromnumber: '1', tonumber: '2' }).expect(200);
    const [json, text] = await requests(t, { limit: 2 });
    expect(text!.body).toBe('just text');
    expect(json!.body).toBe('{"callrefid":"c-json","fromnumber":"1","tonumber":"2"}');
  });

  it('filters by operation, status, path, method, callrefid, unmatched, hinted, since and limit; newest first', async () => {
    const t = await integrated();
    await t.http.post(`${BASE}/callreceived`).set(admin).type('form').send(CALL).expect(200);
    t.clock.advance(1000);
    await t.http.post(`${BASE}/callanswered`).set(admin).type('form').send(CALL).expect(200);
    await t.http.post(`${BASE}/callrecieved`).set(admin).type('form').send(CALL).expect(404);
    await t.http.get(`${BASE}/users`).set('Authorization', `Bearer ${TOKENS.admin}`).expect(401);
    const ids = (list: Entry[]) => list.map((e) => e.operationId ?? e.path);
    expect(ids(await requests(t))).toEqual(['listUsers', `${BASE}/callrecieved`, 'callAnswered', 'callReceived', 'enableIntegration']);
    expect(ids(await requests(t, { operation: 'callAnswered' }))).toEqual(['callAnswered']);
    expect(ids(await requests(t, { status: 401 }))).toEqual(['listUsers']);
    expect(ids(await requests(t, { path: 'recieved' }))).toEqual([`${BASE}/callrecieved`]);
    expect(ids(await requests(t, { method: 'get' }))).toEqual(['listUsers']);
    expect(ids(await requests(t, { callrefid: 'call-1', unmatched: false }))).toEqual(['callAnswered', 'callReceived']);
    expect(ids(await requests(t, { unmatched: true }))).toEqual([`${BASE}/callrecieved`]);
    expect(ids(await requests(t, { hinted: true }))).toEqual(['listUsers', `${BASE}/callrecieved`]);
    expect(ids(await requests(t, { since: '2026-11-26T12:00:01Z' }))).toEqual(['listUsers', `${BASE}/callrecieved`, 'callAnswered']);
    expect(ids(await requests(t, { limit: 2 }))).toHaveLength(2);
  });

  it('a token of a tenant sends its unmatched requests to that tenant; without a known token, to the default one', async () => {
    const t = await createTestApp();
    const tenant = (await t.http.post('/__admin/tenants').send({}).expect(201)).body as { id: string; tokens: { admin: string } };
    await t.http.get(`${BASE}/nothing-here`).set(auth(tenant.tokens.admin)).expect(404);
    await t.http.get(`${BASE}/users`).set('Authorization', `Bearer ${tenant.tokens.admin}`).expect(401);
    await t.http.get(`${BASE}/nothing-here`).expect(404);
    expect((await requests(t, { tenant: tenant.id })).map((e) => e.path)).toEqual([`${BASE}/users`, `${BASE}/nothing-here`]);
    expect((await requests(t)).map((e) => e.path)).toEqual([`${BASE}/nothing-here`]);
  });

  it('unknown ids are 404; DELETE empties the journal', async () => {
    const t = await integrated();
    await t.http.get('/__admin/requests/999').expect(404);
    await t.http.delete('/__admin/requests').expect(200);
    expect(await requests(t)).toEqual([]);
  });

  it('keeps the last PHONEBRIDGE_JOURNAL_MAX entries of a tenant', async () => {
    const t = await createTestApp({ journalMax: 5 });
    for (let i = 0; i < 12; i++) await t.http.get(`${BASE}/users`).set(admin);
    const kept = await requests(t);
    expect(kept.length).toBeLessThanOrEqual(5);
    expect(kept[0]!.id).toBe('12');
  });
});

describe('POST /__admin/requests/count', () => {
  it('counts exactly under concurrent requests: "my PBX sent exactly one callhungup for call X"', async () => {
    const t = await integrated();
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        t.http
          .post(`${BASE}/callreceived`)
          .set(admin)
          .type('form')
          .send({ ...CALL, callrefid: `c-${i % 4}` })
          .expect(200),
      ),
    );
    const count = async (filter: Record<string, unknown>) =>
      ((await t.http.post('/__admin/requests/count').send(filter).expect(200)).body as { count: number }).count;
    expect(await count({ operation: 'callReceived' })).toBe(40);
    expect(await count({ operation: 'callReceived', callrefid: 'c-2' })).toBe(10);
    expect(await count({ operation: 'callHungUp' })).toBe(0);
  });
});

describe('hints and lifecycle warnings on the journal', () => {
  it('a Bearer token gets a hint and the same 401 as before; the correct header gets none', async () => {
    const t = await integrated();
    const bearer = await t.http.get(`${BASE}/users`).set('Authorization', `Bearer ${TOKENS.admin}`).expect(401);
    expect(bearer.body).toMatchObject({ code: 'INVALID_TOKEN' });
    await t.http.get(`${BASE}/users`).set(admin).expect(200);
    const [correct, wrong] = await requests(t, { limit: 2 });
    expect(wrong!.hints.map((h) => h.code)).toEqual(['bearer-scheme']);
    expect(correct!.hints).toEqual([]);
  });

  it('an answer for a call that never rang is warned on the entry and the call; a correct lifecycle is warned nowhere', async () => {
    const t = await integrated();
    await t.http
      .post(`${BASE}/callanswered`)
      .set(admin)
      .type('form')
      .send({ ...CALL, callrefid: 'stray' })
      .expect(200);
    for (const event of ['callreceived', 'callanswered']) await t.http.post(`${BASE}/${event}`).set(admin).type('form').send(CALL).expect(200);
    await t.http
      .post(`${BASE}/callhungup`)
      .set(admin)
      .type('form')
      .send({ ...CALL, direction: 'inbound', callstarttime: '2026-11-26 12:00:00', duration: '0' })
      .expect(200);
    expect((await requests(t, { callrefid: 'stray' }))[0]!.warnings.map((w) => w.code)).toEqual(['never-rang']);
    expect((await requests(t, { callrefid: 'call-1' })).flatMap((e) => [...e.warnings, ...e.hints])).toEqual([]);
    const stray = (await t.http.get('/__admin/calls/stray').expect(200)).body as { warnings: { code: string; event: string }[] };
    expect(stray.warnings).toMatchObject([{ code: 'never-rang', event: 'answered' }]);
  });
});

describe('GET /__admin/calls', () => {
  it('shows each call with its timeline, matched record, activity, controls and warnings; filters by state, direction, user, since', async () => {
    const t = await integrated();
    await t.http.post(`${BASE}/callreceived`).set(admin).type('form').send(CALL).expect(200);
    t.clock.advance(60_000);
    await t.http
      .post(`${BASE}/callmissed`)
      .set(admin)
      .type('form')
      .send({ callrefid: 'call-2', fromnumber: '0018885554567', tonumber: '100', callmissedtime: '2026-11-26 12:01:00' })
      .expect(200);
    const call = (await t.http.get('/__admin/calls/call-1').expect(200)).body as Record<string, unknown>;
    expect(call).toMatchObject({
      callrefid: 'call-1',
      orgId: '700000101',
      state: 'ringing',
      direction: 'inbound',
      record: { module: 'Contacts', name: 'Jane Smith' },
      timeline: [{ type: 'received', params: CALL }],
      activity: null,
      clickToCall: null,
      controls: { muted: false, held: false },
      warnings: [],
    });
    const list = async (query: Record<string, string>) =>
      ((await t.http.get('/__admin/calls').query(query).expect(200)).body as { calls: { callrefid: string }[] }).calls.map((c) => c.callrefid);
    expect(await list({})).toEqual(['call-2', 'call-1']);
    expect(await list({ state: 'missed' })).toEqual(['call-2']);
    expect(await list({ direction: 'outbound' })).toEqual([]);
    expect(await list({ since: '2026-11-26T12:00:30Z' })).toEqual(['call-2']);
    expect(await list({ user: (call as { userId: string }).userId })).toEqual(['call-2', 'call-1']);
    const missed = (await t.http.get('/__admin/calls/call-2').expect(200)).body as { activity: { kind: string } };
    expect(missed.activity.kind).toBe('missed');
    await t.http.get('/__admin/calls/nope').expect(404);
  });
});

describe('the console log', () => {
  it('prints one line per request with its tenant, hints indented below; nothing when quiet; no colours unless asked', async () => {
    const t = await integrated();
    const lines: string[] = [];
    const quiet: string[] = [];
    logRequests(t.journal, t.events, { mode: 'requests', write: (l) => lines.push(l), colors: false });
    logRequests(t.journal, t.events, { mode: 'quiet', write: (l) => quiet.push(l), colors: false });
    await t.http.get(`${BASE}/users`).set('Authorization', `Bearer ${TOKENS.admin}`).expect(401);
    await t.http.get('/__admin/outbox').expect(200);
    expect(lines[0]).toMatch(/^12:00:00\.000 GET {4}\/crm\/v2\/phonebridge\/users 401 \d+\.\dms \[default\]\n {4}hint .*Zoho-oauthtoken/);
    expect(lines[1]).toMatch(/GET {4}\/__admin\/outbox 200 .*\[default\]$/);
    expect(lines.join('')).not.toContain('\u001b[');
    expect(quiet).toEqual([]);
    t.journal.removeAllListeners('entry');
  });
});
