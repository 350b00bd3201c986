import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Low, Memory } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import type { Crm, Db, Org } from './schema.js';

/** The in-memory database, saved behind the requests that change it. */
export interface Store {
  readonly data: Db;
  /** Where it is saved, or ':memory:'. */
  readonly location: string;
  /** Call after changing `data`: schedules one coalesced save. */
  changed(): void;
  /** Saves now if anything changed, and waits for every save in flight. */
  flush(): Promise<void>;
  /** How many times the file has been written since opening. */
  readonly saves: number;
  /** Replaces the whole database in place (the CRM too) and saves it. */
  replace(next: Db): Promise<void>;
}

export interface StoreOptions {
  /** A JSON file path, or ':memory:' for a store that is never saved. */
  location: string;
  /** Builds the first database when the file does not exist yet. */
  seed: () => Db;
  /** Shortest pause between two saves, in ms. */
  flushDelayMs?: number;
}

export const MEMORY = ':memory:';

type SavedOrg = Omit<Org, 'crm'> & { crm?: Crm };
type SavedDb = Omit<Db, 'orgs'> & { orgs: Record<string, SavedOrg> };
interface CrmFile {
  orgs: Record<string, Crm>;
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

/**
 * Opens the database. A file that exists is read (and never overwritten if it
 * is not valid JSON); a missing one is seeded and saved at once.
 *
 * The CRM records, which the API never changes, live in a second file beside
 * the first (`*.crm.json`), written when the database is created; the first
 * holds what requests change. Saves are coalesced: a request marks the store
 * changed and returns; one save runs at a time, and the next waits at least
 * `flushDelayMs` or twice the last save's duration. So per-request cost does
 * not grow with the CRM.
 */
export async function openStore({ location, seed, flushDelayMs = 100 }: StoreOptions): Promise<Store> {
  if (location === MEMORY) {
    const low = new Low<Db>(new Memory<Db>(), seed());
    return { data: low.data, location, changed() {}, flush: async () => {}, saves: 0, replace: async (next) => replaceInPlace(low.data, next) };
  }

  await mkdir(path.dirname(path.resolve(location)), { recursive: true });
  const crmLocation = crmFileOf(location);
  const mainFile = new JSONFile<SavedDb | null>(location);
  const crmFile = new JSONFile<CrmFile | null>(crmLocation);
  const saved = await readJson(mainFile, location);
  const savedCrm = await readJson(crmFile, crmLocation);

  let data: Db;
  let crmToWrite = saved === null;
  if (saved === null) {
    data = seed();
  } else {
    if (saved.schemaVersion !== 1) throw new Error(`the database file ${location} is not a phonebridge-mock database (schemaVersion ${String(saved.schemaVersion)})`);
    for (const [id, org] of Object.entries(saved.orgs)) {
      // A file written before the split carries its CRM inline: keep it, and move it out on the next save.
      if (org.crm) crmToWrite = true;
      else if (savedCrm?.orgs[id]) org.crm = savedCrm.orgs[id];
      else throw new Error(`the CRM records of org ${id} are missing: ${crmLocation} belongs beside ${location}; move both away to start afresh`);
    }
    data = saved as Db;
  }

  let dirty = saved === null;
  let timer: NodeJS.Timeout | null = null;
  let saving: Promise<void> | null = null;
  let lastSaveMs = 0;
  let saves = 0;

  /** The database without the CRM: what each save writes. A shallow copy per org, not a deep one. */
  const withoutCrm = (): SavedDb => ({ ...data, orgs: Object.fromEntries(Object.entries(data.orgs).map(([id, { crm: _crm, ...org }]) => [id, org])) });

  const write = async () => {
    if (crmToWrite) {
      await crmFile.write({ orgs: Object.fromEntries(Object.entries(data.orgs).map(([id, org]) => [id, org.crm])) });
      crmToWrite = false;
    }
    // JSONFile stringifies synchronously when called, so the saved snapshot is consistent.
    await mainFile.write(withoutCrm());
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
    timer = setTimeout(() => save().catch((error) => console.error(`phonebridge-mock: saving ${location} failed:`, error)), Math.max(flushDelayMs, 2 * lastSaveMs));
    timer.unref();
  };

  if (saved === null || crmToWrite) await save();

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
    async replace(next) {
      replaceInPlace(data, next);
      crmToWrite = true;
      dirty = true;
      if (timer) clearTimeout(timer);
      await save();
    },
  };
}

/** Everyone holding `data` sees the new database: its keys are replaced, not the object. */
function replaceInPlace(data: Db, next: Db): void {
  for (const key of Object.keys(data)) delete (data as unknown as Record<string, unknown>)[key];
  Object.assign(data, next);
}
