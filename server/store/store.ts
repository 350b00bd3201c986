/**
 * The store: the database in memory, saved in files per tenant and org
 * (layout.ts). By default a write is acknowledged only once it is on disk:
 * `changed()` answers a promise that settles when the save holding the change
 * has completed (group commit: one save serves every change that arrived
 * while the previous one ran). `relaxed` durability answers at once and saves
 * behind, coalesced. A save that fails is retried every second until the disk
 * works again; meanwhile `failure` says why, once on the console.
 */
import path from 'node:path';
import { folderFiles, memoryFiles, parseJson, type Files } from './files.js';
import { bySegment, callLines, logName, needsCompaction, replay, snapshotOf, type SegmentState } from './call-log.js';
import {
  crmFile,
  indexOf,
  joinTenant,
  Names,
  orgState,
  SEGMENTS,
  tenantFile,
  type CallSegment,
  type CrmFile,
  type Index,
  type OrgState,
  type TenantFile,
  type TenantFiles,
} from './layout.js';
import { lockDatabase } from './lock.js';
import { isKnownVersion, migrateDatabase, type AnyVersionDb, type LegacyDb } from './migrate.js';
import { DEFAULT_TENANT, type Crm, type Db, type Org, type Tenant } from './schema.js';

export type Durability = 'acknowledged' | 'relaxed';

/** What a change touched: a tenant's own file only, one of its orgs (and the tenant file), or (no org) all of it. */
export interface ChangeScope {
  tenantId?: string;
  orgId?: string;
  /** With `orgId`: the calls it changed (a line each on their segments' logs); none: no call changed. */
  callrefids?: readonly string[];
  /** Only the tenant file (tokens, settings, when it was used): no org's state. */
  tenantOnly?: boolean;
  /**
   * With `orgId`: only that org, not the tenant file (a PhoneBridge request changes nothing else); with
   * `callrefids` too, only those calls (a call event: what else it moves is restored from the calls at start).
   */
  orgOnly?: boolean;
}

export interface Store {
  readonly data: Db;
  /** Where it is saved, or ':memory:'. */
  readonly location: string;
  readonly durability: Durability;
  /**
   * Call after changing `data`. Acknowledged durability: settles when the
   * change is on disk (rejects when that save failed). Relaxed: at once.
   */
  changed(scope?: ChangeScope): Promise<void>;
  /** Saves everything pending now, and waits for it. */
  flush(): Promise<void>;
  /** How many saves have run since opening. */
  readonly saves: number;
  /** The last save that succeeded: how long it took and how many bytes it wrote (what stays flat as history grows). */
  readonly lastSave: { ms: number; bytes: number };
  /** Why the last save failed, or null when it succeeded (or none was needed). */
  readonly failure: string | null;
  /** What the files hold now (the CRM included). */
  readSaved(): Promise<Db | null>;
  /** Puts a tenant in place (a new one, or a fresh world for one that exists) and saves it before resolving. */
  putTenant(tenant: Tenant): Promise<void>;
  /** Removes a tenant and its files, and saves. */
  removeTenant(id: string): Promise<void>;
  /** Puts a whole database in place of this one (every tenant) and saves it. */
  replace(next: Db): Promise<void>;
  /** Releases the database's lock and closes the files kept open (at exit). */
  close(): void;
}

export interface StoreOptions {
  /** The index file's path (its folder holds the other files), or ':memory:'. */
  location: string;
  /** Builds the first database when there is none yet. */
  seed: () => Db;
  /** Relaxed durability only: shortest pause between two saves, in ms. */
  flushDelayMs?: number;
  durability?: Durability;
  /** Runs on the database once it is read or seeded, before anything uses it (e.g. restore the fixed tokens); its changes are saved. */
  prepare?: (db: Db) => void;
  /** Runs on an org just before its state is saved (e.g. retention: drop the oldest calls); answers the callrefids it removed. */
  beforeSave?: (org: Org) => readonly string[];
  /** Where a save's failure (and its recovery) is told, once each. */
  log?: (message: string) => void;
}

export const MEMORY = ':memory:';
const RETRY_MS = 1000;

/** Versions 1-3 kept the CRM beside one main file: `x.json` -> `x.crm.json` (default tenant), `x.crm.<tenant>.json`. */
function legacyCrmName(base: string, tenantId: string): string {
  return tenantId === DEFAULT_TENANT ? `${base}.crm.json` : `${base}.crm.${tenantId}.json`;
}

