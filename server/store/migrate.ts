/**
 * Brings a database read from a file written by any earlier version up to
 * the current schema, in place. Opening a store runs it, so nothing else ever
 * sees an old shape.
 */
import { dict } from './dict.js';
import type { Db, Delivery } from './schema.js';

export const SCHEMA_VERSION = 2;

/** A database as an older version may have saved it. */
export type AnyVersionDb = Omit<Db, 'schemaVersion'> & { schemaVersion: 1 | 2; outbox?: Delivery[] };

/** Whether a parsed file is a phonebridge-mock database this version can read. */
export function isKnownVersion(value: { schemaVersion?: unknown }): value is { schemaVersion: 1 | 2 } {
  return value.schemaVersion === 1 || value.schemaVersion === 2;
}

export function migrateDatabase(db: AnyVersionDb): Db {
  // Every record keyed by client input loses its prototype (see dict.ts), also when read from a file.
  db.orgs = dict(db.orgs);
  for (const org of Object.values(db.orgs)) {
    org.clickToCall = dict(org.clickToCall);
    org.calls = dict(org.calls);
    org.activities = dict(org.activities);
    org.outbox ??= [];
  }
  db.vendors = dict(db.vendors);
  db.tokens = dict(db.tokens);
  db.clients = dict(db.clients);
  db.grantCodes = dict(db.grantCodes);
  db.refreshTokens = dict(db.refreshTokens);
  db.nextDeliveryId ??= 1;
  // Version 1 kept one outbox for every org: each entry moves to its org's.
  for (const delivery of db.outbox ?? []) db.orgs[delivery.orgId]?.outbox.push(delivery);
  delete db.outbox;
  db.schemaVersion = SCHEMA_VERSION;
  return db as Db;
}
