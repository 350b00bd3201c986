/**
 * The request journal: per tenant, the last requests vendors sent to the
 * PhoneBridge and accounts APIs, as received and as answered, with hints and
 * call lifecycle warnings. Kept in memory (a restart starts it empty), capped
 * per tenant, oldest dropped.
 */
import { EventEmitter } from 'node:events';
import type { FaultEffect } from '../store/schema.js';
import type { Hint } from './hints.js';

export interface JournalEntry {
  /** Increasing within the tenant. */
  id: string;
  at: string;
  tenant: string;
  method: string;
  path: string;
  query: Record<string, unknown>;
  headers: Record<string, string>;
  /** As received, decoded as UTF-8, the first BODY_CAP bytes; null when there was none. */
  body: string | null;
  bodyTruncated: boolean;
  fields: Record<string, unknown> | null;
  api: string | null;
  operationId: string | null;
  orgId: string | null;
  callrefid: string | null;
  validation: 'passed' | 'failed' | 'skipped';
  preferred: boolean;
  fault: { id: string; effect: FaultEffect } | null;
  response: { status: number; headers: Record<string, string>; body: unknown };
  durationMs: number;
  hints: Hint[];
  warnings: { code: string; message: string }[];
}

export interface JournalFilter {
  operation?: string;
  status?: number;
  /** A part of the path. */
  path?: string;
  method?: string;
  /** ISO instant: entries at or after it. */
  since?: string;
  unmatched?: boolean;
  hinted?: boolean;
  callrefid?: string;
}

interface Log {
  nextId: number;
  entries: JournalEntry[];
}

/** Whether an entry passes every filter given. */
function matches(entry: JournalEntry, filter: JournalFilter, since: number | undefined): boolean {
  return (
    (filter.operation === undefined || entry.operationId === filter.operation) &&
    (filter.status === undefined || entry.response.status === filter.status) &&
    (filter.path === undefined || entry.path.includes(filter.path)) &&
    (filter.method === undefined || entry.method === filter.method.toUpperCase()) &&
    (since === undefined || Date.parse(entry.at) >= since) &&
    (filter.unmatched === undefined || (entry.operationId === null) === filter.unmatched) &&
    (filter.hinted === undefined || entry.hints.length + entry.warnings.length > 0 === filter.hinted) &&
    (filter.callrefid === undefined || entry.callrefid === filter.callrefid)
  );
}

interface JournalEvents {
  entry: [JournalEntry];
}

/** Emits `entry` for every entry added. */
export class Journal extends EventEmitter<JournalEvents> {
  private readonly logs = new Map<string, Log>();

  /** @param max entries kept per tenant (PHONEBRIDGE_JOURNAL_MAX). */
  constructor(private readonly max: number) {
    super();
  }

  private log(tenant: string): Log {
    let log = this.logs.get(tenant);
    if (!log) this.logs.set(tenant, (log = { nextId: 1, entries: [] }));
    return log;
  }

  add(entry: Omit<JournalEntry, 'id'>): JournalEntry {
    const log = this.log(entry.tenant);
    const added = { id: String(log.nextId++), ...entry };
    log.entries.push(added);
    // Dropped in batches, so a full journal does not shift its array on every request.
    if (log.entries.length > this.max) log.entries.splice(0, Math.max(log.entries.length - this.max, Math.ceil(this.max / 10)));
    this.emit('entry', added);
    return added;
  }

  /** Newest first. */
  list(tenant: string, filter: JournalFilter = {}, limit = 100): JournalEntry[] {
    const since = filter.since === undefined ? undefined : Date.parse(filter.since);
    const entries = this.logs.get(tenant)?.entries ?? [];
    const found: JournalEntry[] = [];
    for (let i = entries.length - 1; i >= 0 && found.length < limit; i--) if (matches(entries[i]!, filter, since)) found.push(entries[i]!);
    return found;
  }

  count(tenant: string, filter: JournalFilter = {}): number {
    const since = filter.since === undefined ? undefined : Date.parse(filter.since);
    return (this.logs.get(tenant)?.entries ?? []).reduce((n, entry) => n + (matches(entry, filter, since) ? 1 : 0), 0);
  }

  get(tenant: string, id: string): JournalEntry | undefined {
    return this.logs.get(tenant)?.entries.find((e) => e.id === id);
  }

  /** Empties the tenant's journal; ids keep increasing. */
  clear(tenant: string): void {
    this.log(tenant).entries = [];
  }

  /** Forgets a removed tenant. */
  forget(tenant: string): void {
    this.logs.delete(tenant);
  }
}
