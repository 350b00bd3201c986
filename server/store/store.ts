import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { JSONFile } from 'lowdb/node';
import { isKnownVersion, migrateDatabase, SCHEMA_VERSION, type AnyVersionDb } from './migrate.js';
import type { Crm, Db, Org } from './schema.js';

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
  /** What the last save wrote (the CRM included), read back: for a file, the file itself. */
  readSaved(): Promise<Db | null>;
  /**
   * Puts a fresh database's orgs in place of these orgs (every org when none
   * are named), with their tokens and grants, and saves at once. Other orgs
   * are left as they are.
   */
  replace(next: Db, orgIds?: readonly string[]): Promise<void>;
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
type SavedDb = Omit<AnyVersionDb, 'orgs'> & { orgs: Record<string, SavedOrg> };
interface CrmFile {
  orgs: Record<string, Crm>;
}

/**
 * Where saves go: the two JSON files, or memory. Both kinds go through the
 * same save path, so what an in-process test sees saved is what a file would hold.
 */
interface SaveTarget {
  readMain(): Promise<SavedDb | null>;
  readCrm(): Promise<CrmFile | null>;
  writeMain(db: SavedDb): Promise<void>;
  writeCrm(crm: CrmFile): Promise<void>;
}

/** `data/phonebridge.json` -> `data/phonebridge.crm.json`. */
export function crmFileOf(location: string): string {
  return location.replace(/(\.json)?$/, '.crm.json');
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
  const crmLocation = crmFileOf(location);
  const main = new JSONFile<SavedDb | null>(location);
  const crm = new JSONFile<CrmFile | null>(crmLocation);
  return {
    readMain: () => readJson(main, location),
    readCrm: () => readJson(crm, crmLocation),
    // JSONFile stringifies synchronously when called, so the saved snapshot is consistent.
    writeMain: (db) => main.write(db),
    writeCrm: (file) => crm.write(file),
  };
}

/** Saves kept as JSON text in memory: nothing touches the disk. */
function memoryTarget(): SaveTarget {
  let main: string | null = null;
  let crm: string | null = null;
  return {
    readMain: () => Promise.resolve(main === null ? null : (JSON.parse(main) as SavedDb)),
    readCrm: () => Promise.resolve(crm === null ? null : (JSON.parse(crm) as CrmFile)),
    writeMain: (db) => Promise.resolve(void (main = JSON.stringify(db))),
    writeCrm: (file) => Promise.resolve(void (crm = JSON.stringify(file))),
  };
}

/** Joins the saved main file and the CRM file into one database; throws when an org's CRM is missing. */
function joinCrm(saved: SavedDb, crm: CrmFile | null, describe: () => string): { db: AnyVersionDb; crmInline: boolean } {
  let crmInline = false;
  for (const [id, org] of Object.entries(saved.orgs)) {
    // A file written before the split carries its CRM inline: keep it, and move it out on the next save.
    if (org.crm) crmInline = true;
    else if (crm?.orgs[id]) org.crm = crm.orgs[id];
    else throw new Error(`the CRM records of org ${id} are missing: ${describe()}; move both away to start afresh`);
  }
  return { db: saved as AnyVersionDb, crmInline };
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
  const crmLocation = crmFileOf(location);
  const saved = await target.readMain();
  const savedCrm = await target.readCrm();

  let data: Db;
  let crmToWrite = saved === null;
  let dirty = saved === null;
  if (saved === null) {
    data = seed();
  } else {
    if (!isKnownVersion(saved))
      throw new Error(
        `the database file ${location} is not a phonebridge-mock database (schemaVersion ${String((saved as { schemaVersion?: unknown }).schemaVersion)})`,
      );
    const joined = joinCrm(saved, savedCrm, () => `${crmLocation} belongs beside ${location}`);
    crmToWrite = joined.crmInline;
    dirty = joined.db.schemaVersion !== SCHEMA_VERSION;
    data = migrateDatabase(joined.db);
  }
  if (prepare) {
    prepare(data);
    dirty = true;
  }

  let timer: NodeJS.Timeout | null = null;
  let saving: Promise<void> | null = null;
  let lastSaveMs = 0;
  let saves = 0;

  /** The database without the CRM: what each save writes. A shallow copy per org, not a deep one. */
  const withoutCrm = (): SavedDb => ({ ...data, orgs: Object.fromEntries(Object.entries(data.orgs).map(([id, { crm: _crm, ...org }]) => [id, org])) });

  const write = async () => {
    if (crmToWrite) {
      await target.writeCrm({ orgs: Object.fromEntries(Object.entries(data.orgs).map(([id, org]) => [id, org.crm])) });
      crmToWrite = false;
    }
    await target.writeMain(withoutCrm());
  };

  const save = async (): Promise<void> => {
    timer = null;
    while (saving) await saving;
    if (!dirty && !crmToWrite) return;
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

  if (dirty || crmToWrite) await save();

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
    async readSaved() {
      const main = await target.readMain();
      return main && (joinCrm(main, await target.readCrm(), () => `${crmLocation} was not saved`).db as Db);
    },
    async replace(next, orgIds) {
      replaceOrgs(data, next, orgIds);
      crmToWrite = true;
      dirty = true;
      if (timer) clearTimeout(timer);
      await save();
    },
  };
}

/**
 * Everyone holding `data` sees the new state: its contents are replaced, not
 * the object. Without org ids, everything (the seed too); with them, those
 * orgs and what belongs to them (tokens, refresh tokens, grant codes).
 */
function replaceOrgs(data: Db, next: Db, orgIds: readonly string[] | undefined): void {
  if (!orgIds) {
    for (const key of Object.keys(data)) delete (data as unknown as Record<string, unknown>)[key];
    Object.assign(data, next);
    return;
  }
  const belongs = (record: { orgId: string }) => orgIds.includes(record.orgId);
  for (const id of orgIds) {
    if (next.orgs[id]) data.orgs[id] = next.orgs[id];
    else delete data.orgs[id];
  }
  for (const key of ['tokens', 'refreshTokens', 'grantCodes'] as const) {
    const records = data[key] as Record<string, { orgId: string }>;
    for (const [name, record] of Object.entries(records)) if (belongs(record)) delete records[name];
    for (const [name, record] of Object.entries(next[key] as Record<string, { orgId: string }>)) if (belongs(record)) records[name] = record;
  }
}
