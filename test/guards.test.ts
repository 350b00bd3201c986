/**
 * The control plane's guards: the admin token, no cross-site changes, a base
 * URL that does not come from an untrusted Host header, an outbound address
 * guard that opens no connection to forbidden addresses (the mock itself
 * included), and a delivery rate per tenant. In process, on real ports where
 * an address matters, and the compiled server for the start-up banner.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TOKENS } from '../fixtures/personas.js';
import { revokeFailed } from '../server/accounts/api.js';
import { settableClock } from '../server/clock.js';
import { loadDocument } from '../server/openapi/documents.js';
import { createAddressGuard } from '../server/outbound/address-guard.js';
import { deliver } from '../server/outbound/deliver.js';
import { DeliveryRate } from '../server/outbound/rate.js';
import type { Delivery, Org, Tenant } from '../server/store/schema.js';
import { auth, BASE, createTestApp, licensedOrg, type TestApp, type TestConfig } from './helpers.js';
import { MAIN, runNode, startServer, type RunningServer } from './process.js';
import { startReceiver } from './receiver.js';
import { skipReason } from './skip-reason.js';

const ADMIN_TOKEN = 'guards-test-admin-token-4f0c1e2d3c4b5a69';
const bearer = (token = ADMIN_TOKEN) => ({ Authorization: `Bearer ${token}` });
const admin = auth(TOKENS.admin);

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * A server on a real port, closed after the test, counting the connections it accepts: a handler of
 * its own on `host`, or one already started (the mock's app.listen) once it listens.
 */
async function listen(handler: http.RequestListener | http.Server, host = '127.0.0.1') {
  const server = handler instanceof http.Server ? handler : http.createServer(handler);
  let connections = 0;
  server.on('connection', () => connections++);
  if (server === handler) {
    if (!server.listening) await new Promise((resolve) => server.once('listening', resolve));
  } else {
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
  }
  cleanups.push(() => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))));
  const { port } = server.address() as AddressInfo;
  return { port, connections: () => connections };
}

/** A fresh app (or the file's app of the same configuration, reset), its licensed org integrated. */
async function integrated(config: TestConfig = {}) {
  const t = await createTestApp(config);
  await t.http.post(`${BASE}/integrate`).set(admin).expect(200);
  return t;
}

const adminUser = (t: TestApp) => licensedOrg(t.store).users.find((u) => u.role === 'admin')!;

async function registerClickToCall(t: TestApp, url: string) {
  await t.http.post(`${BASE}/clicktocallandcallcontrol`).set(admin).type('form').send({ clicktocallurl: url }).expect(200);
}

const clickToCall = (t: TestApp, headers: Record<string, string> = {}) =>
  t.http
    .post('/__admin/click-to-call')
    .set(headers)
    .send({ userid: adminUser(t).id, tonumber: '100' });

/** Every operation of openapi/admin.yaml, with a path that routes to it. */
function adminOperations() {
  const document = loadDocument('admin.yaml').document as { paths: Record<string, Record<string, { operationId: string }>> };
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({
      operationId: operation.operationId,
      method,
      path: path.replace('{id}', path.startsWith('/__admin/tenants') ? 'default' : '1').replace('{callrefid}', 'call-1'),
    })),
  );
}

