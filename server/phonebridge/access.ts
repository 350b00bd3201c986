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

/** The documented order of checks after validation: license, registration, privilege, integration. */
export function checkAccess({ org, user, vendor }: Caller, rule: AccessRule = {}): void {
  const pbx = vendor.name;
  if (!org.telephony) fail('NO_LICENSE', { pbx });
  if (!vendor.registered) fail('PBX_NOT_REGISTERED', { pbx });
  if (rule.adminOnly && user.role !== 'admin') fail(rule.adminOnly, { pbx });
  if (rule.integrated !== false && org.integration?.vendor !== vendor.name) fail('PBX_NOT_INTEGRATED', { pbx });
}

/**
 * v3's order (openapi/phonebridge-v3.yaml): license, registration (PROVIDER_NOT_REGISTERED), privilege,
 * another provider enabled (DIFFERENT_PROVIDER_ALREADY_ENABLED), then integration (PBX_NOT_INTEGRATED, as live).
 */
export function checkAccessV3({ org, user, vendor }: Caller, rule: AccessRule = {}): void {
  const pbx = vendor.name;
  if (!org.telephony) fail('NO_LICENSE', { pbx });
  if (!vendor.registered) fail('PROVIDER_NOT_REGISTERED', { pbx });
  if (rule.adminOnly && user.role !== 'admin') fail(rule.adminOnly, { pbx });
  if (org.integration && org.integration.vendor !== vendor.name) fail('DIFFERENT_PROVIDER_ALREADY_ENABLED', { pbx });
  if (rule.integrated !== false && !org.integration) fail('PBX_NOT_INTEGRATED', { pbx });
}

export function success(message: string): ApiResponse {
  return { status: 200, body: { code: 'SUCCESS', message, status: 'success' } };
}
