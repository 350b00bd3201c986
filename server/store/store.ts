import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { JSONFile } from 'lowdb/node';
import { isKnownVersion, migrateDatabase, type AnyVersionDb, type LegacyDb } from './migrate.js';
import { DEFAULT_TENANT, type Crm, type Db, type Org, type Tenant } from './schema.js';

/** The in-memory database, saved behind the requests that change it. */
export interface Store {
  readonly data: Db;
  /** Where it is saved, or ':memory:'. */
  readonly location: string;
  /** Call after changing `data`: schedules one coalesced save. The engine calls it after every write operation. */
  changed(): void;
  /** Saves now if anything changed, and waits for every save in flight. */
  flush(): Promise<void>;
  /** How many times the database has been written since opening. */
  readonly saves: number;
  /** Why the last save failed, or null when it succeeded (or none was needed). */
  readonly failure: string | null;
  /** What the last save wrote (the CRM included), read back: for a file, the files themselves. */
  readSaved(): Promise<Db | null>;
  /** Puts a tenant in place (a new one, or a fresh world for one that exists) and saves it, its CRM included, before resolving. */
  putTenant(tenant: Tenant): Promise<void>;
  /** Removes a tenant and its CRM file, and saves. */
  removeTenant(id: string): Promise<void>;
  /** Puts a whole database in place of this one (every tenant) and saves it. */
  replace(next: Db): Promise<void>;
}

export interface StoreOptions {
  /** A JSON file path, or ':memory:' for a store that is saved in memory only. */
  location: string;
  /** Builds the first database when the file does not exist yet. */
  seed: () => Db;
  /** Shortest pause between two saves, in ms. */
  flushDelayMs?: number;
  /** Runs on the database once it is read or seeded, before anything uses it (e.g. restore the fixed tokens); its changes are saved. */
  prepare?: (db: Db) => void;
}

export const MEMORY = ':memory:';

type SavedOrg = Omit<Org, 'crm'> & { crm?: Crm };
type SavedTenant = Omit<Tenant, 'orgs'> & { orgs: Record<string, SavedOrg> };
type SavedDb = Omit<Db, 'tenants'> & { tenants: Record<string, SavedTenant> };
/** Versions 1 and 2: one world, its CRM in the one CRM file. */
type SavedLegacyDb = Omit<LegacyDb, 'orgs'> & { orgs: Record<string, SavedOrg> };
interface CrmFile {
  orgs: Record<string, Crm>;
}

/**
 * Where saves go: the JSON files, or memory. Both kinds go through the
 * same save path, so what an in-process test sees saved is what a file would hold.
 */
interface SaveTarget {
  readMain(): Promise<SavedDb | SavedLegacyDb | null>;
  readCrm(tenantId: string): Promise<CrmFile | null>;
  writeMain(db: SavedDb): Promise<void>;
  writeCrm(tenantId: string, crm: CrmFile): Promise<void>;
  removeCrm(tenantId: string): Promise<void>;
}

/**
 * Where a tenant's CRM records are saved: `data/phonebridge.json` ->
 * `data/phonebridge.crm.json` for the default tenant (the file earlier versions wrote),
 * `data/phonebridge.crm.<tenant>.json` for the others.
 */
export function crmFileOf(location: string, tenantId: string = DEFAULT_TENANT): string {
  return location.replace(/(\.json)?$/, tenantId === DEFAULT_TENANT ? '.crm.json' : `.crm.${tenantId}.json`);
}

async function readJson<T>(file: JSONFile<T | null>, location: string): Promise<T | null> {
  try {
    return await file.read();
  } catch (error) {
    throw new Error(`the database file ${location} is not valid JSON (${(error as Error).message}); move it away to start afresh, or set PHONEBRIDGE_DB`);
  }
}

