/**
 * How the database is laid out in files, so a save rewrites only what
 * changed and never the CRM:
 *
 *   phonebridge.json                          the index: schema version, tenants and their files (the commit point of a new or removed tenant)
 *   phonebridge.tenant.<tenant>.json          a tenant: its tokens, clients, settings, orgs' users, and the names of its other files (the commit point of a reset)
 *   phonebridge.org.<tenant>.<org>.<gen>.json what requests change in one org: integration, registrations, outbox
 *   phonebridge.calls.<tenant>.<org>.<gen>.<k>.json  one of an org's SEGMENTS call-log snapshots: the calls whose callrefid
 *                                             hashes to k, with their activities, and the number n of its log
 *   phonebridge.calls.<tenant>.<org>.<gen>.<k>.<n>.log  the calls changed since that snapshot, a line each (call-log.ts)
 *   phonebridge.crm.<tenant>.<gen>.json       the tenant's CRM records, written once per seeding
 *
 * A new seeding (a tenant created or reset) writes its org and CRM files
 * under new generation names first, then the file that names them; the old
 * ones are removed after. So a crash at any moment leaves the old state or the
 * new one, never a mix.
 */
import { randomBytes } from 'node:crypto';
import { dict } from './dict.js';
import type { Crm, Db, Org, Tenant } from './schema.js';

export const LAYOUT_VERSION = 4;

export interface Index {
  schemaVersion: typeof LAYOUT_VERSION;
  nextTenant: number;
  /** Tenant id -> its tenant file. */
  tenants: Record<string, string>;
}

/** The parts of an org that requests change: saved per org. */
type OrgStateKey = 'integration' | 'clickToCall' | 'outbox' | 'nextId';
export type OrgState = Pick<Org, OrgStateKey>;
type OrgStatic = Omit<Org, OrgStateKey | 'calls' | 'activities' | 'crm'>;

/** Call-log files per org: a call event rewrites one sixteenth of the log. */
export const SEGMENTS = 16;

/** Which segment a call (and its activity) lives in: FNV-1a of its callrefid. */
export function segmentOf(callrefid: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < callrefid.length; i++) hash = Math.imul(hash ^ callrefid.charCodeAt(i), 0x01000193) >>> 0;
  return hash % SEGMENTS;
}

export interface CallSegment {
  calls: Org['calls'];
  activities: Org['activities'];
  /** The log of calls changed since this snapshot (call-log.ts); absent: 0. */
  log?: number;
  /** The org's next id when it was written (call events move it without the org file). */
  nextId?: number;
}

/** The files of one tenant besides its tenant file. */
export interface TenantFiles {
  crm: string;
  orgs: Record<string, string>;
  /** Each org's call-log files, by segment. */
  segments: Record<string, string[]>;
}

export interface TenantFile extends Omit<Tenant, 'orgs'> {
  orgs: Record<string, OrgStatic>;
  files: TenantFiles;
}

export interface CrmFile {
  orgs: Record<string, Crm>;
}

export class Names {
  /** `indexName`: the database's own file name (`phonebridge.json`); the others start with it, less `.json`. */
  constructor(private readonly indexName: string) {
    this.base = indexName.replace(/\.json$/, '');
  }

  private readonly base: string;

  index(): string {
    return this.indexName;
  }

  tenant(id: string): string {
    return `${this.base}.tenant.${id}.json`;
  }

  /** Fresh names for a new seeding of a tenant. */
  fresh(tenant: Tenant): TenantFiles {
    const gen = randomBytes(4).toString('hex');
    return {
      crm: `${this.base}.crm.${tenant.id}.${gen}.json`,
      orgs: Object.fromEntries(Object.keys(tenant.orgs).map((orgId) => [orgId, `${this.base}.org.${tenant.id}.${orgId}.${gen}.json`])),
      segments: Object.fromEntries(
        Object.keys(tenant.orgs).map((orgId) => [
          orgId,
          Array.from({ length: SEGMENTS }, (_, k) => `${this.base}.calls.${tenant.id}.${orgId}.${gen}.${k}.json`),
        ]),
      ),
    };
  }

  /** Whether a file name is one of the store's data files (not the index, a lock or a temporary file). */
  isDataFile(name: string): boolean {
    return name.startsWith(`${this.base}.`) && /\.(tenant|org|crm)\..*\.json$|\.calls\..*\.(json|log)$|\.crm\.json$/.test(name.slice(this.base.length));
  }
}

export function orgState(org: Org): OrgState {
  const { integration, clickToCall, outbox, nextId } = org;
  return { integration, clickToCall, outbox, nextId };
}

export function tenantFile(tenant: Tenant, files: TenantFiles): TenantFile {
  const orgs = Object.fromEntries(
    Object.entries(tenant.orgs).map(([id, org]) => {
      const { crm: _crm, integration: _1, clickToCall: _2, calls: _3, activities: _4, outbox: _5, nextId: _6, ...rest } = org;
      return [id, rest];
    }),
  );
  return { ...tenant, orgs, files };
}

export function crmFile(tenant: Tenant): CrmFile {
  return { orgs: Object.fromEntries(Object.entries(tenant.orgs).map(([id, org]) => [id, org.crm])) };
}

/** A tenant from its files. */
export function joinTenant(
  { files: _files, orgs, ...rest }: TenantFile,
  states: Record<string, OrgState>,
  segments: Record<string, CallSegment[]>,
  crm: CrmFile,
): Tenant {
  const joined = dict<Org>();
  for (const [id, org] of Object.entries(orgs)) {
    const calls = dict<Org['calls'][string]>();
    const activities = dict<Org['activities'][string]>();
    for (const segment of segments[id] ?? []) {
      Object.assign(calls, segment.calls);
      Object.assign(activities, segment.activities);
    }
    const joinedOrg: Org = { ...org, ...states[id]!, calls, activities, crm: crm.orgs[id]! };
    // A call event saves only its call (call-log.ts); what else it changed in its org is restored from the calls:
    // the next id it moved, and the click-to-call request it claimed.
    for (const segment of segments[id] ?? []) joinedOrg.nextId = Math.max(joinedOrg.nextId, segment.nextId ?? 0);
    for (const call of Object.values(calls)) {
      const clicked = call.clickToCallDeliveryId && joinedOrg.outbox.find((d) => d.id === call.clickToCallDeliveryId);
      if (clicked && clicked.callrefid === null) clicked.callrefid = call.callrefid;
    }
    joined[id] = joinedOrg;
  }
  return { ...rest, orgs: joined };
}

export function indexOf(db: Db, names: Names): Index {
  return { schemaVersion: LAYOUT_VERSION, nextTenant: db.nextTenant, tenants: Object.fromEntries(Object.keys(db.tenants).map((id) => [id, names.tenant(id)])) };
}