describe('PHONEBRIDGE_ADMIN_TOKEN', () => {
  const config = { adminToken: ADMIN_TOKEN };

  it('every admin operation but GET /__admin/health answers 401 ADMIN_TOKEN_REQUIRED without the token', async () => {
    const t = await createTestApp(config);
    const operations = adminOperations();
    expect(operations.length).toBeGreaterThan(20);
    for (const { operationId, method, path } of operations) {
      const res = await t.http[method as 'get'](path);
      if (operationId === 'health') {
        expect(res.status, path).toBe(200);
        continue;
      }
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.body, `${method} ${path}`).toEqual({ code: 'ADMIN_TOKEN_REQUIRED', details: {}, message: expect.stringContaining('Bearer'), status: 'error' });
    }
  });

  it('with the token the requests pass; a wrong token, another scheme or a prefix of it does not', async () => {
    const t = await createTestApp(config);
    await t.http.get('/__admin/outbox').set(bearer()).expect(200);
    await t.http
      .get('/__admin/tenants')
      .set({ Authorization: `bearer  ${ADMIN_TOKEN}` })
      .expect(200);
    for (const authorization of [`Bearer ${ADMIN_TOKEN.slice(0, -1)}`, `Bearer ${ADMIN_TOKEN}x`, `Zoho-oauthtoken ${ADMIN_TOKEN}`, ADMIN_TOKEN, 'Bearer ']) {
      await t.http.get('/__admin/outbox').set({ Authorization: authorization }).expect(401);
    }
  });

  it('a refused reset changes nothing; Prefer cannot stand in for the token; the event stream is closed too', async () => {
    const t = await integrated(config);
    await t.http.post('/__admin/reset').expect(401);
    expect(licensedOrg(t.store).integration).not.toBeNull();
    await t.http.get('/__admin/outbox').set('Prefer', 'code=200').expect(401);
    await t.http.get('/__admin/events').expect(401);
    await t.http.post('/__admin/reset').set(bearer()).expect(200);
    expect(licensedOrg(t.store).integration).toBeNull();
  });

  it('without a token configured the control plane stays open (loopback)', async () => {
    const t = await createTestApp();
    await t.http.get('/__admin/outbox').expect(200);
    await t.http.post('/__admin/reset').expect(200);
  });

  it("revoking a persona token needs the admin token (else Zoho's failed revoke); tokens minted by OAuth revoke as before", async () => {
    const t = await integrated(config);
    const revoke = (token: string, headers: Record<string, string> = {}) => t.http.post('/oauth/v2/token/revoke').set(headers).query({ token });

    const refused = await revoke(TOKENS.user).expect(400);
    expect(refused.body).toEqual(revokeFailed().body);
    await t.http.get(`${BASE}/users`).set(auth(TOKENS.user)).expect(200);
    // A tenant's own persona tokens too, and in a form body.
    const tenant = (await t.http.post('/__admin/tenants').set(bearer()).send({}).expect(201)).body as { tokens: Record<string, string> };
    await t.http.post('/oauth/v2/token/revoke').type('form').send({ token: tenant.tokens.admin }).expect(400);
    expect(t.tenants.byToken(tenant.tokens.admin!)).toBeDefined();

    await revoke(TOKENS.user, bearer()).expect(200);
    await t.http.get(`${BASE}/users`).set(auth(TOKENS.user)).expect(401);

    // A token minted through OAuth (auto-consent) is the vendor's own: revoked without the admin token.
    const [client] = Object.values(t.world.clients);
    const consent = await t.http
      .get('/oauth/v2/auth')
      .query({
        response_type: 'code',
        client_id: client!.clientId,
        scope: 'ZohoCRM.crmphonebridge.ALL',
        redirect_uri: client!.redirectUris[0],
        access_type: 'offline',
      })
      .expect(302);
    const code = new URL(consent.headers.location!).searchParams.get('code')!;
    const minted = await t.http
      .post('/oauth/v2/token')
      .type('form')
      .send({ grant_type: 'authorization_code', code, client_id: client!.clientId, client_secret: client!.clientSecret, redirect_uri: client!.redirectUris[0] })
      .expect(200);
    await revoke(minted.body.refresh_token as string).expect(200);
  });

  it('without an admin token a persona token is revoked as before', async () => {
    const t = await integrated();
    await t.http.post('/oauth/v2/token/revoke').query({ token: TOKENS.user }).expect(200);
    await t.http.get(`${BASE}/users`).set(auth(TOKENS.user)).expect(401);
  });

  it("the vendor's echoed body is shown only with the admin token", async () => {
    const SECRET = 'vendor-echo-7c1d9e';
    const receiver = await startReceiver(() => ({ status: 200, body: `ok ${SECRET}` }));
    cleanups.push(receiver.close);
    const t = await integrated(config);
    await registerClickToCall(t, `${receiver.base}/c2c`);
    const sent = await clickToCall(t, bearer()).expect(200);
    expect(sent.body.response.body).toContain(SECRET);

    for (const path of ['/__admin/outbox', '/__admin/calls', '/__admin/requests', '/__admin/events']) {
      const res = await t.http.get(path).expect(401);
      expect(res.text, path).not.toContain(SECRET);
    }
    // What a PhoneBridge client can read carries no delivery.
    const calls = await t.http.get(`${BASE}/users`).set(admin).expect(200);
    expect(calls.text).not.toContain(SECRET);
    expect((await t.http.get('/__admin/outbox').set(bearer()).expect(200)).text).toContain(SECRET);
  });
});

