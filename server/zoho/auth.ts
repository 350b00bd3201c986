/**
 * Zoho's OAuth as the PhoneBridge API applies it: `Authorization:
 * Zoho-oauthtoken <token>` resolved to who is calling (org, user, vendor,
 * scopes), and the scope an operation needs.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Authentication, OperationInfo } from '../openapi/engine.js';
import type { CrmUser, Org, Tenant, TokenGrant, Vendor } from '../store/schema.js';
import type { Tenants } from '../tenants/registry.js';
import { errorResponse } from './errors.js';

/** Who is calling: the signed-in CRM user and the vendor the token was issued to (never the customer on the phone). */
export interface Caller {
  token: string;
  /** The tenant the token belongs to: everything the request reads and writes is its. */
  tenant: Tenant;
  grant: TokenGrant;
  org: Org;
  user: CrmUser;
  vendor: Vendor;
}

const SCOPE_PREFIX = 'zohocrm.crmphonebridge.';

/** READ for operations marked x-phonebridge-read-only, CREATE for the others; ALL for both. */
export function scopeAllows(scopes: readonly string[], readOnly: boolean): boolean {
  const needed = [`${SCOPE_PREFIX}all`, `${SCOPE_PREFIX}${readOnly ? 'read' : 'create'}`];
  return scopes.some((scope) => needed.includes(scope.trim().toLowerCase()));
}

/** The token of `Authorization: Zoho-oauthtoken <token>`, if that is what the header holds. */
export function zohoToken(headers: IncomingHttpHeaders): string | undefined {
  return /^\s*Zoho-oauthtoken\s+(\S+)\s*$/i.exec(headers.authorization ?? '')?.[1];
}

/** The token of `Authorization: Bearer <token>`, if that is what the header holds. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  return /^\s*Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '')?.[1];
}

/**
 * The caller a live token belongs to (in whichever tenant holds it), or undefined for no token, an unknown,
 * expired or orphaned one. `acceptsBearer` says, per tenant, whether `Bearer <token>` counts too (v3's profiles).
 */
export function resolveCaller(
  tenants: Pick<Tenants, 'byToken' | 'now'>,
  headers: IncomingHttpHeaders,
  acceptsBearer?: (tenant: Tenant) => boolean,
): Caller | undefined {
  const zoho = zohoToken(headers);
  const token = zoho ?? (acceptsBearer ? bearerToken(headers) : undefined);
  const tenant = token ? tenants.byToken(token) : undefined;
  if (tenant && zoho === undefined && !acceptsBearer?.(tenant)) return undefined;
  const grant = token ? tenant?.tokens[token] : undefined;
  // Expiry by the tenant's own clock.
  if (!token || !tenant || !grant || Date.parse(grant.expiresAt) <= tenants.now(tenant).getTime()) return undefined;
  const org = tenant.orgs[grant.orgId];
  const user = org?.users.find((u) => u.id === grant.userId);
  const vendor = tenant.vendors[grant.vendor];
  if (!org || !user || !user.active || !vendor) return undefined;
  return { token, tenant, grant, org, user, vendor };
}

export interface OAuthRules {
  /** Whether the token's scopes allow the operation; default v2's (scopeAllows). */
  scopesAllow?: (scopes: readonly string[], readOnly: boolean) => boolean;
  /** Whether the tenant takes `Bearer <token>` as well as `Zoho-oauthtoken <token>`; default never (v2). */
  acceptsBearer?: (tenant: Tenant) => boolean;
}

/** The engine's authentication for Zoho's OAuth: 401 INVALID_TOKEN, or OAUTH_SCOPE_MISMATCH for a token without the scope. */
export function zohoOAuth(tenants: Pick<Tenants, 'byToken' | 'use' | 'now'>, { scopesAllow = scopeAllows, acceptsBearer }: OAuthRules = {}) {
  return (headers: IncomingHttpHeaders, operation: OperationInfo): Authentication => {
    const caller = resolveCaller(tenants, headers, acceptsBearer);
    if (!caller) return { refusal: errorResponse('INVALID_TOKEN') };
    tenants.use(caller.tenant);
    if (!scopesAllow(caller.grant.scopes, operation.readOnly)) return { refusal: errorResponse('OAUTH_SCOPE_MISMATCH') };
    return { security: caller, orgId: caller.org.id, tenantId: caller.tenant.id };
  };
}
