/**
 * "A 2xx means the change is saved": the engine marks the store changed after
 * every operation the documents do not mark `x-phonebridge-read-only`, and no
 * handler does it by hand. A scripted conversation runs every write operation
 * of the three documents; after each, what the store saved must equal what it
 * holds. Read-only operations must change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OAUTH_CLIENTS } from '../fixtures/personas.js';
import { initialisedBackend } from './backend.js';
import { auth, BASE, createTestApp, licensedOrg, TOKENS, type TestApp } from './helpers.js';
import { startReceiver } from './receiver.js';

const admin = auth(TOKENS.admin);
const [MOCKPBX] = OAUTH_CLIENTS;
const INBOUND = { callrefid: 'p-1', fromnumber: '0018885554567', tonumber: '100' };

/** The differences between what the store holds and what it last saved, as JSON paths (empty: all saved). */
async function unsaved(t: TestApp): Promise<string[]> {
  await t.store.flush();
  const saved = await t.store.readSaved();
  const held = JSON.parse(JSON.stringify(t.store.data)) as unknown;
  const differences: string[] = [];
  const walk = (a: unknown, b: unknown, at: string) => {
    if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
      if (a !== b) differences.push(at);
      return;
    }
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)]))
      walk((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${at}/${key}`);
  };
  walk(saved, held, '');
  return differences;
}

/** What the store holds, but when each tenant was last used: any request naming a tenant marks that (and it is saved). */
const held = (t: TestApp) => JSON.stringify(t.store.data, (key, value: unknown) => (key === 'lastUsedAt' ? undefined : value));

/** Every request of the conversation, in order: each one a write operation, or a read that must change nothing. */
function conversation(t: TestApp, receiverBase: string, userId: () => string) {
  let code = '';
  let refresh = '';
  let tenant = '';
  const post = (path: string, fields: Record<string, string>) => t.http.post(`${BASE}/${path}`).set(admin).type('form').send(fields);
  const v3 = (method: 'get' | 'post' | 'delete', path: string, fields?: Record<string, string>) => {
    const request = t.http[method](`/phonebridge/v3/${path}`).set(admin);
    return fields ? request.type('form').send(fields) : request;
  };
  return [
    () => t.http.post(`${BASE}/integrate`).set(admin),
    () =>
      t.http
        .get(`${BASE}/clicktocallandcallcontrol`)
        .set(admin)
        .query({ clicktocallurl: `${receiverBase}/zoho/clicktocall` }),
    () => post('clicktocallandcallcontrol', { clicktocallurl: `${receiverBase}/zoho/clicktocall`, holdurl: `${receiverBase}/zoho/hold` }),
    () => post('callreceived', INBOUND),
    () => post('callanswered', INBOUND),
    () => t.http.get(`${BASE}/users`).set(admin),
    () => t.http.get(`${BASE}/callerdetails`).set(admin).query({ phonenumber: INBOUND.fromnumber }),
    () => t.http.post('/__admin/call-control').send({ callrefid: INBOUND.callrefid, action: 'hold' }),
    () => post('callhungup', { ...INBOUND, callstarttime: '2026-11-26 10:00:00', duration: '42', direction: 'inbound' }),
    () => post('voiceurl', { callrefid: INBOUND.callrefid, voiceurl: 'https://pbx.example.com/rec/p-1.mp3' }),
    () => post('callmissed', { callrefid: 'p-2', fromnumber: '0018885554567', tonumber: '100', callmissedtime: '2026-11-26 10:05:00' }),
    () => t.http.post('/__admin/click-to-call').send({ userid: userId(), tonumber: '+1 888 555 4567' }),
    () => post('calldialed', { callrefid: 'p-3', fromnumber: '100', tonumber: '+18885554567', customerstatus: 'success' }),
    () => t.http.get('/__admin/outbox'),
    () => t.http.post('/__admin/outbox/1/resend'),
    () => t.http.get('/__admin/records').query({ search: 'Smith' }),
    () => t.http.delete('/__admin/outbox'),
    async () => {
      const res = await t.http.get('/oauth/v2/auth').query({
        response_type: 'code',
        client_id: MOCKPBX.clientId,
        scope: 'ZohoCRM.crmphonebridge.ALL',
        redirect_uri: MOCKPBX.redirectUris[0],
        access_type: 'offline',
      });
      code = new URL(res.headers.location as string).searchParams.get('code') ?? '';
      return res;
    },
    () =>
      t.http.post('/oauth/v2/auth').type('form').send({
        response_type: 'code',
        client_id: MOCKPBX.clientId,
        scope: 'ZohoCRM.crmphonebridge.ALL',
        redirect_uri: MOCKPBX.redirectUris[0],
        access_type: 'offline',
        userid: userId(),
        decision: 'allow',
      }),
    async () => {
      const res = await t.http.post('/oauth/v2/token').type('form').send({
        grant_type: 'authorization_code',
        code,
        client_id: MOCKPBX.clientId,
        client_secret: MOCKPBX.clientSecret,
        redirect_uri: MOCKPBX.redirectUris[0],
      });
      refresh = (res.body as { refresh_token: string }).refresh_token;
      return res;
    },
    () => t.http.get('/oauth/serverinfo'),
    () => t.http.post('/oauth/v2/token/revoke').type('form').send({ token: refresh }),
    () => t.http.delete(`${BASE}/clicktocallandcallcontrol`).set(admin),
    () => t.http.delete(`${BASE}/integrate`).set(admin),
    // PhoneBridge v3, over the same org.
    () => v3('post', 'integrate'),
    () => v3('get', 'users').query({ perPage: 2 }),
    () => v3('post', 'clicktodial', { clicktodialuri: `${receiverBase}/v3/dial`, clicktodialparam: "[{name:callee,value:'{to}'}]" }),
    () => v3('post', 'callcontrol', { holduri: `${receiverBase}/v3/hold` }),
    () => v3('post', 'callnotify', { type: 'received', state: 'ringing', id: 'v3-1', from: '+18885554567', to: '100' }),
    () => v3('post', 'callnotify', { type: 'received', state: 'ended', id: 'v3-1', from: '+18885554567', to: '100', duration: '5' }),
    () => v3('post', 'clicktodialerror', { code: 'busy', from: '100', to: '+18885554567' }),
    () => v3('delete', 'clicktodial'),
    () => v3('delete', 'callcontrol'),
    () => v3('delete', 'integrate'),
    () => t.http.post('/__admin/tenants/default/profile').send({ profile: 'live' }),
    () => t.http.get('/__admin/requests'),
    () => t.http.post('/__admin/requests/count').send({ operation: 'callReceived' }),
    () => t.http.get('/__admin/requests/1'),
    () => t.http.delete('/__admin/requests'),
    () => t.http.get('/__admin/calls'),
    () => t.http.get(`/__admin/calls/${INBOUND.callrefid}`),
    async () => {
      const res = await t.http.post('/__admin/tenants').send({ label: 'persisted', crmSize: 3 });
      tenant = (res.body as { id: string }).id;
      return res;
    },
    () => t.http.get('/__admin/tenants'),
    () => t.http.get(`/__admin/tenants/${tenant}`),
    () => t.http.post(`/__admin/tenants/${tenant}/reset`).send({ seed: 3 }),
    () => t.http.delete(`/__admin/tenants/${tenant}`),
    () => t.http.post('/__admin/faults').send({ operationId: 'listUsers', status: 500, times: 1 }),
    () => t.http.get('/__admin/faults'),
    () => t.http.delete('/__admin/faults/1'),
    () => t.http.delete('/__admin/faults'),
    () => t.http.post('/__admin/clock').send({ advance: '60' }),
    () => t.http.get('/__admin/clock'),
    () => t.http.delete('/__admin/clock'),
    () => t.http.post('/__admin/limits').send({ edition: 'enterprise' }),
    () => t.http.get('/__admin/limits'),
    () => t.http.delete('/__admin/limits'),
    () => t.http.get('/__admin/health'),
    () => t.http.post('/__admin/reset').send({ orgid: '700000101' }),
    () => t.http.post('/__admin/reset'),
  ];
}

describe('every write operation is saved, by the engine', () => {
  let t: TestApp;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const writes = new Set<string>();
  const reads = new Set<string>();
  beforeAll(async () => {
    receiver = await startReceiver();
    t = await createTestApp({ webhook: { timeoutMs: 2000, retries: 0, backoffMs: 1, allowHosts: undefined } });
    t.events.on('request:end', (e) => {
      if (e.operationId && e.status < 400) (e.readOnly ? reads : writes).add(e.operationId);
    });
  });
  afterAll(() => receiver.close());

  it('after each 2xx of the conversation, the store saved what it holds; reads changed nothing', async () => {
    const adminId = () => licensedOrg(t.store).users.find((u) => u.role === 'admin')!.id;
    for (const [index, step] of conversation(t, receiver.base, adminId).entries()) {
      const before = held(t);
      const res = await step();
      const routed = t.responses.at(-1)!.result;
      expect(res.status, `step ${index} (${routed.operationId}): ${res.text}`).toBeLessThan(400);
      if (routed.trace?.readOnly) expect(held(t), `${routed.operationId} is read-only`).toBe(before);
      expect(await unsaved(t), `step ${index} (${routed.operationId}): changes not saved`).toEqual([]);
    }
  });

  it('the conversation ran every operation of the four documents', async () => {
    const documented = (
      await Promise.all((['phonebridge.yaml', 'phonebridge-v3.yaml', 'accounts.yaml', 'admin.yaml'] as const).map(initialisedBackend))
    ).flatMap((b) => b.router.getOperations().map((op) => op.operationId!));
    // streamEvents never ends, so it has no place in a conversation of requests: test/control-plane-process.test.ts reads it.
    expect([...writes, ...reads].sort()).toEqual(documented.filter((id) => id !== 'streamEvents').sort());
  });
});

describe('the check above can fail', () => {
  it('a store that drops the save after one write operation leaves a difference it reports', async () => {
    const t = await createTestApp();
    const changed = t.store.changed.bind(t.store);
    const store = t.store as { changed: () => Promise<void> };
    store.changed = () => Promise.resolve(); // as if the engine had not marked this operation
    try {
      await t.http.post(`${BASE}/integrate`).set(admin).expect(200);
      expect(await unsaved(t)).toContain('/tenants/default/orgs/700000101/integration');
    } finally {
      store.changed = changed;
    }
    await t.store.changed();
    expect(await unsaved(t)).toEqual([]);
  });
});
