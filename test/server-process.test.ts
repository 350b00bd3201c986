import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PERSONAS, TOKENS } from '../fixtures/personas.js';
import { MAIN, runNode, startServer, type RunningServer } from './process.js';
import { logName, replay } from '../server/store/call-log.js';
import type { CallSegment } from '../server/store/layout.js';

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

/** What the files hold of one org of the default tenant: its state and its call log (layout: server/store/layout.ts). */
async function savedOrg(db: string, orgId: string) {
  const read = async (name: string) => JSON.parse(await readFile(path.join(path.dirname(db), name), 'utf8')) as Record<string, Record<string, unknown>>;
  const tenant = (await read('phonebridge.tenant.default.json')) as unknown as { files: { orgs: Record<string, string>; segments: Record<string, string[]> } };
  const org = await read(tenant.files.orgs[orgId]!);
  const calls: Record<string, { state: string }> = {};
  const activities: Record<string, unknown> = {};
  for (const name of tenant.files.segments[orgId]!) {
    // A snapshot, and the calls changed since on the log it names (server/store/call-log.ts).
    const snapshot = (await read(name)) as unknown as CallSegment;
    const log = await readFile(path.join(path.dirname(db), logName(name, snapshot.log ?? 0)), 'utf8').catch(() => '');
    const { segment } = replay(snapshot, log, name);
    Object.assign(calls, segment.calls);
    Object.assign(activities, segment.activities);
  }
  return { ...org, calls, activities, integration: org.integration };
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
    // Relaxed durability and a long flush delay: only the shutdown flush can have saved the call.
    const first = await start({ PHONEBRIDGE_DB: db, PHONEBRIDGE_FLUSH_MS: '60000', PHONEBRIDGE_DURABILITY: 'relaxed' });
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

    expect((await savedOrg(db, '700000101')).calls['persist-1']?.state).toBe('ended');

    const second = await start({ PHONEBRIDGE_DB: db });
    const again = await api(second, '/integrate', { method: 'POST', headers: admin });
    expect(again.status).toBe(403);
    expect((await again.json()).code).toBe('PBX_ALREADY_ENABLED');
  });

  it('SIGHUP and SIGQUIT save and exit like SIGTERM', async () => {
    for (const signal of ['SIGHUP', 'SIGQUIT'] as const) {
      const db = path.join(await mkdtemp(path.join(tmpdir(), 'pbm-proc-')), 'phonebridge.json');
      const server = await start({ PHONEBRIDGE_DB: db, PHONEBRIDGE_FLUSH_MS: '60000', PHONEBRIDGE_DURABILITY: 'relaxed' });
      expect((await api(server, '/integrate', { method: 'POST', headers: admin })).status).toBe(200);
      server.child.kill(signal);
      expect(await server.exited).toBe(0);
      expect((await savedOrg(db, '700000101')).integration).toMatchObject({ vendor: 'MockPBX' });
    }
  });

  it('refuses to start, in one line and without the banner, when another instance holds the database or its folder is not writable', async () => {
    const db = path.join(await mkdtemp(path.join(tmpdir(), 'pbm-proc-')), 'phonebridge.json');
    await start({ PHONEBRIDGE_DB: db });
    const second = await runNode(MAIN, [], { PORT: '0', PHONEBRIDGE_DB: db });
    expect(second.code).toBe(1);
    expect(second.stderr.trim()).toMatch(
      /^phonebridge-mock: another phonebridge-mock \(pid \d+\) is using .*phonebridge\.json; stop it, or choose another database with --db or PHONEBRIDGE_DB$/,
    );
    expect(second.stdout).not.toMatch(/listening/);
    // A folder that cannot hold a file: a path under a regular file (refused for root too).
    const blocker = path.join(path.dirname(db), 'not-a-folder');
    await writeFile(blocker, '');
    const unwritable = await runNode(MAIN, [], { PORT: '0', PHONEBRIDGE_DB: path.join(blocker, 'phonebridge.json') });
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr.trim().split('\n')).toHaveLength(1);
    expect(unwritable.stdout).not.toMatch(/listening/);
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
    expect(JSON.parse(await readFile(path.join(path.dirname(db), 'phonebridge.tenant.default.json'), 'utf8')).seed).toBe(9);
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

  it('keeps at most PHONEBRIDGE_MAX_CALLS calls per org: the oldest go, with their activities; the files and what each save writes stay flat', async () => {
    const db = path.join(await mkdtemp(path.join(tmpdir(), 'pbm-proc-')), 'phonebridge.json');
    const server = await start({ PHONEBRIDGE_DB: db, PHONEBRIDGE_MAX_CALLS: '40', PHONEBRIDGE_LOG: 'quiet' });
    expect((await api(server, '/integrate', { method: 'POST', headers: admin })).status).toBe(200);
    // What each call event's save wrote (health reports the last save; a 2xx means it is done).
    const written: number[] = [];
    const post = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const call = {
          callrefid: `r-${i}`,
          fromnumber: '+18885554567',
          tonumber: '100',
          direction: 'inbound',
          callstarttime: '2026-11-26 10:00:00',
          duration: '0',
        };
        expect((await api(server, '/callhungup', postForm(call))).status).toBe(200);
        const health = (await (await fetch(`${server.base}/__admin/health`)).json()) as { saves: { lastBytes: number } };
        written.push(health.saves.lastBytes);
      }
    };
    const mean = (from: number, to: number) => written.slice(from, to).reduce((a, b) => a + b, 0) / (to - from);
    const orgFileSize = async () => JSON.stringify(await savedOrg(db, '700000101')).length;
    await post(0, 80);
    const atLimit = await orgFileSize();
    await post(80, 240);
    const saved = await savedOrg(db, '700000101');
    const kept = Object.keys(saved.calls);
    // At most 40; past it the oldest go, a twentieth more at once (38 kept right after a drop).
    expect(kept.length).toBeGreaterThanOrEqual(38);
    expect(kept.length).toBeLessThanOrEqual(40);
    expect(kept).toContain('r-239');
    expect(kept).not.toContain('r-199');
    expect(Object.keys(saved.activities)).toHaveLength(kept.length);
    expect(await orgFileSize()).toBeLessThan(atLimit * 1.1);
    // A save rewrites a sixteenth of the call log, not all of it, and no more as the history grows past the limit.
    expect(mean(160, 240)).toBeLessThan(mean(80, 160) * 1.25);
    expect(mean(80, 240)).toBeLessThan((await orgFileSize()) / 4);
  });

  it('refuses a bad PORT with a clear message, as a usage error', async () => {
    const { code, stderr } = await runNode(MAIN, [], { PORT: 'eighty', PHONEBRIDGE_DB: ':memory:' });
    expect(code).toBe(2);
    expect(stderr).toMatch(/PORT must be an integer/);
  });
});
