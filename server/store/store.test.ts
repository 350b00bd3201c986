import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { TOKENS } from '../../fixtures/personas.js';
import { createDatabase, createTenant, newIdentity } from '../../fixtures/seed.js';
import type { Tenant } from './schema.js';
import { crmFileOf, openStore, type Store } from './store.js';

const now = new Date('2026-11-26T00:00:00Z');
const seed = () => createDatabase({ seed: 7, crmSize: 5, now });
/** The default tenant's world. */
const w = (store: Store): Tenant => store.data.tenants.default!;
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
    ...world
  } = seed().tenants.default!;
  return { schemaVersion: 2, ...world };
}
let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pbm-store-'));
  file = path.join(dir, 'nested', 'phonebridge.json');
});

describe('openStore on a JSON file', () => {
  it('creates and seeds the files on first open, in a folder it creates: the CRM beside what requests change', async () => {
    const store = await openStore({ location: file, seed });
    const saved = JSON.parse(await readFile(file, 'utf8'));
    const crm = JSON.parse(await readFile(crmFileOf(file), 'utf8'));
    expect(saved.schemaVersion).toBe(3);
    expect(saved.tenants.default.orgs['700000101']).not.toHaveProperty('crm');
    expect(saved.tenants.default.orgs['700000101'].users).toEqual(w(store).orgs['700000101']!.users);
    expect(crm.orgs['700000101']).toEqual(w(store).orgs['700000101']!.crm);
  });

  it('reads the CRM back from its own file', async () => {
    const first = await openStore({ location: file, seed });
    const second = await openStore({ location: file, seed });
    expect(w(second).orgs['700000101']!.crm).toEqual(w(first).orgs['700000101']!.crm);
  });

  it('a save writes only what requests change, not the CRM', async () => {
    const store = await openStore({ location: file, seed, flushDelayMs: 10 });
    const crmBefore = await stat(crmFileOf(file));
    w(store).orgs['700000101']!.nextId++;
    store.changed();
    await store.flush();
    expect((await stat(crmFileOf(file))).mtimeMs).toBe(crmBefore.mtimeMs);
  });

  it('refuses to start without the CRM file, and says which file is missing', async () => {
    await openStore({ location: file, seed });
    await rm(crmFileOf(file));
    await expect(openStore({ location: file, seed })).rejects.toThrow(/phonebridge\.crm\.json belongs beside/);
  });

  it('a file written before the split (CRM inline) is read, and the CRM moved to its own file', async () => {
    const legacy = version2() as { orgs: Record<string, { crm: unknown }> };
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(legacy));
    const store = await openStore({ location: file, seed });
    expect(w(store).orgs['700000101']!.crm).toEqual(legacy.orgs['700000101']!.crm);
    expect(JSON.parse(await readFile(file, 'utf8')).tenants.default.orgs['700000101']).not.toHaveProperty('crm');
    expect(JSON.parse(await readFile(crmFileOf(file), 'utf8')).orgs['700000101']).toEqual(legacy.orgs['700000101']!.crm);
  });

  it('keeps changes across a reopen, without seeding again', async () => {
    const first = await openStore({ location: file, seed });
    w(first).orgs['700000101']!.integration = { vendor: 'MockPBX', enabledAt: 'x', enabledBy: 'y' };
    first.changed();
    await first.flush();
    const reseed = vi.fn(seed);
    const second = await openStore({ location: file, seed: reseed });
    expect(reseed).not.toHaveBeenCalled();
    expect(w(second).orgs['700000101']!.integration?.vendor).toBe('MockPBX');
  });

  it('coalesces many changes into few writes', async () => {
    const store = await openStore({ location: file, seed, flushDelayMs: 50 });
    const before = store.saves;
    for (let i = 0; i < 1000; i++) {
      w(store).orgs['700000101']!.nextId++;
      store.changed();
    }
    await store.flush();
    expect(store.saves - before).toBe(1);
    expect(JSON.parse(await readFile(file, 'utf8')).tenants.default.orgs['700000101'].nextId).toBe(w(store).orgs['700000101']!.nextId);
  });

  it('saves by itself after the delay', async () => {
    const store = await openStore({ location: file, seed, flushDelayMs: 10 });
    w(store).seed = 99;
    store.changed();
    await vi.waitFor(async () => expect(JSON.parse(await readFile(file, 'utf8')).tenants.default.seed).toBe(99), { timeout: 2000 });
  });

  it('refuses a CRM file that is not valid JSON', async () => {
    await openStore({ location: file, seed });
    await writeFile(crmFileOf(file), '{"orgs": ');
    await expect(openStore({ location: file, seed })).rejects.toThrow(/phonebridge\.crm\.json is not valid JSON/);
  });

  it('refuses a file that is not valid JSON, and leaves it as it was', async () => {
    await openStore({ location: file, seed });
    await writeFile(file, '{"schemaVersion": 1, "orgs": {');
    const before = await stat(file);
    await expect(openStore({ location: file, seed })).rejects.toThrow(/not valid JSON/);
    expect(await readFile(file, 'utf8')).toBe('{"schemaVersion": 1, "orgs": {');
    expect((await stat(file)).mtimeMs).toBe(before.mtimeMs);
  });

  it('refuses a JSON file that is not a phonebridge-mock database', async () => {
    await openStore({ location: file, seed });
    await writeFile(file, '{"hello": "world"}');
    await expect(openStore({ location: file, seed })).rejects.toThrow(/not a phonebridge-mock database/);
  });

  it('ignores a temporary file left by a write that was killed', async () => {
    const store = await openStore({ location: file, seed });
    await writeFile(path.join(path.dirname(file), '.phonebridge.json.tmp'), '{"half": ');
    const reopened = await openStore({ location: file, seed });
    expect(reopened.data).toEqual(store.data);
  });
});

