/**
 * serverFor: the server `npm start` and startMock listen on, whose requests and responses are born with
 * the app's prototypes (so Express's per-request Object.setPrototypeOf changes nothing). The rest of the
 * suites mostly go through supertest's plain server: here the same requests go through this one.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverFor } from '../server/http/app.js';
import { auth, BASE, createTestApp, TOKENS, type TestApp } from './helpers.js';

let t: TestApp;
let server: Server;
let base: string;
const born: boolean[] = [];

beforeAll(async () => {
  t = await createTestApp();
  server = serverFor(t.app);
  // Ahead of the app: the objects as Node made them, before Express has touched them.
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) =>
    born.push(Object.getPrototypeOf(req) === t.app.request && Object.getPrototypeOf(res) === t.app.response),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('serverFor', () => {
  it('hands the app requests and responses that already have its prototypes, and answers as the app does', async () => {
    born.length = 0;
    const integrate = await fetch(`${base}${BASE}/integrate`, { method: 'POST', headers: auth(TOKENS.admin) });
    expect(integrate.status).toBe(200);
    // The same keep-alive connection, a form body, a HEAD, a path no document has.
    const received = await fetch(`${base}${BASE}/callreceived`, {
      method: 'POST',
      headers: { ...auth(TOKENS.admin), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'callrefid=served-1&fromnumber=0018885554567&tonumber=100',
    });
    expect(received.status).toBe(200);
    expect(((await received.json()) as { data: { Name: string }[] }).data[0]?.Name).toBeTruthy();
    const head = await fetch(`${base}/openapi.json`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const missing = await fetch(`${base}/no/such/path`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ status: 'error' });
    expect(born).toEqual([true, true, true, true]);
  });
});
