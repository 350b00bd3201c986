import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { TOKENS } from '../../fixtures/personas.js';
import { createDatabase } from '../../fixtures/seed.js';
import { crmFileOf, openStore } from './store.js';

const seed = () => createDatabase({ seed: 7, crmSize: 5, now: new Date('2026-11-26T00:00:00Z') });
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
    expect(saved.schemaVersion).toBe(2);
    expect(saved.orgs['700000101']).not.toHaveProperty('crm');
    expect(saved.orgs['700000101'].users).toEqual(store.data.orgs['700000101']!.users);
    expect(crm.orgs['700000101']).toEqual(store.data.orgs['700000101']!.crm);
  });

  it('reads the CRM back from its own file', async () => {
    const first = await openStore({ location: file, seed });
    const second = await openStore({ location: file, seed });
    expect(second.data.orgs['700000101']!.crm).toEqual(first.data.orgs['700000101']!.crm);
  });

  it('a save writes only what requests change, not the CRM', async () => {
    const store = await openStore({ location: file, seed, flushDelayMs: 10 });
    const crmBefore = await stat(crmFileOf(file));
    store.data.orgs['700000101']!.nextId++;
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
    const legacy = seed();
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(legacy));
    const store = await openStore({ location: file, seed });
    expect(store.data.orgs['700000101']!.crm).toEqual(legacy.orgs['700000101']!.crm);
    expect(JSON.parse(await readFile(file, 'utf8')).orgs['700000101']).not.toHaveProperty('crm');
    expect(JSON.parse(await readFile(crmFileOf(file), 'utf8')).orgs['700000101']).toEqual(legacy.orgs['700000101']!.crm);
  });

  it('keeps changes across a reopen, without seeding again', async () => {
    const first = await openStore({ location: file, seed });
    first.data.orgs['700000101']!.integration = { vendor: 'MockPBX', enabledAt: 'x', enabledBy: 'y' };
    first.changed();
    await first.flush();
    const reseed = vi.fn(seed);
    const second = await openStore({ location: file, seed: reseed });
    expect(reseed).not.toHaveBeenCalled();
    expect(second.data.orgs['700000101']!.integration?.vendor).toBe('MockPBX');
  });

  it('coalesces many changes into few writes', async () => {
    const store = await openStore({ location: file, seed, flushDelayMs: 50 });
    const before = store.saves;
    for (let i = 0; i < 1000; i++) {
      store.data.orgs['700000101']!.nextId++;
      store.changed();
    }
    await store.flush();
    expect(store.saves - before).toBe(1);
    expect(JSON.parse(await readFile(file, 'utf8')).orgs['700000101'].nextId).toBe(store.data.orgs['700000101']!.nextId);
  });

  it('saves by itself after the delay', async () => {
    const store = await openStore({ location: file, seed, flushDelayMs: 10 });
    store.data.seed = 99;
    store.changed();
    await vi.waitFor(async () => expect(JSON.parse(await readFile(file, 'utf8')).seed).toBe(99), { timeout: 2000 });
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
      store.data.orgs['700000101']!.nextId++;
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
    store.data.orgs['700000101']!.integration = { vendor: 'MockPBX', enabledAt: 'x', enabledBy: 'y' };
    expect((await store.readSaved())!.orgs['700000101']!.integration).toBeNull();
    store.changed();
    await store.flush();
    expect(await store.readSaved()).toEqual(JSON.parse(JSON.stringify(store.data)));
  });

  it('a change not marked is not saved', async () => {
    const store = await openStore({ location: ':memory:', seed });
    store.data.orgs['700000101']!.nextId += 5;
    await store.flush();
    expect((await store.readSaved())!.orgs['700000101']!.nextId).toBe(store.data.orgs['700000101']!.nextId - 5);
  });
});

describe('schema migration', () => {
  it('a version 1 file (one outbox for every org) is read with each delivery in its org, and saved as version 2', async () => {
    const current = seed();
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
    const { orgs, ...rest } = current;
    const v1 = {
      ...rest,
      schemaVersion: 1,
      orgs: Object.fromEntries(Object.entries(orgs).map(([id, { outbox: _outbox, ...org }]) => [id, org])),
      outbox: [delivery('1', '700000101'), delivery('2', '700000102'), delivery('3', '700000101')],
    };
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(v1));
    const store = await openStore({ location: file, seed });
    expect(store.data.orgs['700000101']!.outbox.map((d) => d.id)).toEqual(['1', '3']);
    expect(store.data.orgs['700000102']!.outbox.map((d) => d.id)).toEqual(['2']);
    expect(store.data.orgs['700000103']!.outbox).toEqual([]);
    const saved = JSON.parse(await readFile(file, 'utf8'));
    expect(saved.schemaVersion).toBe(2);
    expect(saved).not.toHaveProperty('outbox');
    expect(saved.orgs['700000101'].outbox).toHaveLength(2);
  });
});

describe('replace', () => {
  it('with org ids: those orgs start over with their tokens, the others keep their state', async () => {
    const store = await openStore({ location: ':memory:', seed });
    const [a, b] = ['700000101', '700000104'];
    for (const id of [a, b]) store.data.orgs[id]!.nextId += 100;
    store.data.tokens['1000.minted.a'] = { ...store.data.tokens[TOKENS.admin]!, orgId: a };
    store.data.tokens['1000.minted.b'] = { ...store.data.tokens[TOKENS.otherpbx]!, orgId: b };
    await store.replace(seed(), [a]);
    expect(store.data.orgs[a]!.nextId).toBe(seed().orgs[a]!.nextId);
    expect(store.data.orgs[b]!.nextId).toBe(seed().orgs[b]!.nextId + 100);
    expect(store.data.tokens['1000.minted.a']).toBeUndefined();
    expect(store.data.tokens['1000.minted.b']).toBeDefined();
    expect(store.data.tokens[TOKENS.admin]).toBeDefined();
    expect((await store.readSaved())!.orgs[a]!.nextId).toBe(store.data.orgs[a]!.nextId);
  });
});
