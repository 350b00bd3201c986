import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Low, Memory } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import type { Db } from './schema.js';

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

/**
 * Opens the database. A file that exists is read (and never overwritten if it
 * is not valid JSON); a missing one is seeded and saved at once.
 *
 * Saves are coalesced: a request marks the store changed and returns; one save
 * runs at a time, and the next waits at least `flushDelayMs` or twice the last
 * save's duration, so per-request cost does not grow with the database.
 */
export async function openStore({ location, seed, flushDelayMs = 100 }: StoreOptions): Promise<Store> {
  if (location === MEMORY) {
    const low = new Low<Db>(new Memory<Db>(), seed());
    return { data: low.data, location, changed() {}, flush: async () => {}, saves: 0 };
  }

  await mkdir(path.dirname(path.resolve(location)), { recursive: true });
  const low = new Low<Db | null>(new JSONFile<Db | null>(location), null);
  try {
    await low.read();
  } catch (error) {
    throw new Error(`the database file ${location} is not valid JSON (${(error as Error).message}); move it away to start afresh, or set PHONEBRIDGE_DB`);
  }
  const isNew = low.data === null;
  if (isNew) low.data = seed();
  if (low.data!.schemaVersion !== 1) {
    throw new Error(`the database file ${location} is not a phonebridge-mock database (schemaVersion ${String(low.data!.schemaVersion)})`);
  }

  let dirty = isNew;
  let timer: NodeJS.Timeout | null = null;
  let saving: Promise<void> | null = null;
  let lastSaveMs = 0;
  let saves = 0;

  const save = async (): Promise<void> => {
    timer = null;
    while (saving) await saving;
    if (!dirty) return;
    dirty = false;
    const started = performance.now();
    saves++;
    // JSONFile stringifies synchronously when called, so the saved snapshot is consistent.
    saving = low.write().finally(() => {
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

  if (isNew) await save();

  return {
    data: low.data!,
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
  };
}
