/**
 * "A 2xx means the change is on disk": the compiled mock killed with SIGKILL
 * at random moments while clients write, restarted on the same files each
 * time. No acknowledged write may be lost, the files must always open, and a
 * reset or a tenant creation killed half-way must leave the old state or the
 * new one, never a mix.
 */
import { readFile, readdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TOKENS } from '../fixtures/personas.js';
import { createDatabase } from '../fixtures/seed.js';
import { BASE, auth } from './helpers.js';
import { startServer, type RunningServer } from './process.js';

const CRM_SIZE = '10';
let running: RunningServer | undefined;
afterEach(() => running?.child.kill('SIGKILL'));

/** A seeded pseudo-random sequence, so a failing run can be repeated. */
function random(seed: number) {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

async function start(db: string): Promise<string> {
  running = await startServer({ PHONEBRIDGE_DB: db, PHONEBRIDGE_CRM_SIZE: CRM_SIZE, PHONEBRIDGE_LOG: 'quiet' });
  return running.base;
}

async function kill(): Promise<void> {
  running!.child.kill('SIGKILL');
  await running!.exited;
  running = undefined;
}

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { ...auth(TOKENS.admin), 'Content-Type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

describe('SIGKILL while clients write', () => {
  it('loses no acknowledged write across 10 kills, and the files always open', async () => {
    const db = path.join(await mkdtemp(path.join(tmpdir(), 'pbm-crash-')), 'phonebridge.json');
    const next = random(42);
    const acknowledged: string[] = [];
    let base = await start(db);
    expect((await fetch(`${base}${BASE}/integrate`, { method: 'POST', headers: auth(TOKENS.admin) })).status).toBe(200);
    for (let round = 0; round < 10; round++) {
      let stopped = false;
      const writer = async (id: number) => {
        for (let n = 0; !stopped; n++) {
          const callrefid = `crash-${round}-${id}-${n}`;
          try {
            const res = await fetch(`${base}${BASE}/callreceived`, form({ callrefid, fromnumber: '0018885554567', tonumber: '100' }));
            if (res.status === 200) acknowledged.push(callrefid);
          } catch {
            return; // the connection died with the process
          }
        }
      };
      const writers = Array.from({ length: 6 }, (_, id) => writer(id));
      await new Promise((resolve) => setTimeout(resolve, 100 + next() * 400));
      await kill();
      stopped = true;
      await Promise.all(writers);
      base = await start(db); // the files open, or this throws
      const calls = (await (await fetch(`${base}/__admin/calls?limit=10000`)).json()) as { calls: { callrefid: string }[] };
      const kept = new Set(calls.calls.map((c) => c.callrefid));
      expect(
        acknowledged.filter((id) => !kept.has(id)),
        `round ${round}: acknowledged writes lost`,
      ).toEqual([]);
    }
    // Enough writes were acknowledged for the kills to have landed among them.
    expect(acknowledged.length).toBeGreaterThan(30);
  }, 90_000);
});

/** What the files say of the default tenant: its seed, users and CRM, which must belong together. */
async function savedDefault(db: string) {
  const folder = path.dirname(db);
  const tenant = JSON.parse(await readFile(path.join(folder, 'phonebridge.tenant.default.json'), 'utf8')) as {
    seed: number;
    orgs: Record<string, { users: unknown }>;
    files: { crm: string };
  };
  const crm = JSON.parse(await readFile(path.join(folder, tenant.files.crm), 'utf8')) as { orgs: Record<string, unknown> };
  return { seed: tenant.seed, users: tenant.orgs['700000101']!.users, crm: crm.orgs['700000101'] };
}

const expected = (seed: number) => {
  const org = createDatabase({ seed, crmSize: Number(CRM_SIZE), now: new Date() }).tenants.default!.orgs['700000101']!;
  return { users: JSON.parse(JSON.stringify(org.users)) as unknown, crm: JSON.parse(JSON.stringify(org.crm)) as unknown };
};

describe('SIGKILL during a reset or a tenant creation', () => {
  it('leaves the old world or the new one, never a mix', async () => {
    const db = path.join(await mkdtemp(path.join(tmpdir(), 'pbm-crash-')), 'phonebridge.json');
    const next = random(7);
    let base = await start(db);
    for (let round = 0; round < 6; round++) {
      const seed = 100 + round;
      const resets = [1, 2, 3].map((i) =>
        fetch(`${base}/__admin/reset`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ seed: seed + i * 10 }),
        }).catch(() => undefined),
      );
      const creations = [1, 2].map(() => fetch(`${base}/__admin/tenants`, { method: 'POST' }).catch(() => undefined));
      await new Promise((resolve) => setTimeout(resolve, next() * 60));
      await kill();
      await Promise.all([...resets, ...creations]);
      const saved = await savedDefault(db);
      expect({ users: saved.users, crm: saved.crm }, `round ${round}: seed ${saved.seed}`).toEqual(expected(saved.seed));
      base = await start(db); // every tenant the index names opens whole
      const tenants = (await (await fetch(`${base}/__admin/tenants`)).json()) as { tenants: { id: string }[] };
      for (const { id } of tenants.tenants) expect((await fetch(`${base}/__admin/tenants/${id}`)).status).toBe(200);
      const names = await readdir(path.dirname(db));
      expect(names.filter((n) => n.startsWith('phonebridge.tenant.')).length).toBe(tenants.tenants.length);
    }
  }, 90_000);
});
