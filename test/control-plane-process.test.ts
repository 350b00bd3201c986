/**
 * Tenants and live events on real ports and real files: the compiled mock,
 * restarted on the same database; the event stream read as a browser's
 * EventSource would read it.
 */
import { mkdtemp } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TOKENS } from '../fixtures/personas.js';
import { auth, BASE, createTestApp, type TestApp } from './helpers.js';
import { startServer, type RunningServer } from './process.js';

const CALL = { callrefid: 'call-1', fromnumber: '0018885554567', tonumber: '100' };
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

interface Stream {
  events: (EventSourceMessage & { receivedAt: number })[];
  close(): void;
}

/** Opens /__admin/events and collects its events as they arrive. */
async function openStream(base: string, headers: Record<string, string> = {}, query = ''): Promise<Stream> {
  const controller = new AbortController();
  const res = await fetch(`${base}/__admin/events${query}`, { headers, signal: controller.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const events: Stream['events'] = [];
  const parser = createParser({ onEvent: (event) => events.push({ ...event, receivedAt: performance.now() }) });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        parser.feed(value);
      }
    } catch {
      // aborted
    }
  })();
  return { events, close: () => controller.abort() };
}

describe('GET /__admin/events', () => {
  let server: Server | undefined;
  let t: TestApp;
  afterEach(() => server?.close());

  async function listen(): Promise<string> {
    t = await createTestApp();
    server = t.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server!.once('listening', resolve));
    const address = server.address() as { port: number };
    return `http://127.0.0.1:${address.port}`;
  }

  const post = (base: string, op: string, fields: Record<string, string>) =>
    fetch(`${base}${BASE}/${op}`, {
      method: 'POST',
      headers: { ...auth(TOKENS.admin), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form(fields),
    });

  it('delivers the journal entry and the call within 100 ms of a call event; resumes after Last-Event-ID', async () => {
    const base = await listen();
    await fetch(`${base}${BASE}/integrate`, { method: 'POST', headers: auth(TOKENS.admin) });
    // A first call event, so what is timed below is the stream, not compiling the operation's validator.
    await post(base, 'callreceived', { ...CALL, callrefid: 'warm-up' });
    const stream = await openStream(base, {}, '');
    const sent = performance.now();
    await post(base, 'callreceived', CALL);
    await vi.waitFor(() => expect(stream.events.map((e) => e.event)).toEqual(['request', 'call']), { timeout: 2000, interval: 5 });
    const call = stream.events[1]!;
    expect(call.receivedAt - sent, 'ms from sending the call event to its live event').toBeLessThan(100);
    expect(JSON.parse(call.data)).toMatchObject({ callrefid: 'call-1', state: 'ringing' });
    expect(JSON.parse(stream.events[0]!.data)).toMatchObject({ operationId: 'callReceived', callrefid: 'call-1' });
    stream.close();

    // Missed while disconnected: the answer's request and call events.
    await post(base, 'callanswered', CALL);
    const resumed = await openStream(base, { 'Last-Event-ID': call.id! });
    await vi.waitFor(() => expect(resumed.events).toHaveLength(2), { timeout: 2000 });
    expect(resumed.events.map((e) => [e.event, Number(e.id)])).toEqual([
      ['request', Number(call.id) + 1],
      ['call', Number(call.id) + 2],
    ]);
    expect(JSON.parse(resumed.events[1]!.data)).toMatchObject({ state: 'answered' });
    resumed.close();
  });

  it("streams one tenant's events only", async () => {
    const base = await listen();
    const tenant = (await (await fetch(`${base}/__admin/tenants`, { method: 'POST' })).json()) as { id: string; tokens: { admin: string } };
    const mine = await openStream(base, {}, `?tenant=${tenant.id}`);
    const theirs = await openStream(base);
    await fetch(`${base}${BASE}/integrate`, { method: 'POST', headers: auth(tenant.tokens.admin) });
    await vi.waitFor(() => expect(mine.events).toHaveLength(1), { timeout: 2000 });
    expect(theirs.events).toEqual([]);
    mine.close();
    theirs.close();
  });

  it('forgets clients that disconnect: 400 streams opened and closed leave none behind', async () => {
    const base = await listen();
    // Streams of the tests before (the app is shared within the file) may still be closing.
    await vi.waitFor(() => expect(t.live.listeners('default')).toBe(0), { timeout: 2000 });
    for (let round = 0; round < 4; round++) {
      const streams = await Promise.all(Array.from({ length: 100 }, () => openStream(base)));
      expect(t.live.listeners('default')).toBe(100);
      for (const stream of streams) stream.close();
      await vi.waitFor(() => expect(t.live.listeners('default')).toBe(0), { timeout: 2000 });
    }
  });
});