type SavedOrg = Omit<Org, 'crm'> & { crm?: Crm };
type LegacyMain =
  | (Omit<LegacyDb, 'orgs'> & { orgs: Record<string, SavedOrg> })
  | { schemaVersion: 3; nextTenant: number; tenants: Record<string, { orgs: Record<string, SavedOrg> }> };

/** A database written by versions 1-3 (one main file, CRM files beside it), joined. */
async function readLegacy(files: Files, base: string, main: LegacyMain): Promise<AnyVersionDb> {
  const worlds: [string, Record<string, SavedOrg>][] =
    main.schemaVersion === 3 ? Object.entries(main.tenants).map(([id, t]) => [id, t.orgs]) : [[DEFAULT_TENANT, main.orgs]];
  for (const [id, orgs] of worlds) {
    const crm = await files.read<CrmFile>(legacyCrmName(base, id));
    for (const [orgId, org] of Object.entries(orgs)) {
      // A file from before the CRM moved out carries it inline.
      org.crm ??= crm?.orgs[orgId] ?? missing(files.describe(legacyCrmName(base, id)), `the CRM records of org ${orgId}`);
    }
  }
  return main as AnyVersionDb;
}

function missing(file: string, what: string): never {
  throw new Error(`${what} are missing: ${file} belongs beside the database; move the database away to start afresh`);
}

/** A database in the current layout: the index, each tenant's file, its org files and CRM. */
async function readCurrent(files: Files, index: Index): Promise<{ db: Db; names: Map<string, TenantFiles>; segments: Map<string, SegmentState> }> {
  const tenants: Record<string, Tenant> = {};
  const names = new Map<string, TenantFiles>();
  const states = new Map<string, SegmentState>();
  for (const [id, name] of Object.entries(index.tenants)) {
    const file = (await files.read<TenantFile>(name)) ?? missing(files.describe(name), `the files of tenant ${id}`);
    const crm = (await files.read<CrmFile>(file.files.crm)) ?? missing(files.describe(file.files.crm), `the CRM records of tenant ${id}`);
    const orgStates: Record<string, OrgState> = {};
    const segments: Record<string, CallSegment[]> = {};
    for (const [orgId, orgName] of Object.entries(file.files.orgs)) {
      orgStates[orgId] = (await files.read<OrgState>(orgName)) ?? missing(files.describe(orgName), `the settings of org ${orgId}`);
      segments[orgId] = [];
      for (const name of file.files.segments[orgId] ?? []) {
        const text = (await files.readText(name)) ?? missing(files.describe(name), `the calls of org ${orgId}`);
        const snapshot = parseJson<CallSegment>(text, files.describe(name));
        const n = snapshot.log ?? 0;
        const log = (await files.readText(logName(name, n))) ?? '';
        const { segment, torn } = replay(snapshot, log, files.describe(logName(name, n)));
        segments[orgId].push(segment);
        states.set(name, { n, logBytes: Buffer.byteLength(log), snapshotBytes: Buffer.byteLength(text), dirty: torn });
      }
    }
    tenants[id] = joinTenant(file, orgStates, segments, crm);
    names.set(id, file.files);
  }
  return { db: { schemaVersion: 4, nextTenant: index.nextTenant, tenants }, names, segments: states };
}

/** Writes a file whole; resolves to the bytes written. */
type Put = (name: string, value: unknown) => Promise<number>;

/** Settles when a save including the change is done. */
interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
}

/** What the next save must write. */
class Pending {
  /** Tenants to write whole, under fresh file names (created, reset, or read from an older layout). */
  readonly seeded = new Set<string>();
  readonly tenants = new Set<string>();
  /** `tenant/org` */
  readonly orgs = new Set<string>();
  /** `tenant/org/k`: call-log segments to rewrite whole. */
  readonly segments = new Set<string>();
  /** `tenant/org` -> the calls changed there: a line each on their segments' logs. */
  readonly calls = new Map<string, Set<string>>();
  /** Tenants removed: their files go once the index forgets them. */
  readonly removed = new Set<string>();
  index = false;
  waiters: Waiter[] = [];

  get empty(): boolean {
    return this.seeded.size + this.tenants.size + this.orgs.size + this.segments.size + this.calls.size + this.removed.size === 0 && !this.index;
  }

  merge(other: Pending): void {
    for (const key of ['seeded', 'tenants', 'orgs', 'segments', 'removed'] as const) for (const item of other[key]) this[key].add(item);
    for (const [key, ids] of other.calls) this.addCalls(key, ids);
    this.index ||= other.index;
    this.waiters.push(...other.waiters);
  }

  addCalls(key: string, callrefids: Iterable<string>): void {
    const set = this.calls.get(key) ?? new Set<string>();
    for (const id of callrefids) set.add(id);
    this.calls.set(key, set);
  }
}