describe('cross-site requests to the control plane', () => {
  it.each([
    ['a form from another site', { Origin: 'https://evil.example' }, 'form'],
    ['text/plain from another site', { Origin: 'https://evil.example' }, 'text'],
    ['JSON from another site', { Origin: 'https://evil.example' }, 'json'],
    ['a page of the same host on another port', { Origin: 'http://127.0.0.1:1' }, 'form'],
    ['a sandboxed page (Origin: null)', { Origin: 'null' }, 'form'],
    ['Sec-Fetch-Site: cross-site without Origin', { 'Sec-Fetch-Site': 'cross-site' }, 'form'],
  ] as const)('refuses %s with 403 CROSS_SITE_REQUEST and resets nothing', async (_title, headers, type) => {
    const t = await integrated();
    const request = t.http.post('/__admin/reset').set(headers);
    const res = await (type === 'text' ? request.set('Content-Type', 'text/plain').send('seed=7') : request.type(type).send({ seed: 7 })).expect(403);
    expect(res.body).toMatchObject({ code: 'CROSS_SITE_REQUEST', details: {}, status: 'error' });
    expect(licensedOrg(t.store).integration).not.toBeNull();
  });

  it('the admin token does not make a cross-site request pass', async () => {
    const t = await integrated({ adminToken: ADMIN_TOKEN });
    await t.http
      .delete('/__admin/outbox')
      .set({ ...bearer(), Origin: 'https://evil.example' })
      .expect(403);
  });

  it('requests without Origin (curl) and same-origin pages change things; cross-site reads pass', async () => {
    const t = await integrated();
    const { port } = await listen(t.app.listen(0, '127.0.0.1'));
    const own = `http://127.0.0.1:${port}`;
    const reset = (headers: Record<string, string>) => fetch(`${own}/__admin/reset`, { method: 'POST', headers });
    expect((await reset({ Origin: 'https://evil.example' })).status).toBe(403);
    expect(licensedOrg(t.store).integration).not.toBeNull();
    expect((await reset({ Origin: own, 'Sec-Fetch-Site': 'same-origin' })).status).toBe(200);
    expect(licensedOrg(t.store).integration).toBeNull();
    expect((await reset({})).status).toBe(200);
    expect((await fetch(`${own}/__admin/outbox`, { headers: { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' } })).status).toBe(200);
  });

  it('a DNS-rebinding page (Host and Origin naming another host that points at the mock) is refused', async () => {
    const t = await integrated();
    const { port } = await listen(t.app.listen(0, '127.0.0.1'));
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/__admin/reset',
        headers: { Host: `evil.example:${port}`, Origin: `http://evil.example:${port}` },
      });
      req.on('response', (res) => (res.resume(), resolve(res.statusCode!)));
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
    expect(licensedOrg(t.store).integration).not.toBeNull();
  });

  /** GET path on the mock's port with this Host header (fetch cannot set one): status and body. */
  const getWithHost = (port: number, path: string, host: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path, headers: { Host: host, ...headers } });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      req.end();
    });

  it('open (no token): a read for a foreign Host (DNS rebinding: no Origin on a same-origin GET) is refused; loopback names answer', async () => {
    const t = await integrated();
    const { port } = await listen(t.app.listen(0, '127.0.0.1'));
    const rebound = await getWithHost(port, '/__admin/outbox', `evil.example:${port}`);
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body)).toMatchObject({ code: 'CROSS_SITE_REQUEST', status: 'error' });
    expect(rebound.body).not.toContain('deliveries');
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) expect((await getWithHost(port, '/__admin/outbox', host)).status, host).toBe(200);
    // The health check stays open; the PhoneBridge API is not the control plane.
    expect((await getWithHost(port, '/__admin/health', `evil.example:${port}`)).status).toBe(200);
  });

  it('with a token, the Host does not matter: the token decides', async () => {
    const t = await integrated({ adminToken: ADMIN_TOKEN });
    const { port } = await listen(t.app.listen(0, '127.0.0.1'));
    expect((await getWithHost(port, '/__admin/outbox', `qa-box.lan:${port}`)).status).toBe(401);
    expect((await getWithHost(port, '/__admin/outbox', `qa-box.lan:${port}`, { Authorization: `Bearer ${ADMIN_TOKEN}` })).status).toBe(200);
  });
});

