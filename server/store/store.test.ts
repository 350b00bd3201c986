import { mkdir, mkdtemp, readFile, readdir, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { TOKENS } from '../../fixtures/personas.js';
import { createDatabase, createTenant, newIdentity } from '../../fixtures/seed.js';
import type { Tenant } from './schema.js';
import { segmentOf } from './layout.js';
import { openStore, type Store } from './store.js';

const now = new Date('2026-11-26T00:00:00Z');
const seed = () => createDatabase({ seed: 7, crmSize: 5, now });
const w = (store: Store): Tenant => store.data.tenants.default!;
let dir: string;
let file: string;
const opened: Store[] = [];
beforeEach(async () => {
  for (const store of opened.splice(0)) store.close();
  dir = await mkdtemp(path.join(tmpdir(), 'pbm-store-'));
  file = path.join(dir, 'nested', 'phonebridge.json');
});
async function open(options: Partial<Parameters<typeof openStore>[0]> = {}): Promise<Store> {
  const store = await openStore({ location: file, seed, ...options });
  opened.push(store);
  return store;
}
const reopen = async (options: Partial<Parameters<typeof openStore>[0]> = {}) => {
  for (const store of opened.splice(0)) store.close();
  return open(options);
};
const json = async (name: string) => JSON.parse(await readFile(path.join(path.dirname(file), name), 'utf8')) as Record<string, unknown>;
const names = () => readdir(path.dirname(file));

/** A version 2 file's content: the default tenant's world, as one database. */
function version2(): Record<string, unknown> {
  const {
    id: _1,
    label: _2,
    number: _3,
    crmSize: _4,
    createdAt: _5,
    lastUsedAt: _6,
    personas: _7,
    clientIds: _8,
    defaultOrgId: _9,
    clockOffsetMs: _10,
    faults: _11,
    nextFaultId: _12,
    limits: _13,
    ...world
  } = seed().tenants.default!;
  return { schemaVersion: 2, ...world };
}

describe('files: an index, a file per tenant, per org and per CRM', () => {
  it('creates and seeds them on first open, in a folder it creates, compact', async () => {
    const store = await open();
    const index = await json('phonebridge.json');
    expect(index).toEqual({ schemaVersion: 4, nextTenant: 1, tenants: { default: 'phonebridge.tenant.default.json' } });
    const tenant = (await json('phonebridge.tenant.default.json')) as {
      files: { crm: string; orgs: Record<string, string>; segments: Record<string, string[]> };
      orgs: Record<string, object>;
    };
    expect(tenant.orgs['700000101']).not.toHaveProperty('crm');
    expect(tenant.orgs['700000101']).not.toHaveProperty('calls');
    expect(((await json(tenant.files.crm)) as { orgs: Record<string, unknown> }).orgs['700000101']).toEqual(w(store).orgs['700000101']!.crm);
    expect(await json(tenant.files.orgs['700000101']!)).toEqual({ integration: null, clickToCall: {}, outbox: [], nextId: w(store).orgs['700000101']!.nextId });
    expect(await readFile(file, 'utf8')).not.toContain('\n');
    expect((await names()).sort()).toEqual(
      [
        'phonebridge.json',
        'phonebridge.json.lock',
        'phonebridge.tenant.default.json',
        tenant.files.crm,
        ...Object.values(tenant.files.orgs),
        ...Object.values(tenant.files.segments).flat(),
      ].sort(),
    );
  });

  it('a change of one org rewrites that org file and the tenant file only, never the CRM or the other orgs', async () => {
    const store = await open();
    const tenant = (await json('phonebridge.tenant.default.json')) as { files: { crm: string; orgs: Record<string, string> } };
    const at = async (name: string) => (await stat(path.join(path.dirname(file), name))).mtimeMs;
    const before = { crm: await at(tenant.files.crm), other: await at(tenant.files.orgs['700000102']!), mine: await at(tenant.files.orgs['700000101']!) };
    await new Promise((resolve) => setTimeout(resolve, 20));
    w(store).orgs['700000101']!.nextId++;
    await store.changed({ tenantId: 'default', orgId: '700000101' });
    expect(await at(tenant.files.crm)).toBe(before.crm);
    expect(await at(tenant.files.orgs['700000102']!)).toBe(before.other);
    expect(await at(tenant.files.orgs['700000101']!)).toBeGreaterThan(before.mine);
  });

  /** The call-log files of org 700000101: each segment's snapshot, and the path of the log it names. */
  const segmentFiles = async () => {
    const tenant = (await json('phonebridge.tenant.default.json')) as { files: { orgs: Record<string, string>; segments: Record<string, string[]> } };
    const folder = path.dirname(file);
    const segments = tenant.files.segments['700000101']!;
    const logOf = async (k: number) => {
      const n = ((await json(segments[k]!)).log as number | undefined) ?? 0;
      return path.join(folder, segments[k]!.replace(/\.json$/, `.${n}.log`));
    };
    const mtimes = () => Promise.all(segments.map(async (name) => (await stat(path.join(folder, name))).mtimeMs));
    return { segments, logOf, mtimes, orgFile: path.join(folder, tenant.files.orgs['700000101']!) };
  };
  const aCall = (store: Store, callrefid: string, activity = false) => {
    const org = w(store).orgs['700000101']!;
    org.calls[callrefid] = { callrefid, events: [], activityId: activity ? `act-${callrefid}` : null } as unknown as (typeof org.calls)[string];
    if (activity) org.activities[`act-${callrefid}`] = { id: `act-${callrefid}`, callrefid } as unknown as (typeof org.activities)[string];
    return org;
  };

  it('a call event appends one line to the log of its segment; no snapshot, org or tenant file is rewritten', async () => {
    const store = await open();
    const files = await segmentFiles();
    const tenantFile = path.join(path.dirname(file), 'phonebridge.tenant.default.json');
    const before = { snapshots: await files.mtimes(), org: (await stat(files.orgFile)).mtimeMs, tenant: (await stat(tenantFile)).mtimeMs };
    await new Promise((resolve) => setTimeout(resolve, 20));
    aCall(store, 'call-7', true);
    await store.changed({ tenantId: 'default', orgId: '700000101', callrefids: ['call-7'], orgOnly: true });
    expect(await files.mtimes()).toEqual(before.snapshots);
    expect((await stat(files.orgFile)).mtimeMs).toBe(before.org);
    expect((await stat(tenantFile)).mtimeMs).toBe(before.tenant);
    const log = await readFile(await files.logOf(segmentOf('call-7')), 'utf8');
    expect(log.split('\n')).toHaveLength(2);
    expect(JSON.parse(log.split('\n')[0]!)).toMatchObject({ c: 'call-7', call: { callrefid: 'call-7' }, acts: [{ id: 'act-call-7' }] });
    expect(store.lastSave.bytes).toBe(Buffer.byteLength(log));
    // Without orgOnly the tenant file is saved with it.
    await store.changed({ tenantId: 'default', orgId: '700000101', callrefids: ['call-7'] });
    expect((await stat(tenantFile)).mtimeMs).toBeGreaterThan(before.tenant);
    const again = (await reopen()).data.tenants.default!.orgs['700000101']!;
    expect(again.calls['call-7']).toMatchObject({ callrefid: 'call-7' });
    expect(again.activities['act-call-7']).toMatchObject({ callrefid: 'call-7' });
  });

  it('logs stay open only while saves follow one another: once a save leaves nothing pending, no file of the database is open', async () => {
    const store = await open();
    const folder = path.dirname(file);
    /** The files of the database this process holds open (Linux: /proc/self/fd). */
    const openFiles = async () => {
      const fds = await readdir('/proc/self/fd');
      const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
      return targets.filter((target) => target.startsWith(folder) && !target.endsWith('.lock'));
    };
    // Changes made while a save runs: the next save appends to the same logs.
    const saves = ['call-a', 'call-b', 'call-c'].map((id) => {
      aCall(store, id, true);
      return store.changed({ tenantId: 'default', orgId: '700000101', callrefids: [id], orgOnly: true });
    });
    await Promise.all(saves);
    expect(await openFiles()).toEqual([]);
    const log = await readFile(await (await segmentFiles()).logOf(segmentOf('call-b')), 'utf8');
    expect(log).toContain('"c":"call-b"');
  });

  it('a call removed (retention) is a line too; the next id a call event moved and the click-to-call it claimed come back at start', async () => {
    const store = await open();
    const org = aCall(store, 'call-9', true);
    await store.changed({ tenantId: 'default', orgId: '700000101', callrefids: ['call-9'], orgOnly: true });
    org.outbox.push({ id: 'd-1', kind: 'clicktocall', callrefid: null } as unknown as (typeof org.outbox)[number]);
    await store.changed({ tenantId: 'default', orgId: '700000101' });
    // The call event: a new id taken, the delivery claimed, the other call gone; only the calls are saved.
    org.nextId += 5;
    org.outbox[0]!.callrefid = 'call-8';
    aCall(store, 'call-8');
    (org.calls['call-8'] as { clickToCallDeliveryId?: string }).clickToCallDeliveryId = 'd-1';
    delete org.calls['call-9'];
    delete org.activities['act-call-9'];
    await store.changed({ tenantId: 'default', orgId: '700000101', callrefids: ['call-8', 'call-9'], orgOnly: true });
    const again = (await reopen()).data.tenants.default!.orgs['700000101']!;
    expect(again.calls['call-9']).toBeUndefined();
    expect(again.activities['act-call-9']).toBeUndefined();
    expect(again.nextId).toBe(org.nextId);
    expect(again.outbox[0]!.callrefid).toBe('call-8');
  });

  it('a log that outgrows its snapshot is compacted: a new snapshot names the next log, the old log goes; a reopen reads the same', async () => {
    const store = await open();
    const files = await segmentFiles();
    const k = segmentOf('big-0');
    const firstLog = await files.logOf(k);
    const org = w(store).orgs['700000101']!;
    // One call rewritten until its lines pass the 64 KiB floor.
    for (let i = 0; i < 40; i++) {
      aCall(store, 'big-0');
      (org.calls['big-0'] as unknown as { note: string }).note = `${i}`.padEnd(2000, 'x');
      await store.changed({ tenantId: 'default', orgId: '700000101', callrefids: ['big-0'], orgOnly: true });
    }
    expect((await json(files.segments[k]!)).log).toBe(1);
    await expect(stat(firstLog)).rejects.toThrow(/ENOENT/);
    expect((await readFile(await files.logOf(k), 'utf8')).split('\n').length).toBeLessThan(40);
    expect((await reopen()).data.tenants.default!.orgs['700000101']!.calls['big-0']).toEqual(org.calls['big-0']);
  });

  it('a torn last line (a crash during an append no one was answered for) is dropped and the segment compacted; a damaged whole line is refused', async () => {
    const store = await open();
    aCall(store, 'call-5');
    await store.changed({ tenantId: 'default', orgId: '700000101', callrefids: ['call-5'], orgOnly: true });
    const files = await segmentFiles();
    const k = segmentOf('call-5');
    const log = await files.logOf(k);
    await writeFile(log, `${await readFile(log, 'utf8')}{"c":"call-6","call":{"callr`);
    const again = await reopen();
    expect(again.data.tenants.default!.orgs['700000101']!.calls['call-5']).toBeDefined();
    expect(again.data.tenants.default!.orgs['700000101']!.calls['call-6']).toBeUndefined();
    expect((await json(files.segments[k]!)).log).toBe(1);
    expect(await names()).not.toContain(path.basename(log));
    await writeFile(await files.logOf(k), 'not json\n{"c":"x","call":null,"acts":[],"n":0}\n');
    await expect(reopen()).rejects.toThrow(/damaged at line 1/);
  });

  it('keeps changes across a reopen, without seeding again', async () => {
    const first = await open();
    w(first).orgs['700000101']!.integration = { vendor: 'MockPBX', enabledAt: 'x', enabledBy: 'y' };
    await first.changed({ tenantId: 'default', orgId: '700000101' });
    const reseed = vi.fn(seed);
    const second = await reopen({ seed: reseed });
    expect(reseed).not.toHaveBeenCalled();
    expect(w(second).orgs['700000101']!.integration?.vendor).toBe('MockPBX');
    expect(w(second)).toEqual(w(first));
  });

  it('refuses a file that is not valid JSON, naming it, and leaves it as it was', async () => {
    await open();
    await reopen().then((s) => s.close());
    opened.length = 0;
    const tenantFile = path.join(path.dirname(file), 'phonebridge.tenant.default.json');
    await writeFile(tenantFile, '{"orgs": ');
    await expect(openStore({ location: file, seed })).rejects.toThrow(/phonebridge\.tenant\.default\.json is not valid JSON/);
    expect(await readFile(tenantFile, 'utf8')).toBe('{"orgs": ');
  });

  it('refuses a JSON file that is not a phonebridge-mock database, and a database whose files are missing', async () => {
    const store = await open();
    store.close();
    opened.length = 0;
    const tenant = (await json('phonebridge.tenant.default.json')) as { files: { crm: string } };
    await rm(path.join(path.dirname(file), tenant.files.crm));
    await expect(openStore({ location: file, seed })).rejects.toThrow(/CRM records of tenant default are missing: .*phonebridge\.crm\.default\.\w+\.json/);
    await writeFile(file, '{"hello": "world"}');
    await expect(openStore({ location: file, seed })).rejects.toThrow(/not a phonebridge-mock database/);
  });

  it('removes files nothing names (left by a crash between writing a new seeding and naming it), and ignores temporary files', async () => {
    const store = await open();
    store.close();
    opened.length = 0;
    await writeFile(path.join(path.dirname(file), 'phonebridge.crm.default.deadbeef.json'), '{}');
    await writeFile(path.join(path.dirname(file), '.phonebridge.json.tmp'), '{"half": ');
    const again = await open();
    expect(await names()).not.toContain('phonebridge.crm.default.deadbeef.json');
    expect(w(again)).toEqual(w(store));
  });
});

describe('older files', () => {
  it('a version 2 database (one file, CRM beside it) becomes the default tenant in the current files; the old CRM file goes', async () => {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(version2()));
    const legacyCrm = { orgs: Object.fromEntries(Object.entries(seed().tenants.default!.orgs).map(([id, o]) => [id, o.crm])) };
    await writeFile(path.join(path.dirname(file), 'phonebridge.crm.json'), JSON.stringify(legacyCrm));
    const store = await open();
    expect(Object.keys(store.data.tenants)).toEqual(['default']);
    expect(w(store)).toMatchObject({ id: 'default', number: 0, seed: 7, defaultOrgId: '700000101', personas: { admin: TOKENS.admin } });
    expect(w(store).orgs['700000101']!.crm).toEqual(legacyCrm.orgs['700000101']);
    expect((await json('phonebridge.json')).schemaVersion).toBe(4);
    expect(await names()).not.toContain('phonebridge.crm.json');
  });

  it('a version 1 file (one outbox for every org, CRM inline) is read with each delivery in its org', async () => {
    const { orgs, ...rest } = version2() as { orgs: Record<string, { outbox: unknown }> };
    const delivery = (id: string, orgId: string) => ({ id, at: now.toISOString(), kind: 'clicktocall', orgId, userId: 'u', callrefid: null, url: 'http://x' });
    const v1 = {
      ...rest,
      schemaVersion: 1,
      orgs: Object.fromEntries(Object.entries(orgs).map(([id, { outbox: _outbox, ...org }]) => [id, org])),
      outbox: [delivery('1', '700000101'), delivery('2', '700000102'), delivery('3', '700000101')],
    };
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(v1));
    const store = await open();
    expect(w(store).orgs['700000101']!.outbox.map((d) => d.id)).toEqual(['1', '3']);
    expect(w(store).orgs['700000102']!.outbox.map((d) => d.id)).toEqual(['2']);
  });
});