/** lowdb's JSON files: each write goes to a temporary file, then is renamed over the old one. */
async function fileTarget(location: string): Promise<SaveTarget> {
  await mkdir(path.dirname(path.resolve(location)), { recursive: true });
  const main = new JSONFile<SavedDb | SavedLegacyDb | null>(location);
  const crmFile = (tenantId: string) => new JSONFile<CrmFile | null>(crmFileOf(location, tenantId));
  return {
    readMain: () => readJson(main, location),
    readCrm: (tenantId) => readJson(crmFile(tenantId), crmFileOf(location, tenantId)),
    // JSONFile stringifies synchronously when called, so the saved snapshot is consistent.
    writeMain: (db) => main.write(db),
    writeCrm: (tenantId, file) => crmFile(tenantId).write(file),
    removeCrm: (tenantId) => rm(crmFileOf(location, tenantId), { force: true }),
  };
}

/** Saves kept as JSON text in memory: nothing touches the disk. */
function memoryTarget(): SaveTarget {
  let main: string | null = null;
  const crm = new Map<string, string>();
  return {
    readMain: () => Promise.resolve(main === null ? null : (JSON.parse(main) as SavedDb)),
    readCrm: (tenantId) => Promise.resolve(crm.has(tenantId) ? (JSON.parse(crm.get(tenantId)!) as CrmFile) : null),
    writeMain: (db) => Promise.resolve(void (main = JSON.stringify(db))),
    writeCrm: (tenantId, file) => Promise.resolve(void crm.set(tenantId, JSON.stringify(file))),
    removeCrm: (tenantId) => Promise.resolve(void crm.delete(tenantId)),
  };
}

/** Joins one world's saved orgs and its CRM file; throws when an org's CRM is missing. Returns whether a CRM was inline (a file from before the split). */
function joinCrm(orgs: Record<string, SavedOrg>, crm: CrmFile | null, describe: () => string): boolean {
  let crmInline = false;
  for (const [id, org] of Object.entries(orgs)) {
    // A file written before the split carries its CRM inline: keep it, and move it out on the next save.
    if (org.crm) crmInline = true;
    else if (crm?.orgs[id]) org.crm = crm.orgs[id];
    else throw new Error(`the CRM records of org ${id} are missing: ${describe()}; move both away to start afresh`);
  }
  return crmInline;
}

/** Reads the main file and every tenant's CRM file into one database of any version; `crmInline` lists the tenants whose CRM must be written out. */
async function readAll(target: SaveTarget, location: string): Promise<{ db: AnyVersionDb; crmInline: string[] } | null> {
  const saved = await target.readMain();
  if (saved === null) return null;
  if (!isKnownVersion(saved))
    throw new Error(
      `the database file ${location} is not a phonebridge-mock database (schemaVersion ${String((saved as { schemaVersion?: unknown }).schemaVersion)})`,
    );
  const worlds: [string, Record<string, SavedOrg>][] =
    saved.schemaVersion === 3 ? Object.entries((saved as SavedDb).tenants).map(([id, t]) => [id, t.orgs]) : [[DEFAULT_TENANT, (saved as SavedLegacyDb).orgs]];
  const crmInline: string[] = [];
  for (const [id, orgs] of worlds) {
    const crm = await target.readCrm(id);
    if (joinCrm(orgs, crm, () => `${crmFileOf(location, id)} belongs beside ${location}`)) crmInline.push(id);
  }
  return { db: saved, crmInline };
}

/**
 * Opens the database. A file that exists is read, migrated to the current
 * schema (and never overwritten if it is not valid JSON); a missing one is
 * seeded and saved at once.
 *
 * The CRM records, which the API never changes, live in a second file beside
 * the first (`*.crm.json`), written when the database is created; the first
 * holds what requests change. Saves are coalesced: a request marks the store
 * changed and returns; one save runs at a time, and the next waits at least
 * `flushDelayMs` or twice the last save's duration. So per-request cost does
 * not grow with the CRM.
 */
