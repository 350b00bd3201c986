/**
 * The tenants: isolated worlds in one mock. A token, an OAuth client id or a
 * grant code names its tenant the way a Zoho token names its org, so
 * PhoneBridge and OAuth requests need no new parameter; admin calls name the
 * tenant (`tenant`), else act on the default one. A tenant nobody has used for
 * the TTL is removed; the default one never is.
 */
import { createTenant, identityOf, newIdentity, type SeedOptions } from '../../fixtures/seed.js';
import type { IncomingHttpHeaders } from 'node:http';
import type { Clock } from '../clock.js';
import { DEFAULT_TENANT, type Db, type Profile, type Tenant } from '../store/schema.js';
import type { Store } from '../store/store.js';

export interface TenantsConfig {
  /** Seconds a tenant may go unused before it is removed; 0 keeps tenants for ever. */
  ttlSeconds: number;
  /** Tenants besides the default one. */
  maxTenants: number;
  /** The seed and CRM size of the default tenant, and of a new tenant that names none. */
  seed: number;
  crmSize: number;
  /** Extra redirect URIs registered for every MockPBX client. */
  redirectUris: readonly string[];
  /** Told of every tenant removed (deleted or expired), to forget what is kept of it outside the store. */
  onRemove?: (id: string) => void;
}

/** Why a tenant could not be created: the limit is reached. */
export class TenantLimitError extends Error {}

/** When a tenant was last used is kept to this granularity at most (a tenth of the TTL if that is less). */
const TOUCH_GRANULARITY_MS = 60_000;

export interface Tenants {
  readonly default: Tenant;
  get(id: string): Tenant | undefined;
  list(): Tenant[];
  /** The tenant holding this access token, refresh token or grant code. */
  byToken(token: string): Tenant | undefined;
  /** The tenant owning this OAuth client. */
  byClient(clientId: string): Tenant | undefined;
  /**
   * The tenant a request belongs to before any API reads it: the one holding
   * the token it sent (in any scheme, or in the query), else owning its OAuth
   * client; else the default one.
   */
  ofRequest(request: { headers: IncomingHttpHeaders; query: unknown; body: unknown }): Tenant;
  /** The tenant's time: the mock's clock moved by the tenant's offset (POST /__admin/clock). */
  now(tenant: Tenant): Date;
  /** The tenant's clock, for what takes a Clock. */
  clockOf(tenant: Tenant): Clock;
  /** Marks the tenant used now (it expires TTL seconds after its last use). */
  use(tenant: Tenant): Tenant;
  /** When an unused tenant will be removed, or null if it never will be. */
  expiresAt(tenant: Tenant): Date | null;
  create(options: { seed?: number; crmSize?: number; label?: string | null; profile?: Profile }): Promise<Tenant>;
  /** A fresh world for the tenant from its seed (or this one), keeping its id, tokens and client credentials; not stored. */
  fresh(tenant: Tenant, seed?: number): Tenant;
  /** Puts a tenant in place and saves it. */
  put(tenant: Tenant): Promise<void>;
  /** Back to a fresh world from its seed (or this one), saved. */
  reset(tenant: Tenant, seed?: number): Promise<Tenant>;
  remove(id: string): Promise<void>;
  /** Removes every tenant unused for longer than the TTL; the ids removed. */
  sweep(): Promise<string[]>;
}

