/**
 * Brings a database read from a file written by any earlier version up to
 * the current schema, in place. Opening a store runs it, so nothing else ever
 * sees an old shape.
 */
import { LICENSED_ORG_ID, OAUTH_CLIENTS, TOKENS } from '../../fixtures/personas.js';
import { dict } from './dict.js';
import { DEFAULT_TENANT, type Db, type Delivery, type Tenant } from './schema.js';

const V3_SCOPE = 'PhoneBridge.call.log';

export const SCHEMA_VERSION = 4;

/** One world as versions 1 and 2 saved the whole database. */
export type LegacyDb = Omit<
  Tenant,
  | 'id'
  | 'label'
  | 'number'
  | 'crmSize'
  | 'createdAt'
  | 'lastUsedAt'
  | 'personas'
  | 'clientIds'
  | 'defaultOrgId'
  | 'clockOffsetMs'
  | 'faults'
  | 'nextFaultId'
  | 'limits'
> & {
  schemaVersion: 1 | 2;
  outbox?: Delivery[];
};

/** Version 3: tenants, all in one file (4 has the same shape, split in files: layout.ts). */
export type Version3Db = Omit<Db, 'schemaVersion'> & { schemaVersion: 3 | 4 };

/** A database as any version may have saved it. */
export type AnyVersionDb = Version3Db | LegacyDb;

/** Whether a parsed file is a phonebridge-mock database this version can read. */
export function isKnownVersion(value: { schemaVersion?: unknown }): value is AnyVersionDb {
  return value.schemaVersion === 1 || value.schemaVersion === 2 || value.schemaVersion === 3 || value.schemaVersion === 4;
}

/** Prototype-free records, and what later versions added, in one tenant. */
function migrateTenant(tenant: Tenant & { outbox?: Delivery[] }): Tenant {
  // Every record keyed by client input loses its prototype (see dict.ts), also when read from a file.
  tenant.orgs = dict(tenant.orgs);
  for (const org of Object.values(tenant.orgs)) {
    org.clickToCall = dict(org.clickToCall);
    org.calls = dict(org.calls);
    org.activities = dict(org.activities);
    org.outbox ??= [];
  }
  tenant.vendors = dict(tenant.vendors);
  tenant.tokens = dict(tenant.tokens);
  tenant.clients = dict(tenant.clients);
  tenant.grantCodes = dict(tenant.grantCodes);
  tenant.refreshTokens = dict(tenant.refreshTokens);
  tenant.nextDeliveryId ??= 1;
  // Added within version 4 (PhoneBridge v3): the fixed persona tokens carry v3's scope too.
  for (const token of Object.values(tenant.personas ?? {})) {
    const grant = tenant.tokens[token];
    if (grant && !grant.scopes.includes(V3_SCOPE)) grant.scopes.push(V3_SCOPE);
  }
  // Added within version 3 (clock, faults, limits): a file without them has none.
  tenant.clockOffsetMs ??= 0;
  tenant.faults ??= [];
  tenant.nextFaultId ??= 1;
  tenant.limits ??= null;
  // Version 1 kept one outbox for every org: each entry moves to its org's.
  for (const delivery of tenant.outbox ?? []) tenant.orgs[delivery.orgId]?.outbox.push(delivery);
  delete tenant.outbox;
  return tenant;
}

/** Versions 1 and 2 held one world: it becomes the default tenant, with the fixed personas and clients. */
function legacyToTenant({ schemaVersion: _version, ...world }: LegacyDb, now: string): Tenant {
  const licensed = world.orgs[LICENSED_ORG_ID];
  return {
    id: DEFAULT_TENANT,
    label: DEFAULT_TENANT,
    number: 0,
    crmSize: licensed?.crm.leads.length ?? 50,
    createdAt: now,
    lastUsedAt: now,
    personas: { ...TOKENS },
    clientIds: Object.fromEntries(OAUTH_CLIENTS.map((c) => [c.vendor, c.clientId])),
    defaultOrgId: LICENSED_ORG_ID,
    clockOffsetMs: 0,
    faults: [],
    nextFaultId: 1,
    limits: null,
    ...world,
  };
}

export function migrateDatabase(db: AnyVersionDb, now: Date = new Date()): Db {
  const current: Db =
    db.schemaVersion === 3 || db.schemaVersion === 4
      ? { ...db, schemaVersion: SCHEMA_VERSION }
      : { schemaVersion: SCHEMA_VERSION, nextTenant: 1, tenants: { [DEFAULT_TENANT]: legacyToTenant(db as LegacyDb, now.toISOString()) } };
  current.tenants = dict(current.tenants);
  for (const tenant of Object.values(current.tenants)) migrateTenant(tenant);
  return current;
}