describe('openStore in memory', () => {
  it('never touches the disk, even relative to the working folder', async () => {
    // A bug writing ':memory:' as a file name would write it here, in the working folder.
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const store = await openStore({ location: ':memory:', seed });
      w(store).orgs['700000101']!.nextId++;
      store.changed();
      await store.flush();
      expect(store.saves).toBeGreaterThan(0);
    } finally {
      process.chdir(cwd);
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it('goes through the same save path as a file: what it saved is what a file would hold', async () => {
    const store = await openStore({ location: ':memory:', seed, flushDelayMs: 10 });
    w(store).orgs['700000101']!.integration = { vendor: 'MockPBX', enabledAt: 'x', enabledBy: 'y' };
    expect((await store.readSaved())!.tenants.default!.orgs['700000101']!.integration).toBeNull();
    store.changed();
    await store.flush();
    expect(await store.readSaved()).toEqual(JSON.parse(JSON.stringify(store.data)));
  });

  it('a change not marked is not saved', async () => {
    const store = await openStore({ location: ':memory:', seed });
    w(store).orgs['700000101']!.nextId += 5;
    await store.flush();
    expect((await store.readSaved())!.tenants.default!.orgs['700000101']!.nextId).toBe(w(store).orgs['700000101']!.nextId - 5);
  });
});

describe('schema migration', () => {
  const delivery = (id: string, orgId: string) => ({
    id,
    at: '2026-11-26T00:00:00.000Z',
    kind: 'clicktocall',
    orgId,
    userId: 'u',
    callrefid: null,
    url: 'http://x',
    request: { method: 'POST', headers: {}, body: '' },
    response: null,
    latencyMs: 0,
    attempts: 1,
    delivered: true,
    error: null,
  });

  it('a version 1 file (one outbox for every org) is read as the default tenant, each delivery in its org, and saved as version 3', async () => {
    const { orgs, ...rest } = version2() as { orgs: Record<string, { outbox: unknown }> };
    const v1 = {
      ...rest,
      schemaVersion: 1,
      orgs: Object.fromEntries(Object.entries(orgs).map(([id, { outbox: _outbox, ...org }]) => [id, org])),
      outbox: [delivery('1', '700000101'), delivery('2', '700000102'), delivery('3', '700000101')],
    };
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(v1));
    const store = await openStore({ location: file, seed });
    expect(w(store).orgs['700000101']!.outbox.map((d) => d.id)).toEqual(['1', '3']);
    expect(w(store).orgs['700000102']!.outbox.map((d) => d.id)).toEqual(['2']);
    expect(w(store).orgs['700000103']!.outbox).toEqual([]);
    const saved = JSON.parse(await readFile(file, 'utf8'));
    expect(saved.schemaVersion).toBe(3);
    expect(saved).not.toHaveProperty('outbox');
    expect(saved.tenants.default.orgs['700000101'].outbox).toHaveLength(2);
  });

  it('a version 2 file becomes the default tenant, with the persona tokens, clients and licensed org of the README', async () => {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(version2()));
    await writeFile(crmFileOf(file), JSON.stringify({ orgs: Object.fromEntries(Object.entries(seed().tenants.default!.orgs).map(([id, o]) => [id, o.crm])) }));
    const store = await openStore({ location: file, seed });
    expect(Object.keys(store.data.tenants)).toEqual(['default']);
    expect(w(store)).toMatchObject({ id: 'default', number: 0, seed: 7, defaultOrgId: '700000101', personas: { admin: TOKENS.admin } });
    expect(w(store).tokens[TOKENS.admin]).toBeDefined();
  });
});

describe('tenants in the store', () => {
  const other = () => createTenant(newIdentity(1, 'ci'), { seed: 9, crmSize: 3, now });

  it('putTenant saves the tenant and its CRM in its own file before resolving; a reopen has it; removeTenant deletes both', async () => {
    const store = await openStore({ location: file, seed });
    const tenant = other();
    await store.putTenant(tenant);
    const crm = JSON.parse(await readFile(crmFileOf(file, tenant.id), 'utf8'));
    expect(crm.orgs['700001101']).toEqual(tenant.orgs['700001101']!.crm);
    expect(JSON.parse(await readFile(file, 'utf8')).tenants[tenant.id].orgs['700001101']).not.toHaveProperty('crm');
    const reopened = await openStore({ location: file, seed });
    expect(reopened.data.tenants[tenant.id]).toEqual(JSON.parse(JSON.stringify(tenant)));
    await store.removeTenant(tenant.id);
    expect(JSON.parse(await readFile(file, 'utf8')).tenants).not.toHaveProperty(tenant.id);
    await expect(stat(crmFileOf(file, tenant.id))).rejects.toThrow(/ENOENT/);
    expect(w(store).orgs['700000101']).toBeDefined();
  });

  it("refuses to start when a tenant's CRM file is missing, naming it", async () => {
    const store = await openStore({ location: file, seed });
    const tenant = other();
    await store.putTenant(tenant);
    await rm(crmFileOf(file, tenant.id));
    await expect(openStore({ location: file, seed })).rejects.toThrow(new RegExp(`phonebridge\\.crm\\.${tenant.id}\\.json belongs beside`));
  });
});