describe('tenants in the store', () => {
  const other = () => createTenant(newIdentity(1, 'ci'), { seed: 9, crmSize: 3, now });

  it('putTenant saves the tenant with its own files before resolving; a reopen has it; removeTenant removes every file of it', async () => {
    const store = await open();
    const tenant = other();
    const before = await names();
    await store.putTenant(tenant);
    expect(((await json('phonebridge.json')) as { tenants: Record<string, string> }).tenants[tenant.id]).toBe(`phonebridge.tenant.${tenant.id}.json`);
    const reopened = await reopen();
    expect(reopened.data.tenants[tenant.id]).toEqual(JSON.parse(JSON.stringify(tenant)));
    await reopened.removeTenant(tenant.id);
    expect((await names()).sort()).toEqual(before.sort());
  });

  it('a reset (putTenant of a fresh world) writes new files, then names them, then removes the old ones', async () => {
    const store = await open();
    const first = (await json('phonebridge.tenant.default.json')) as { files: { crm: string } };
    const fresh = createDatabase({ seed: 8, crmSize: 5, now }).tenants.default!;
    await store.putTenant(fresh);
    const second = (await json('phonebridge.tenant.default.json')) as { files: { crm: string } };
    expect(second.files.crm).not.toBe(first.files.crm);
    expect(await names()).not.toContain(first.files.crm);
    expect((await reopen()).data.tenants.default!.seed).toBe(8);
  });
});