export async function openStore({
  location,
  seed,
  flushDelayMs = 100,
  durability = 'acknowledged',
  prepare,
  beforeSave,
  log = (message) => console.error(`phonebridge-mock: ${message}`),
}: StoreOptions): Promise<Store> {
  const inMemory = location === MEMORY;
  const indexName = inMemory ? 'phonebridge.json' : path.basename(location);
  const base = indexName.replace(/\.json$/, '');
  const files = inMemory ? memoryFiles() : await folderFiles(path.dirname(path.resolve(location)));
  const names = new Names(indexName);
  const release = inMemory ? () => {} : lockDatabase(`${path.resolve(location)}.lock`, location);

  let data: Db;
  let fileNames = new Map<string, TenantFiles>();
  /** Each call-log segment file's log (call-log.ts), by file name. */
  let segmentStates = new Map<string, SegmentState>();
  let pending = new Pending();
  try {
    const saved = await files.read<{ schemaVersion?: unknown }>(names.index());
    if (saved === null) {
      data = seed();
      for (const id of Object.keys(data.tenants)) pending.seeded.add(id);
    } else {
      if (!isKnownVersion(saved))
        throw new Error(`the database file ${location} is not a phonebridge-mock database (schemaVersion ${String(saved.schemaVersion)})`);
      if (saved.schemaVersion === 4) {
        const current = await readCurrent(files, saved as unknown as Index);
        data = current.db;
        fileNames = current.names;
        segmentStates = current.segments;
        // A log that ends in a torn line (a crash during an append no one was answered for) is compacted now.
        for (const [id, own] of fileNames)
          for (const [orgId, segmentNames] of Object.entries(own.segments))
            segmentNames.forEach((name, k) => {
              if (segmentStates.get(name)?.dirty) pending.segments.add(`${id}/${orgId}/${k}`);
            });
      } else {
        // An older layout: read whole, written out in the current one by the first save.
        data = migrateDatabase(await readLegacy(files, base, saved as unknown as LegacyMain));
        for (const id of Object.keys(data.tenants)) pending.seeded.add(id);
      }
      data = migrateDatabase(data);
    }
    if (prepare) {
      prepare(data);
      for (const id of Object.keys(data.tenants)) pending.tenants.add(id);
    }
  } catch (error) {
    release();
    throw error;
  }

  let saves = 0;
  let failure: string | null = null;
  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let lastSaveMs = 0;
  let lastSaveBytes = 0;

  /** Writes segment k of an org whole, naming a new (empty) log, then removes the old log. */
  const rewriteSegment = async (put: Put, org: Org, name: string, k: number) => {
    const old = segmentStates.get(name);
    const n = old ? old.n + 1 : 0;
    const snapshotBytes = await put(name, snapshotOf(org, k, n));
    segmentStates.set(name, { n, logBytes: 0, snapshotBytes, dirty: false });
    if (old) await files.remove(logName(name, old.n));
  };

  /** Appends the lines of changed calls to their segments' logs (in parallel); a log that outgrows its snapshot is compacted. */
  const appendCalls = async (put: Put, org: Org, segmentNames: readonly string[], callrefids: Set<string>, rewritten: Set<string>) => {
    const appends: Promise<number>[] = [];
    const compact: [string, number][] = [];
    for (const [k, ids] of bySegment(callrefids)) {
      const name = segmentNames[k]!;
      if (rewritten.has(name)) continue;
      const state = segmentStates.get(name);
      if (!state || needsCompaction(state, k)) {
        compact.push([name, k]);
        continue;
      }
      // Marked until the append is whole: a failed append is never appended to again, but compacted.
      state.dirty = true;
      appends.push(
        files.append(logName(name, state.n), callLines(org, ids)).then((written) => {
          state.logBytes += written;
          state.dirty = false;
          if (needsCompaction(state, k)) compact.push([name, k]);
          return written;
        }),
      );
    }
    const written = await allSettledOrThrow(appends);
    for (const [name, k] of compact) await rewriteSegment(put, org, name, k);
    return written.reduce((sum, bytes) => sum + bytes, 0);
  };

  /** Writes one batch: new seedings' files first, then changed files, then the index (the commit of new or removed tenants), then what is superseded. */
  const write = async (batch: Pending): Promise<number> => {
    let bytes = 0;
    const put: Put = async (name, value) => {
      const written = await files.write(name, value);
      bytes += written;
      return written;
    };
    const superseded: string[] = [];
    for (const id of batch.seeded) {
      const tenant = data.tenants[id];
      if (!tenant) continue;
      const fresh = names.fresh(tenant);
      // Fresh names that nothing names yet (some 70 files): written side by side, then the tenant file that
      // names them all. A new database's first save took ~40 ms one file after another, ~20 ms so.
      const writes: Promise<unknown>[] = [put(fresh.crm, crmFile(tenant))];
      for (const [orgId, org] of Object.entries(tenant.orgs)) {
        beforeSave?.(org);
        writes.push(put(fresh.orgs[orgId]!, orgState(org)));
        for (const [k, name] of fresh.segments[orgId]!.entries()) writes.push(rewriteSegment(put, org, name, k));
      }
      await allSettledOrThrow(writes);
      await put(names.tenant(id), tenantFile(tenant, fresh));
      const old = fileNames.get(id);
      if (old) superseded.push(...filesOf(old));
      fileNames.set(id, fresh);
    }
    // Retention first, so what it drops goes into this save: a line each for the calls it removed.
    for (const key of new Set([...batch.orgs, ...batch.calls.keys()])) {
      const [tenantId, orgId] = key.split('/') as [string, string];
      const org = data.tenants[tenantId]?.orgs[orgId];
      if (!org || batch.seeded.has(tenantId)) continue;
      const dropped = beforeSave?.(org) ?? [];
      if (dropped.length > 0) batch.addCalls(key, dropped);
    }
    for (const key of batch.orgs) {
      const [tenantId, orgId] = key.split('/') as [string, string];
      const org = data.tenants[tenantId]?.orgs[orgId];
      const name = fileNames.get(tenantId)?.orgs[orgId];
      if (!org || !name || batch.seeded.has(tenantId)) continue;
      await put(name, orgState(org));
    }
    const rewritten = new Set<string>();
    for (const key of batch.segments) {
      const [tenantId, orgId, k] = key.split('/') as [string, string, string];
      const org = data.tenants[tenantId]?.orgs[orgId];
      const name = fileNames.get(tenantId)?.segments[orgId]?.[Number(k)];
      if (!org || !name || batch.seeded.has(tenantId)) continue;
      await rewriteSegment(put, org, name, Number(k));
      rewritten.add(name);
    }
    for (const [key, callrefids] of batch.calls) {
      const [tenantId, orgId] = key.split('/') as [string, string];
      const org = data.tenants[tenantId]?.orgs[orgId];
      const segmentNames = fileNames.get(tenantId)?.segments[orgId];
      if (!org || !segmentNames || batch.seeded.has(tenantId)) continue;
      bytes += await appendCalls(put, org, segmentNames, callrefids, rewritten);
    }
    for (const id of batch.tenants) {
      const tenant = data.tenants[id];
      const own = fileNames.get(id);
      if (tenant && own && !batch.seeded.has(id)) await put(names.tenant(id), tenantFile(tenant, own));
    }
    if (batch.index || batch.removed.size > 0 || batch.seeded.size > 0) await put(names.index(), indexOf(data, names));
    for (const id of batch.removed) {
      if (data.tenants[id]) continue;
      const own = fileNames.get(id);
      fileNames.delete(id);
      if (own) superseded.push(...filesOf(own));
      superseded.push(names.tenant(id));
    }
    for (const name of superseded) {
      await files.remove(name);
      const state = segmentStates.get(name);
      if (state) await files.remove(logName(name, state.n));
      segmentStates.delete(name);
    }
    return bytes;
  };

  /** Saves batch after batch while there is something to save; one runs at a time. */
  const run = async () => {
    // Each batch waits out the current turn of the event loop: the requests read in it join the save (fewer, larger writes).
    while ((await new Promise((resolve) => setImmediate(resolve)), !pending.empty)) {
      const batch = pending;
      pending = new Pending();
      const started = performance.now();
      saves++;
      try {
        lastSaveBytes = await write(batch);
        // Nothing more to save: the logs kept open for the next save are closed before anyone hears of this one.
        if (pending.empty) await files.release();
        lastSaveMs = performance.now() - started;
        if (failure !== null) log(`saving ${location} works again`);
        failure = null;
        for (const waiter of batch.waiters) waiter.resolve();
      } catch (error) {
        const reason = (error as Error).message;
        if (failure === null) log(`saving ${location} failed: ${reason}; writes are answered 500 and GET /__admin/health 503 until it works again`);
        failure = reason;
        for (const waiter of batch.waiters) waiter.reject(new Error(`the change could not be saved: ${reason}`));
        batch.waiters = [];
        // Kept for the retry: what is in memory is saved once the disk works again (no file held open meanwhile).
        pending.merge(batch);
        await files.release();
        retryLater();
        return;
      }
    }
  };

  const start = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    running ??= run().finally(() => {
      running = null;
      // What arrived during the last write of a failed run waits for the retry; otherwise go on.
      if (!pending.empty && failure === null) schedule(0);
    });
    return running;
  };

  const schedule = (delayMs: number) => {
    if (timer || running) return;
    timer = setTimeout(() => void start(), delayMs);
    timer.unref();
  };

  const retryLater = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      void start();
    }, RETRY_MS);
    timer.unref();
  };

  const mark = (scope: ChangeScope = {}) => {
    const tenants = scope.tenantId !== undefined ? [scope.tenantId] : Object.keys(data.tenants);
    for (const id of tenants) {
      if (!(scope.orgOnly && scope.orgId !== undefined)) pending.tenants.add(id);
      if (scope.tenantOnly) continue;
      const orgs = scope.orgId !== undefined ? [scope.orgId] : Object.keys(data.tenants[id]?.orgs ?? {});
      for (const orgId of orgs) {
        const callrefids = scope.orgId === undefined ? [] : (scope.callrefids ?? []);
        // A call event changes its calls; what else it moves in its org is restored from them at start (layout.joinTenant).
        if (!(scope.orgOnly && callrefids.length > 0)) pending.orgs.add(`${id}/${orgId}`);
        if (callrefids.length > 0) pending.addCalls(`${id}/${orgId}`, callrefids);
        // A change of no named org may have touched any call: every segment, whole.
        if (scope.orgId === undefined) for (let k = 0; k < SEGMENTS; k++) pending.segments.add(`${id}/${orgId}/${k}`);
      }
    }
  };

  /** Waits until everything pending now is on disk. */
  const commit = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      pending.waiters.push({ resolve, reject });
      if (failure === null || !timer) void start();
    });

  if (!pending.empty) await commit();
  // Files of an older layout, or left by a crash between writing new files and naming them: nothing names them.
  if (!inMemory) await removeUnnamed(files, names, fileNames, segmentStates);

  return {
    data,
    location,
    durability,
    changed(scope) {
      mark(scope);
      if (durability === 'relaxed') {
        schedule(Math.max(flushDelayMs, 2 * lastSaveMs));
        return Promise.resolve();
      }
      return commit();
    },
    async flush() {
      if (running) await running.catch(() => {});
      if (!pending.empty) await commit();
    },
    get saves() {
      return saves;
    },
    get lastSave() {
      return { ms: lastSaveMs, bytes: lastSaveBytes };
    },
    get failure() {
      return failure;
    },
    async readSaved() {
      const saved = await files.read<Index>(names.index());
      return saved && (await readCurrent(files, saved)).db;
    },
    putTenant(tenant) {
      const isNew = !data.tenants[tenant.id];
      data.tenants[tenant.id] = tenant;
      pending.removed.delete(tenant.id);
      pending.seeded.add(tenant.id);
      pending.index ||= isNew;
      return commit();
    },
    removeTenant(id) {
      delete data.tenants[id];
      pending.removed.add(id);
      return commit();
    },
    replace(next) {
      for (const id of Object.keys(data.tenants)) if (!next.tenants[id]) pending.removed.add(id);
      // Everyone holding `data` sees the new state: its contents are replaced, not the object.
      Object.assign(data, next);
      for (const id of Object.keys(data.tenants)) pending.seeded.add(id);
      pending.index = true;
      return commit();
    },
    close() {
      void files.release(); // the logs kept open for appends (none after a flush)
      release();
    },
  };
}

/** Waits for every write, then throws the first failure: nothing of a failed save is still running when it is retried. */
async function allSettledOrThrow<T>(writes: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(writes);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/** Every file a tenant's file names. */
function filesOf(own: TenantFiles): string[] {
  return [own.crm, ...Object.values(own.orgs), ...Object.values(own.segments).flat()];
}

/** Removes the store's data files that no tenant names. */
async function removeUnnamed(files: Files, names: Names, named: Map<string, TenantFiles>, segments: Map<string, SegmentState>): Promise<void> {
  const keep = new Set<string>();
  for (const [id, own] of named) for (const name of [names.tenant(id), ...filesOf(own)]) keep.add(name);
  // Each segment's current log; an older one is left by a crash between a compaction's snapshot and the removal.
  for (const [name, state] of segments) keep.add(logName(name, state.n));
  for (const name of await files.list()) if (names.isDataFile(name) && !keep.has(name)) await files.remove(name);
}