describe('the base URL handed out (the Host header is not trusted)', () => {
  it('an untrusted Host is replaced by the address the request came in on', async () => {
    const t = await createTestApp();
    const info = await t.http.get('/oauth/serverinfo').set('Host', 'evil.example').expect(200);
    expect(info.body.locations.us).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const [client] = Object.values(t.world.clients);
    const consent = await t.http
      .get('/oauth/v2/auth')
      .set('Host', 'evil.example:4010')
      .query({ response_type: 'code', client_id: client!.clientId, scope: 'ZohoCRM.crmphonebridge.ALL', redirect_uri: client!.redirectUris[0] })
      .expect(302);
    expect(new URL(consent.headers.location!).searchParams.get('accounts-server')).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it.each([
    ['a loopback name on another port (a port mapping)', {}, 'localhost:9999', 'http://localhost:9999'],
    ['a loopback address', {}, '127.0.0.2:4010', 'http://127.0.0.2:4010'],
    ['PHONEBRIDGE_PUBLIC_URL, whatever the Host', { publicUrl: 'https://mock.example.com' }, 'evil.example', 'https://mock.example.com'],
  ])('%s is used as given', async (_title, config, host, expected) => {
    const t = await createTestApp(config);
    expect((await t.http.get('/oauth/serverinfo').set('Host', host).expect(200)).body.locations.us).toBe(expected);
  });
});

describe('the outbound address guard', () => {
  /** The mock listening on a real port (every local address: 127.x, ::1 and 0.0.0.0 reach it), told where it listens. */
  async function selfListening(t: TestApp) {
    const own = await listen(t.app.listen(0, '::'), '::');
    t.setListening({ host: '::', port: own.port });
    return own;
  }

  /** Counts what deliver() could connect with: its only way out is http.request / https.request with a URL. */
  function spyOnConnections() {
    const spies = [vi.spyOn(http, 'request'), vi.spyOn(https, 'request')];
    const lookups = vi.spyOn(dns.promises, 'lookup');
    return {
      requests: () => spies.flatMap((spy) => spy.mock.calls).filter(([first]) => first instanceof URL).length,
      lookups: () => lookups.mock.calls.length,
    };
  }

  const FORBIDDEN: [string, (own: number) => string][] = [
    ['link-local metadata (169.254.169.254)', () => 'http://169.254.169.254/latest/meta-data/'],
    ['IPv6 link-local', () => 'http://[fe80::1]/zoho'],
    ['metadata.google.internal', () => 'http://metadata.google.internal/computeMetadata/v1/'],
    ['metadata (short name)', () => 'http://metadata/computeMetadata/v1/'],
    ['instance-data', () => 'http://instance-data/latest/meta-data/'],
    ['AWS IPv6 metadata', () => 'http://[fd00:ec2::254]/latest/'],
    ['0.0.0.0', (own) => `http://0.0.0.0:${own}/zoho`],
    ['0 (0.0.0.0 shorthand)', () => 'http://0/zoho'],
    ['::', (own) => `http://[::]:${own}/zoho`],
    ['IPv4 multicast', () => 'http://224.0.0.1/zoho'],
    ['IPv6 multicast', () => 'http://[ff02::1]/zoho'],
    ['broadcast', () => 'http://255.255.255.255/zoho'],
    ['link-local mapped into IPv6', () => 'http://[::ffff:169.254.169.254]/zoho'],
    ['link-local through NAT64', () => 'http://[64:ff9b::a9fe:a9fe]/zoho'],
    ['itself: 127.0.0.1', (own) => `http://127.0.0.1:${own}/zoho`],
    ['itself: 127.1', (own) => `http://127.1:${own}/zoho`],
    ['itself: decimal 2130706433', (own) => `http://2130706433:${own}/zoho`],
    ['itself: hex 0x7f000001', (own) => `http://0x7f000001:${own}/zoho`],
    ['itself: octal 0177.0.0.1', (own) => `http://0177.0.0.1:${own}/zoho`],
    ['itself: another loopback address', (own) => `http://127.0.0.2:${own}/zoho`],
    ['itself: [::1]', (own) => `http://[::1]:${own}/zoho`],
    ['itself: [::ffff:127.0.0.1]', (own) => `http://[::ffff:127.0.0.1]:${own}/zoho`],
    ['itself: localhost', (own) => `http://localhost:${own}/zoho`],
    ['itself: LOCALHOST. (upper case, root dot)', (own) => `http://LOCALHOST.:${own}/zoho`],
  ];

  it.each(FORBIDDEN)('%s is refused: 403 WEBHOOK_ADDRESS_FORBIDDEN, a refusal in the outbox, no connection attempted', async (_title, url) => {
    const t = await integrated();
    const own = await selfListening(t);
    const target = url(own.port);
    await registerClickToCall(t, target);
    const spy = spyOnConnections();

    const res = await clickToCall(t).expect(403);
    expect(res.body).toMatchObject({ code: 'WEBHOOK_ADDRESS_FORBIDDEN', details: { url: target }, status: 'error' });
    expect(spy.requests(), 'requests opened by the delivery').toBe(0);
    expect(spy.lookups(), 'names resolved').toBe(0);
    expect(own.connections(), "connections to the mock's own port").toBe(0);
    const [refusal] = (await t.http.get('/__admin/outbox').expect(200)).body.deliveries as Delivery[];
    expect(refusal).toMatchObject({ url: target, delivered: false, attempts: 0, response: null, error: expect.stringMatching(/^not sent: /) });
  });

  it("the self-loop: the mock's own /__admin/click-to-call as clicktocallurl is refused", async () => {
    const t = await integrated();
    const own = await selfListening(t);
    await registerClickToCall(t, `http://127.0.0.1:${own.port}/__admin/click-to-call`);
    const res = await clickToCall(t).expect(403);
    expect(res.body.message).toMatch(/the mock itself/);
    expect(own.connections()).toBe(0);
  });

  it('loopback on another port is still delivered, through a connection of the delivery', async () => {
    const receiver = await startReceiver();
    cleanups.push(receiver.close);
    const t = await integrated();
    await selfListening(t);
    await registerClickToCall(t, `${receiver.base.replace('127.0.0.1', 'localhost')}/c2c`);
    const spy = spyOnConnections();
    expect((await clickToCall(t).expect(200)).body).toMatchObject({ delivered: true });
    expect(receiver.received).toHaveLength(1);
    expect(spy.requests()).toBe(1);
  });

  // An address of this machine beyond loopback (private, RFC 1918 or unique local, on most), where a vendor's PBX may run.
  const privateAddress = Object.values(os.networkInterfaces())
    .flat()
    .find((i) => i && !i.internal && !i.address.startsWith('fe80') && !i.address.startsWith('169.254'))?.address;

  const noAddress = skipReason(privateAddress ? undefined : 'this machine has no address beyond loopback', 'test/guards.test.ts');
  it.skipIf(noAddress)(
    privateAddress
      ? `this machine's own non-loopback address (${privateAddress}) is still delivered`
      : "this machine's own non-loopback address is still delivered (skipped: this machine has none beyond loopback)",
    async () => {
      let received = 0;
      const pbx = await listen((_req, res) => (received++, res.end('ok')), privateAddress);
      const t = await integrated();
      await selfListening(t);
      const host = privateAddress!.includes(':') ? `[${privateAddress}]` : privateAddress!;
      await registerClickToCall(t, `http://${host}:${pbx.port}/c2c`);
      expect((await clickToCall(t).expect(200)).body).toMatchObject({ delivered: true });
      expect(received).toBe(1);
    },
  );

  it('PHONEBRIDGE_WEBHOOK_ALLOW naming a host lets it through, the mock itself included', async () => {
    const t = await integrated({ webhook: { allowHosts: ['localhost'] } });
    const own = await selfListening(t);
    await registerClickToCall(t, `http://localhost:${own.port}/not-a-mock-path`);
    // Sent: the mock answers its own request 404.
    expect((await clickToCall(t).expect(200)).body).toMatchObject({ delivered: false, attempts: 1, error: 'HTTP 404' });
    expect(own.connections()).toBe(1);
  });

  it('names are resolved and every address checked; a second answer at connect time (DNS rebinding) is refused too', async () => {
    const receiver = await startReceiver();
    cleanups.push(receiver.close);
    const port = new URL(receiver.base).port;
    const answers: string[][] = [];
    const guard = createAddressGuard({
      allowHosts: undefined,
      listening: () => ({ host: '127.0.0.1', port: 4010 }),
      resolve: (_name) => Promise.resolve((answers.shift() ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))),
    });
    answers.push(['10.0.0.7', '169.254.169.254']);
    expect(await guard.check('http://pbx.test/zoho')).toEqual({
      allowed: false,
      reason: 'pbx.test resolves to 169.254.169.254, a link-local address (where cloud metadata services answer)',
    });
    answers.push(['::1']);
    expect(await guard.check('http://pbx.test:4010/zoho')).toMatchObject({ allowed: false, reason: expect.stringMatching(/the mock itself/) });

    // A name the system cannot resolve reaches the receiver: the connection used the guard's (checked) answer.
    const tenant = { nextDeliveryId: 1 } as Tenant;
    const org = { outbox: [] } as unknown as Org;
    const out = { kind: 'clicktocall' as const, orgId: '1', userId: '1', callrefid: null, url: `http://pbx.test:${port}/c2c`, fields: [], headers: {} };
    const options = { timeoutMs: 2000, retries: 2, backoffMs: 1, allowHosts: undefined };
    answers.push(['127.0.0.1'], ['127.0.0.1']);
    let verdict = await guard.check(out.url);
    expect(verdict.allowed).toBe(true);
    const delivered = await deliver({ db: tenant, org }, out, { ...options, lookup: verdict.allowed ? verdict.lookup : undefined }, settableClock());
    expect(delivered).toMatchObject({ delivered: true, attempts: 1 });
    expect(receiver.received).toHaveLength(1);

    // Rebinding: harmless to the check, link-local to the connection. Not sent, and not retried.
    answers.push(['127.0.0.1'], ['169.254.169.254']);
    verdict = await guard.check(out.url);
    const rebound = await deliver({ db: tenant, org }, out, { ...options, lookup: verdict.allowed ? verdict.lookup : undefined }, settableClock());
    expect(rebound).toMatchObject({
      delivered: false,
      attempts: 1,
      response: null,
      error: expect.stringMatching(/^WEBHOOK_ADDRESS_FORBIDDEN: .*169\.254\.169\.254/),
    });
    expect(receiver.received).toHaveLength(1);
  });

  it.each([
    'http://10.1.2.3/zoho',
    'http://172.16.0.9:8080/zoho',
    'http://192.168.1.20/zoho',
    'http://[fd12::1]/zoho',
    'http://127.0.0.1:9000/zoho',
    'https://[::1]:8443/',
  ])('%s (private or loopback on another port) passes the check', async (url) => {
    const guard = createAddressGuard({ allowHosts: undefined, listening: () => ({ host: '127.0.0.1', port: 4010 }) });
    expect(await guard.check(url)).toMatchObject({ allowed: true });
  });
});

describe('PHONEBRIDGE_WEBHOOK_RATE', () => {
  it('a burst of 50 triggers: 20 sent within the second, the other 30 answered 429 with Retry-After and not sent; a second later it sends again', async () => {
    const receiver = await startReceiver();
    cleanups.push(receiver.close);
    // Its own configuration: a window used up here must not leak into another test's app.
    const t = await integrated({ webhook: { rate: 20 } });
    await registerClickToCall(t, `${receiver.base}/c2c`);
    let now = 1_000_000;
    vi.spyOn(performance, 'now').mockImplementation(() => now);

    const answers = await Promise.all(Array.from({ length: 50 }, () => clickToCall(t)));
    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30);
    expect(receiver.received).toHaveLength(20);
    const limited = answers.find((res) => res.status === 429)!;
    expect(limited.body).toMatchObject({ code: 'WEBHOOK_RATE_LIMITED', details: { limit: '20' }, status: 'error' });
    expect(limited.headers['retry-after']).toBe('1');
    // Refused deliveries are not recorded: a storm does not fill the outbox.
    expect(licensedOrg(t.store).outbox).toHaveLength(20);

    now += 999;
    await clickToCall(t).expect(429);
    now += 1;
    await clickToCall(t).expect(200);
    expect(receiver.received).toHaveLength(21);
  });

  it('the window slides, per tenant', () => {
    let now = 0;
    const rate = new DeliveryRate(3, () => now);
    expect([1, 2, 3].map(() => rate.take('a').allowed)).toEqual([true, true, true]);
    expect(rate.take('a')).toEqual({ allowed: false, retryAfterMs: 1000 });
    expect(rate.take('b').allowed).toBe(true);
    now = 400;
    expect(rate.take('a')).toEqual({ allowed: false, retryAfterMs: 600 });
    now = 1000;
    expect([1, 2, 3, 4].map(() => rate.take('a').allowed)).toEqual([true, true, true, false]);
    rate.forget('b');
    expect([1, 2, 3, 4].map(() => rate.take('b').allowed)).toEqual([true, true, true, false]);
  });
});