describe('tenants on a real port and file', () => {
  let running: RunningServer | undefined;
  afterEach(async () => {
    running?.child.kill('SIGTERM');
    await running?.exited;
    running = undefined;
  });

  const call = (base: string, token: string, op: string, fields: Record<string, string> = {}) =>
    fetch(`${base}${BASE}/${op}`, { method: 'POST', headers: { ...auth(token), 'Content-Type': 'application/x-www-form-urlencoded' }, body: form(fields) });

  it('two tenants with call-1 each keep their own; both survive a restart; the default tenant is unchanged', async () => {
    const db = path.join(await mkdtemp(path.join(tmpdir(), 'pbm-tenants-')), 'phonebridge.json');
    running = await startServer({ PHONEBRIDGE_DB: db });
    const base = running.base;
    const create = async (label: string) =>
      (await (
        await fetch(`${base}/__admin/tenants`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ label }) })
      ).json()) as {
        id: string;
        tokens: { admin: string };
      };
    const [a, b] = await Promise.all([create('a'), create('b')]);
    for (const [tenant, number] of [
      [a, '0018885554567'],
      [b, '+999 1'],
    ] as const) {
      expect((await call(base, tenant.tokens.admin, 'integrate')).status).toBe(200);
      expect((await call(base, tenant.tokens.admin, 'callreceived', { ...CALL, fromnumber: number })).status).toBe(200);
    }
    running.child.kill('SIGTERM');
    await running.exited;

    running = await startServer({ PHONEBRIDGE_DB: db });
    const again = running.base;
    const callOf = async (tenant: { id: string }) =>
      (await (await fetch(`${again}/__admin/calls/call-1?tenant=${tenant.id}`)).json()) as { fromnumber: string; record: unknown };
    expect((await callOf(a)).fromnumber).toBe('0018885554567');
    expect((await callOf(b)).fromnumber).toBe('+999 1');
    expect((await callOf(b)).record).toBeNull();
    // Their tokens still work after the restart, and the integration each enabled is still there (403 PBX_ALREADY_ENABLED).
    expect((await call(again, a.tokens.admin, 'integrate')).status).toBe(403);
    // The default tenant: its well-known token works, and nothing of a or b is in it.
    expect((await call(again, TOKENS.admin, 'integrate')).status).toBe(200);
    expect(await (await fetch(`${again}/__admin/calls`)).json()).toEqual({ calls: [] });
  });

  it('a tenant unused for PHONEBRIDGE_TENANT_TTL seconds is gone a few seconds later, its tokens with it', async () => {
    const db = path.join(await mkdtemp(path.join(tmpdir(), 'pbm-tenants-')), 'phonebridge.json');
    running = await startServer({ PHONEBRIDGE_DB: db, PHONEBRIDGE_TENANT_TTL: '1' });
    const base = running.base;
    const tenant = (await (await fetch(`${base}/__admin/tenants`, { method: 'POST' })).json()) as { id: string; tokens: { admin: string } };
    expect((await fetch(`${base}/__admin/tenants/${tenant.id}`)).status).toBe(200);
    await vi.waitFor(
      async () => expect((await fetch(`${base}/__admin/tenants`).then((r) => r.json())) as unknown).toMatchObject({ tenants: [{ id: 'default' }] }),
      {
        timeout: 5000,
        interval: 200,
      },
    );
    expect((await call(base, tenant.tokens.admin, 'integrate')).status).toBe(401);
    expect((await call(base, TOKENS.admin, 'integrate')).status).toBe(200);
  });
});