export function createTenants(store: Store, clock: Clock, config: TenantsConfig): Tenants {
  const db = (): Db => store.data;
  const all = () => Object.values(db().tenants);
  const options = (seed: number, crmSize: number): SeedOptions => ({ seed, crmSize, now: clock.now() });
  const ttlMs = config.ttlSeconds * 1000;
  const touchGranularityMs = ttlMs === 0 ? TOUCH_GRANULARITY_MS : Math.min(TOUCH_GRANULARITY_MS, ttlMs / 10);

  const tenants: Tenants = {
    get default() {
      return db().tenants[DEFAULT_TENANT]!;
    },
    get: (id) => db().tenants[id],
    list: all,

    byToken(token) {
      for (const tenant of all()) if (tenant.tokens[token] || tenant.refreshTokens[token] || tenant.grantCodes[token]) return tenant;
      return undefined;
    },

    byClient(clientId) {
      for (const tenant of all()) if (tenant.clients[clientId]) return tenant;
      return undefined;
    },

    now: (tenant) => new Date(clock.now().getTime() + tenant.clockOffsetMs),
    clockOf: (tenant) => ({ now: () => tenants.now(tenant) }),

    ofRequest({ headers, query, body }) {
      const q = ((typeof query === 'object' && query) || {}) as Record<string, unknown>;
      const b = ((typeof body === 'object' && body) || {}) as Record<string, unknown>;
      const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
      const tokens = [/(\S+)\s*$/.exec(headers.authorization ?? '')?.[1], text(q.authtoken), text(q.access_token), text(b.token), text(q.token)];
      for (const token of tokens) {
        const tenant = token ? tenants.byToken(token) : undefined;
        if (tenant) return tenant;
      }
      const clientId = text(q.client_id) ?? text(b.client_id);
      return (clientId && tenants.byClient(clientId)) || tenants.default;
    },

    use(tenant) {
      const now = tenants.now(tenant);
      // Kept to a granularity (and saved when it moves), so a burst of requests is not a save each.
      if (Math.abs(now.getTime() - Date.parse(tenant.lastUsedAt)) >= touchGranularityMs) {
        tenant.lastUsedAt = now.toISOString();
        // Saved with the request's own change, or on its own; nobody waits on it.
        void store.changed({ tenantId: tenant.id, tenantOnly: true }).catch(() => {});
      }
      return tenant;
    },

    expiresAt(tenant) {
      if (tenant.id === DEFAULT_TENANT || ttlMs === 0) return null;
      return new Date(Date.parse(tenant.lastUsedAt) + ttlMs);
    },

    async create({ seed = config.seed, crmSize = config.crmSize, label = null, profile }) {
      if (all().length - 1 >= config.maxTenants)
        throw new TenantLimitError(`at most ${config.maxTenants} tenants (PHONEBRIDGE_MAX_TENANTS) besides the default one`);
      const number = db().nextTenant++;
      let identity = newIdentity(number, label);
      while (db().tenants[identity.id]) identity = newIdentity(number, label);
      const tenant = createTenant(identity, options(seed, crmSize), config.redirectUris);
      if (profile !== undefined) tenant.profile = profile;
      await store.putTenant(tenant);
      return tenant;
    },

    fresh(tenant, seed) {
      const fresh = createTenant(
        identityOf(tenant),
        options(seed ?? (tenant.id === DEFAULT_TENANT ? config.seed : tenant.seed), tenant.crmSize),
        config.redirectUris,
      );
      fresh.createdAt = tenant.createdAt;
      // A reset starts the data over, not the tenant's choice of profile.
      if (tenant.profile !== undefined) fresh.profile = tenant.profile;
      return fresh;
    },

    put: (tenant) => store.putTenant(tenant),

    async reset(tenant, seed) {
      const fresh = tenants.fresh(tenant, seed);
      await store.putTenant(fresh);
      return fresh;
    },

    async remove(id) {
      if (id === DEFAULT_TENANT) throw new Error('the default tenant cannot be removed');
      await store.removeTenant(id);
      config.onRemove?.(id);
    },

    async sweep() {
      // Each tenant's own time: a tenant whose clock was advanced past its expiry goes.
      const expired = all().filter((t) => {
        const at = tenants.expiresAt(t);
        return at !== null && at.getTime() <= tenants.now(t).getTime();
      });
      for (const tenant of expired) await tenants.remove(tenant.id);
      return expired.map((t) => t.id);
    },
  };
  return tenants;
}

/** Sweeps expired tenants every few seconds (a quarter of the TTL, between 250 ms and 5 s); stop with the function returned. */
export function sweepExpiredTenants(tenants: Tenants, ttlSeconds: number, logError: (error: unknown) => void): () => void {
  if (ttlSeconds === 0) return () => {};
  const timer = setInterval(() => void tenants.sweep().catch(logError), Math.min(5000, Math.max(250, (ttlSeconds * 1000) / 4)));
  timer.unref();
  return () => clearInterval(timer);
}
