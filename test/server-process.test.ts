import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PERSONAS, TOKENS } from '../fixtures/personas.js';
import { MAIN, runNode, startServer, type RunningServer } from './process.js';

const admin = { Authorization: `Zoho-oauthtoken ${TOKENS.admin}` };
const api = (server: RunningServer, p: string, init?: RequestInit) => fetch(`${server.base}/crm/v2/phonebridge${p}`, init);
const postForm = (fields: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: { ...admin, 'Content-Type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

let running: RunningServer[] = [];
afterEach(() => {
  for (const server of running) server.child.kill('SIGKILL');
  running = [];
});
async function start(env: Record<string, string>) {
  const server = await startServer(env);
  running.push(server);
  return server;
}
async function stop(server: RunningServer) {
  server.child.kill('SIGTERM');
  return server.exited;
}

describe('the compiled server on a real port with a real JSON file', () => {
  it('prints its URL, the personas and the database path, and answers', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pbm-proc-'));
    const db = path.join(dir, 'phonebridge.json');
    const server = await start({ PHONEBRIDGE_DB: db });
    for (const { token } of PERSONAS) {
      expect(server.output()).toContain(token);
    }
    expect(server.output()).toContain(db);
    const res = await api(server, '/integrate', { method: 'POST', headers: admin });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json;charset=utf-8');
  });

  it('SIGTERM saves every change and exits 0; a restart keeps the data', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pbm-proc-'));
    const db = path.join(dir, 'phonebridge.json');
    // A long flush delay: only the shutdown flush can have saved the call.
    const first = await start({ PHONEBRIDGE_DB: db, PHONEBRIDGE_FLUSH_MS: '60000' });
    expect((await api(first, '/integrate', { method: 'POST', headers: admin })).status).toBe(200);
    const hungup = {
      callrefid: 'persist-1',
      fromnumber: '+18885554567',
      tonumber: '100',
      callstarttime: '2026-11-26 10:00:00',
      duration: '5',
      direction: 'inbound',
    };
    expect((await api(first, '/callhungup', postForm(hungup))).status).toBe(200);
    expect(await stop(first)).toBe(0);

    const saved = JSON.parse(await readFile(db, 'utf8'));
    expect(saved.tenants.default.orgs['700000101'].calls['persist-1'].state).toBe('ended');

    const second = await start({ PHONEBRIDGE_DB: db });
    const again = await api(second, '/integrate', { method: 'POST', headers: admin });
    expect(again.status).toBe(403);
    expect((await again.json()).code).toBe('PBX_ALREADY_ENABLED');
  });

  it('POST /__admin/reset rewrites both files; a restart finds the fresh state', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pbm-proc-'));
    const db = path.join(dir, 'phonebridge.json');
    const first = await start({ PHONEBRIDGE_DB: db, PHONEBRIDGE_FLUSH_MS: '60000' });
    expect((await api(first, '/integrate', { method: 'POST', headers: admin })).status).toBe(200);
    const reset = await fetch(`${first.base}/__admin/reset`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ seed: 9 }),
    });
    expect(await reset.json()).toEqual({ status: 'success', seed: 9 });
    // Saved at once, although the flush delay is a minute.
    expect(JSON.parse(await readFile(db, 'utf8')).tenants.default.seed).toBe(9);
    first.child.kill('SIGKILL');
    await first.exited;
    const second = await start({ PHONEBRIDGE_DB: db });
    expect((await api(second, '/integrate', { method: 'POST', headers: admin })).status).toBe(200);
  });

  it('refuses to start on a corrupt database file, and leaves it as it was', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pbm-proc-'));
    const db = path.join(dir, 'phonebridge.json');
    await writeFile(db, '{"schemaVersion": 1, "orgs": ');
    const { code, stderr } = await runNode(MAIN, [], { PORT: '0', PHONEBRIDGE_DB: db });
    expect(code).toBe(1);
    expect(stderr).toMatch(/not valid JSON/);
    expect(await readFile(db, 'utf8')).toBe('{"schemaVersion": 1, "orgs": ');
  });

  it('refuses a bad PORT with a clear message', async () => {
    const { code, stderr } = await runNode(MAIN, [], { PORT: 'eighty', PHONEBRIDGE_DB: ':memory:' });
    expect(code).toBe(1);
    expect(stderr).toMatch(/PORT must be an integer/);
  });
});