export async function openStore({ location, seed, flushDelayMs = 100, prepare }: StoreOptions): Promise<Store> {
  const inMemory = location === MEMORY;
  const target = inMemory ? memoryTarget() : await fileTarget(location);
  const read = await readAll(target, location);

  let data: Db;
  /** Tenants whose CRM file must be (re)written, and tenants whose CRM file must go. */
  const crmToWrite = new Set<string>();
  const crmToRemove = new Set<string>();
  let dirty = read === null;
  if (read === null) {
    data = seed();
    for (const id of Object.keys(data.tenants)) crmToWrite.add(id);
  } else {
    for (const id of read.crmInline) crmToWrite.add(id);
    dirty = read.db.schemaVersion !== 3;
    data = migrateDatabase(read.db);
  }
  if (prepare) {
    prepare(data);
    dirty = true;
  }

  let timer: NodeJS.Timeout | null = null;
  let saving: Promise<void> | null = null;
  let lastSaveMs = 0;
  let saves = 0;
  const failure: string | null = null;

  /** The database without the CRM: what each save writes. A shallow copy per tenant and org, not a deep one. */
  const withoutCrm = (): SavedDb => ({
    ...data,
    tenants: Object.fromEntries(
      Object.entries(data.tenants).map(([id, tenant]) => [
        id,
        { ...tenant, orgs: Object.fromEntries(Object.entries(tenant.orgs).map(([orgId, { crm: _crm, ...org }]) => [orgId, org])) },
      ]),
    ),
  });

  const write = async () => {
    // The CRM files first: the main file never names a tenant whose CRM is not on disk.
    for (const id of [...crmToWrite]) {
      const tenant = data.tenants[id];
      crmToWrite.delete(id);
      if (tenant) await target.writeCrm(id, { orgs: Object.fromEntries(Object.entries(tenant.orgs).map(([orgId, org]) => [orgId, org.crm])) });
    }
    await target.writeMain(withoutCrm());
    // And removed last: until the main file forgets a tenant, its CRM stays.
    for (const id of [...crmToRemove]) {
      crmToRemove.delete(id);
      if (!data.tenants[id]) await target.removeCrm(id);
    }
  };

  const save = async (): Promise<void> => {
    timer = null;
    while (saving) await saving;
    if (!dirty && crmToWrite.size === 0 && crmToRemove.size === 0) return;
    dirty = false;
    const started = performance.now();
    saves++;
    saving = write().finally(() => {
      saving = null;
      lastSaveMs = performance.now() - started;
    });
    try {
      await saving;
    } catch (error) {
      dirty = true; // keep the change; the next save retries
      throw error;
    }
    if (dirty) schedule();
  };

  const schedule = () => {
    if (timer) return;
    timer = setTimeout(
      () => void save().catch((error) => console.error(`phonebridge-mock: saving ${location} failed:`, error)),
      Math.max(flushDelayMs, 2 * lastSaveMs),
    );
    timer.unref();
  };

  /** Saves now (after any save in flight): for changes a client waits on. */
  const saveNow = async () => {
    dirty = true;
    if (timer) clearTimeout(timer);
    timer = null;
    await save();
  };

  if (dirty || crmToWrite.size > 0) await save();

  return {
    data,
    location,
    changed() {
      dirty = true;
      schedule();
    },
    async flush() {
      if (timer) clearTimeout(timer);
      await save();
    },
    get saves() {
      return saves;
    },
    get failure() {
      return failure;
    },
    async readSaved() {
      const saved = await readAll(target, location);
      return saved && migrateDatabase(saved.db);
    },
    async putTenant(tenant) {
      data.tenants[tenant.id] = tenant;
      crmToRemove.delete(tenant.id);
      crmToWrite.add(tenant.id);
      await saveNow();
    },
    async removeTenant(id) {
      delete data.tenants[id];
      crmToWrite.delete(id);
      crmToRemove.add(id);
      await saveNow();
    },
    async replace(next) {
      for (const id of Object.keys(data.tenants)) if (!next.tenants[id]) crmToRemove.add(id);
      // Everyone holding `data` sees the new state: its contents are replaced, not the object.
      Object.assign(data, next);
      for (const id of Object.keys(data.tenants)) crmToWrite.add(id);
      await saveNow();
    },
  };
}
