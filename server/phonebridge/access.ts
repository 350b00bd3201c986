/** PhoneBridge's rules of access, the same in every version: who may do what, checked in the documented order. */
import type { ApiResponse } from '../openapi/types.js';
import type { Caller } from '../zoho/auth.js';
import { fail } from '../zoho/errors.js';

export interface AccessRule {
  /** Error for a non-admin caller; omitted when any user may call. */
  adminOnly?: 'NOT_ADMIN_FOR_INTEGRATION' | 'NO_PRIVILEGE';
  /** Whether the vendor's integration must be enabled in the org (default true). */
  integrated?: boolean;
}

/** Where the versions' codes differ. */
export interface AccessCodes {
  notRegistered: 'PBX_NOT_REGISTERED' | 'PROVIDER_NOT_REGISTERED';
  /** Another vendor's integration enabled in the org; absent: it counts as not integrated (v2). */
  otherProvider?: 'DIFFERENT_PROVIDER_ALREADY_ENABLED';
}

const V2_CODES: AccessCodes = { notRegistered: 'PBX_NOT_REGISTERED' };
/** v3 (openapi/phonebridge-v3.yaml): PROVIDER_NOT_REGISTERED; another provider is named before PBX_NOT_INTEGRATED (as live). */
export const V3_CODES: AccessCodes = { notRegistered: 'PROVIDER_NOT_REGISTERED', otherProvider: 'DIFFERENT_PROVIDER_ALREADY_ENABLED' };

/** The documented order of checks after validation: license, registration, privilege, another provider (v3), integration. */
export function checkAccess({ org, user, vendor }: Caller, rule: AccessRule = {}, codes: AccessCodes = V2_CODES): void {
  const pbx = vendor.name;
  if (!org.telephony) fail('NO_LICENSE', { pbx });
  if (!vendor.registered) fail(codes.notRegistered, { pbx });
  if (rule.adminOnly && user.role !== 'admin') fail(rule.adminOnly, { pbx });
  if (codes.otherProvider && org.integration && org.integration.vendor !== vendor.name) fail(codes.otherProvider, { pbx });
  if (rule.integrated !== false && org.integration?.vendor !== vendor.name) fail('PBX_NOT_INTEGRATED', { pbx });
}

export function success(message: string): ApiResponse {
  return { status: 200, body: { code: 'SUCCESS', message, status: 'success' } };
}