describe('durability', () => {
  it('acknowledged: changed() settles once the change is on disk, and one save serves every change made meanwhile', async () => {
    const store = await open();
    const before = store.saves;
    const changes = Array.from({ length: 50 }, () => {
      w(store).orgs['700000101']!.nextId++;
      return store.changed({ tenantId: 'default', orgId: '700000101' });
    });
    await Promise.all(changes);
    expect(store.saves - before).toBeLessThanOrEqual(2);
    expect((await store.readSaved())!.tenants.default!.orgs['700000101']!.nextId).toBe(w(store).orgs['700000101']!.nextId);
  });

  it('relaxed: changed() settles at once; the save follows behind, coalesced', async () => {
    const store = await open({ durability: 'relaxed', flushDelayMs: 30 });
    w(store).orgs['700000101']!.nextId += 5;
    await store.changed({ tenantId: 'default', orgId: '700000101' });
    expect((await store.readSaved())!.tenants.default!.orgs['700000101']!.nextId).toBe(w(store).orgs['700000101']!.nextId - 5);
    await vi.waitFor(async () => expect((await store.readSaved())!.tenants.default!.orgs['700000101']!.nextId).toBe(w(store).orgs['700000101']!.nextId), {
      timeout: 2000,
    });
  });

  it('a save that fails rejects the writes in it, says why once, and recovers by itself when the disk works again', async () => {
    const logged: string[] = [];
    const store = await open({ log: (m) => logged.push(m) });
    const folder = path.dirname(file);
    const tenant = (await json('phonebridge.tenant.default.json')) as { files: { orgs: Record<string, string> } };
    const orgFile = path.join(folder, tenant.files.orgs['700000101']!);
    // A directory where the org's file must go: its rename fails, whoever runs the test.
    await rm(orgFile);
    await mkdir(orgFile);
    await writeFile(path.join(orgFile, 'x'), 'x');
    w(store).orgs['700000101']!.nextId++;
    await expect(store.changed({ tenantId: 'default', orgId: '700000101' })).rejects.toThrow(/could not be saved/);
    expect(store.failure).toMatch(/EISDIR|ENOTEMPTY|EEXIST|EPERM/);
    w(store).orgs['700000101']!.nextId++;
    await expect(store.changed({ tenantId: 'default', orgId: '700000101' })).rejects.toThrow();
    expect(logged.filter((m) => m.includes('failed'))).toHaveLength(1);
    await rm(orgFile, { recursive: true });
    await vi.waitFor(() => expect(store.failure).toBeNull(), { timeout: 4000 });
    expect(logged.at(-1)).toMatch(/works again/);
    expect((await store.readSaved())!.tenants.default!.orgs['700000101']!.nextId).toBe(w(store).orgs['700000101']!.nextId);
  });
});

describe('one instance per database', () => {
  it('a second open of the same database is refused while the first holds it; a stale lock is taken over', async () => {
    await open();
    await expect(openStore({ location: file, seed })).rejects.toThrow(/another phonebridge-mock \(pid \d+\) is using/);
    for (const store of opened.splice(0)) store.close();
    await writeFile(`${file}.lock`, '999999'); // no such process
    await expect(open()).resolves.toBeDefined();
  });
});

describe('in memory', () => {
  it('never touches the disk, and reads back what it saved', async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const store = await openStore({ location: ':memory:', seed });
      w(store).orgs['700000101']!.nextId++;
      await store.changed();
      expect(await store.readSaved()).toEqual(JSON.parse(JSON.stringify(store.data)));
    } finally {
      process.chdir(cwd);
    }
    expect(await readdir(dir)).toEqual([]);
  });
});
