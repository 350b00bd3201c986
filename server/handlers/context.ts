import { fail, type ApiResponse } from '../errors.js';
import type { Store } from '../store/store.js';
import type { CrmUser, Org, TokenGrant, Vendor } from '../store/schema.js';

/** Who is calling, resolved from the OAuth token. */
export interface Caller {
  token: string;
  grant: TokenGrant;
  org: Org;
  user: CrmUser;
  vendor: Vendor;
}

export interface HandlerContext {
  /** The merged, validated and type-coerced parameters. */
  params: Record<string, unknown>;
  caller: Caller;
  store: Store;
  now: () => Date;
}

/** A PhoneBridge operation: reads and writes the caller's org, returns the response or throws a Zoho error. */
export type Handler = (ctx: HandlerContext) => ApiResponse;

export interface AccessRule {
  /** Error for a non-admin caller; omitted when any user may call. */
  adminOnly?: 'NOT_ADMIN_FOR_INTEGRATION' | 'NO_PRIVILEGE';
  /** Whether the vendor's integration must be enabled in the org (default true). */
  integrated?: boolean;
}

/** The documented order of checks after validation: license, registration, privilege, integration. */
export function checkAccess({ org, user, vendor }: Caller, rule: AccessRule = {}): void {
  const pbx = vendor.name;
  if (!org.telephony) fail('NO_LICENSE', { pbx });
  if (!vendor.registered) fail('PBX_NOT_REGISTERED', { pbx });
  if (rule.adminOnly && user.role !== 'admin') fail(rule.adminOnly, { pbx });
  if (rule.integrated !== false && org.integration?.vendor !== vendor.name) fail('PBX_NOT_INTEGRATED', { pbx });
}

export function success(message: string): ApiResponse {
  return { status: 200, body: { code: 'SUCCESS', message, status: 'success' } };
}
