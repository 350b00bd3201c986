/**
 * Zoho's OAuth as the PhoneBridge API applies it: `Authorization:
 * Zoho-oauthtoken <token>` resolved to who is calling (org, user, vendor,
 * scopes), and the scope an operation needs.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Authentication, OperationInfo } from '../openapi/engine.js';
import type { CrmUser, Db, Org, TokenGrant, Vendor } from '../store/schema.js';
import { errorResponse } from './errors.js';

/** Who is calling: the signed-in CRM user and the vendor the token was issued to (never the customer on the phone). */
export interface Caller {
  token: string;
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

/** The caller a live token belongs to, or undefined for no token, an unknown, expired or orphaned one. */
export function resolveCaller(db: Db, headers: IncomingHttpHeaders, now: Date): Caller | undefined {
  const match = /^\s*Zoho-oauthtoken\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  const token = match?.[1];
  const grant = token ? db.tokens[token] : undefined;
  if (!token || !grant || Date.parse(grant.expiresAt) <= now.getTime()) return undefined;
  const org = db.orgs[grant.orgId];
  const user = org?.users.find((u) => u.id === grant.userId);
  const vendor = db.vendors[grant.vendor];
  if (!org || !user || !user.active || !vendor) return undefined;
  return { token, grant, org, user, vendor };
}

/** The engine's authentication for Zoho's OAuth: 401 INVALID_TOKEN, or OAUTH_SCOPE_MISMATCH for a token without the scope. */
export function zohoOAuth(db: () => Db, now: () => Date) {
  return (headers: IncomingHttpHeaders, operation: OperationInfo): Authentication => {
    const caller = resolveCaller(db(), headers, now());
    if (!caller) return { refusal: errorResponse('INVALID_TOKEN') };
    if (!scopeAllows(caller.grant.scopes, operation.readOnly)) return { refusal: errorResponse('OAUTH_SCOPE_MISMATCH') };
    return { security: caller, orgId: caller.org.id };
  };
}
