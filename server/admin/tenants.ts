/** The control plane's tenant operations: create, list, show, reset and delete isolated worlds. */
import { ORGS, PERSONAS } from '../../fixtures/personas.js';
import { orgIdFor } from '../../fixtures/seed.js';
import type { HandlersOf } from '../openapi/types.js';
import { ACTION_URL } from '../outbound/requests.js';
import type { ClickToCallRegistration, Tenant } from '../store/schema.js';
import { TenantLimitError, type Tenants } from '../tenants/registry.js';
import { fail } from '../zoho/errors.js';
import type { operations } from './document.gen.js';
import { profileOf } from '../zoho/profiles.js';

type TenantOperations = Pick<operations, 'listTenants' | 'createTenant' | 'getTenant' | 'deleteTenant' | 'resetTenant' | 'setProfile'>;

/** A user's registration: the click-to-call URL, each action's URL, the pairs sent with every request. */
function registrationView(userId: string, registration: ClickToCallRegistration) {
  const actionUrls: Record<string, string> = {};
  for (const field of Object.values(ACTION_URL)) {
    const url = registration[field];
    if (url !== undefined) actionUrls[field] = url;
  }
  const { clicktocallurl, authorizationparam, clicktocallparam, callcontrolparam, registeredAt } = registration;
  return {
    userId,
    api: registration.api ?? ('v2' as const),
    clicktocallurl: clicktocallurl ?? null,
    actionUrls,
    authorizationparam,
    clicktocallparam,
    callcontrolparam,
    registeredAt,
  };
}

/** What every listing shows of a tenant. */
function summary(tenants: Tenants, tenant: Tenant) {
  const { id, label, seed, crmSize, createdAt, lastUsedAt } = tenant;
  return {
    id,
    label,
    seed,
    crmSize,
    profile: profileOf(tenant),
    createdAt,
    lastUsedAt,
    expiresAt: tenants.expiresAt(tenant)?.toISOString() ?? null,
  };
}

/** A tenant with everything a test needs to use it: persona tokens, OAuth clients, orgs and users. */
export function tenantDetail(tenants: Tenants, tenant: Tenant) {
  return {
    ...summary(tenants, tenant),
    tokens: Object.fromEntries(PERSONAS.map((p) => [p.key, tenant.personas[p.key]!])) as Record<(typeof PERSONAS)[number]['key'], string>,
    clients: Object.values(tenant.clientIds).flatMap((clientId) => {
      const client = tenant.clients[clientId];
      return client ? [{ name: client.name, vendor: client.vendor, clientId, clientSecret: client.clientSecret, redirectUris: client.redirectUris }] : [];
    }),
    orgs: ORGS.flatMap((fixture) => {
      const org = tenant.orgs[orgIdFor(fixture, tenant.number)];
      if (!org) return [];
      const { id, name, edition, telephony, integration, users, clickToCall } = org;
      return [
        {
          id,
          kind: fixture.key,
          name,
          edition,
          telephony,
          integration: integration && { vendor: integration.vendor, enabledAt: integration.enabledAt },
          registrations: users.flatMap((user) => {
            const registration = clickToCall[user.id];
            return registration ? [registrationView(user.id, registration)] : [];
          }),
          users,
        },
      ];
    }),
  };
}

export function tenantHandlers(tenants: Tenants): HandlersOf<TenantOperations, undefined, Tenant> {
  return {
    listTenants: ({ params }) => ({
      status: 200,
      body: {
        tenants: tenants
          .list()
          .filter((t) => params.label === undefined || t.label === params.label)
          .map((t) => summary(tenants, t)),
      },
    }),

    createTenant: async ({ params }) => {
      try {
        const tenant = await tenants.create({ seed: params.seed, crmSize: params.crmSize, label: params.label ?? null, profile: params.profile });
        return { status: 201, body: tenantDetail(tenants, tenant), orgId: tenant.defaultOrgId };
      } catch (error) {
        if (error instanceof TenantLimitError) fail('TOO_MANY_TENANTS', { subject: error.message });
        throw error;
      }
    },

    getTenant: ({ db }) => ({ status: 200, body: tenantDetail(tenants, db) }),

    deleteTenant: async ({ db }) => {
      if (db.id === tenants.default.id) fail('DEFAULT_TENANT');
      await tenants.remove(db.id);
      return { status: 204 };
    },

    resetTenant: async ({ db, params }) => ({ status: 200, body: tenantDetail(tenants, await tenants.reset(db, params.seed)) }),

    setProfile: ({ db, params }) => {
      db.profile = params.profile;
      return { status: 200, body: tenantDetail(tenants, db) };
    },
  };
}