describe('the start-up banner and the token of the compiled server', () => {
  const running: RunningServer[] = [];
  afterEach(() => {
    for (const server of running.splice(0)) server.child.kill('SIGKILL');
  });
  const start = async (env: Record<string, string>) => {
    const server = await startServer({ PHONEBRIDGE_DB: ':memory:', ...env });
    running.push(server);
    // The banner names the bound address (0.0.0.0); this machine reaches it on loopback.
    return { ...server, base: server.base.replace('0.0.0.0', '127.0.0.1') };
  };

  it('HOST=0.0.0.0 without a token: one is generated, printed and needed; health stays open; the CLI sends PHONEBRIDGE_ADMIN_TOKEN; the mock never calls itself', async () => {
    const server = await start({ HOST: '0.0.0.0' });
    const token = /admin token +(\S+) +\(generated/.exec(server.output())?.[1];
    expect(token, server.output()).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect((await fetch(`${server.base}/__admin/outbox`)).status).toBe(401);
    expect((await fetch(`${server.base}/__admin/outbox`, { headers: bearer(token) })).status).toBe(200);
    expect((await fetch(`${server.base}/__admin/health`)).status).toBe(200);
    expect((await runNode(MAIN, ['outbox', '--url', server.base])).code).toBe(1);
    expect((await runNode(MAIN, ['outbox', '--url', server.base], { PHONEBRIDGE_ADMIN_TOKEN: token! })).code).toBe(0);

    // main.ts told the mock its port: its own click-to-call is refused as a loop.
    const pb = (path: string, body?: Record<string, string>) =>
      fetch(`${server.base}${BASE}${path}`, { method: body ? 'POST' : 'GET', headers: admin, body: body && new URLSearchParams(body) });
    expect((await pb('/integrate', {})).status).toBe(200);
    expect((await pb('/clicktocallandcallcontrol', { clicktocallurl: `${server.base}/__admin/click-to-call` })).status).toBe(200);
    const userid = ((await (await pb('/users')).json()) as { users: { userid: string }[] }).users[0]!.userid;
    const loop = await fetch(`${server.base}/__admin/click-to-call`, {
      method: 'POST',
      headers: { ...bearer(token), 'Content-Type': 'application/json' },
      body: JSON.stringify({ userid, tonumber: '100' }),
    });
    expect(loop.status).toBe(403);
    expect(((await loop.json()) as { code: string }).code).toBe('WEBHOOK_ADDRESS_FORBIDDEN');
  });

  it('on loopback no token is generated and the control plane is open', async () => {
    const server = await start({});
    expect(server.output()).toMatch(/admin token +none/);
    expect(server.output()).not.toMatch(/generated/);
    expect((await fetch(`${server.base}/__admin/outbox`)).status).toBe(200);
  });

  it('PHONEBRIDGE_ADMIN_TOKEN is used as it is and not printed', async () => {
    const server = await start({ HOST: '0.0.0.0', PHONEBRIDGE_ADMIN_TOKEN: ADMIN_TOKEN });
    expect(server.output()).toMatch(/admin token +from PHONEBRIDGE_ADMIN_TOKEN/);
    expect(server.output()).not.toContain(ADMIN_TOKEN);
    expect((await fetch(`${server.base}/__admin/outbox`)).status).toBe(401);
    expect((await fetch(`${server.base}/__admin/outbox`, { headers: bearer() })).status).toBe(200);
  });
});
