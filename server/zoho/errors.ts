/** Zoho's errors as data, and the one builder that turns them into responses. */
import { ResponseError, type ApiResponse } from '../openapi/types.js';

interface ErrorTemplate {
  status: number;
  code: string;
  /** `{pbx}` is the vendor's name; `{param}` the parameter at fault. */
  message: string;
}

export const ERRORS = {
  INVALID_TOKEN: { status: 401, code: 'INVALID_TOKEN', message: 'invalid oauth token' },
  OAUTH_SCOPE_MISMATCH: { status: 401, code: 'OAUTH_SCOPE_MISMATCH', message: 'invalid oauth scope to access this URL' },
  REQUIRED_PARAM_MISSING: { status: 400, code: 'REQUIRED_PARAM_MISSING', message: 'One of the expected parameter is missing' },
  INVALID_DATA: { status: 400, code: 'INVALID_DATA', message: 'invalid data in {param}' },
  UNKNOWN_CALLREFID: { status: 400, code: 'INVALID_DATA', message: 'No call has been reported with this callrefid' },
  NO_LICENSE: { status: 403, code: 'NO_PERMISSION', message: 'PBX Integration is not available for your license type' },
  NO_PRIVILEGE: { status: 403, code: 'NO_PERMISSION', message: "Requested user doesn't have enough privilege to perform this process" },
  // The reference prints INTERNAL_ERROR as the code of this 403; kept as printed.
  NOT_ADMIN_FOR_INTEGRATION: {
    status: 403,
    code: 'INTERNAL_ERROR',
    message: "Requested user doesn't have enough privilege in Zoho CRM to enable PhoneBridge integration",
  },
  PBX_ALREADY_ENABLED: { status: 403, code: 'PBX_ALREADY_ENABLED', message: '{pbx} has been already enabled for the Account' },
  DIFFERENT_PBX_ALREADY_ENABLED: { status: 403, code: 'DIFFERENT_PBX_ALREADY_ENABLED', message: 'Different PBX has been enabled for the Account' },
  PBX_NOT_REGISTERED: { status: 400, code: 'PBX_NOT_REGISTERED', message: '{pbx} is not registered' },
  PROVIDER_NOT_REGISTERED: { status: 400, code: 'PROVIDER_NOT_REGISTERED', message: '{pbx} is not registered' },
  DIFFERENT_PROVIDER_ALREADY_ENABLED: {
    status: 403,
    code: 'DIFFERENT_PROVIDER_ALREADY_ENABLED',
    message: 'Different provider has been enabled for the Account',
  },
  PBX_NOT_INTEGRATED: { status: 400, code: 'PBX_NOT_INTEGRATED', message: '{pbx} PBX Integration is not enabled' },
  INVALID_USER: { status: 400, code: 'INVALID_USER', message: 'Please check the user configuration' },
  INTERNAL_ERROR: { status: 500, code: 'INTERNAL_ERROR', message: 'Internal server error' },
  UNKNOWN_USER: { status: 400, code: 'INVALID_DATA', message: 'No active CRM user has this id' },
  UNKNOWN_RECORD: { status: 400, code: 'INVALID_DATA', message: 'No Lead, Contact or Account with a phone number has this id' },
  UNKNOWN_ORG: { status: 400, code: 'INVALID_DATA', message: 'No org has this id' },
  CLICKTOCALL_NOT_ENABLED: { status: 409, code: 'CLICKTOCALL_NOT_ENABLED', message: 'Click-to-call is not enabled for this user' },
  NO_URL_FOR_ACTION: { status: 409, code: 'NO_URL_FOR_ACTION', message: 'The vendor registered no URL for {param}' },
  ACTION_NOT_ALLOWED: { status: 409, code: 'ACTION_NOT_ALLOWED', message: '{param}' },
  WEBHOOK_HOST_NOT_ALLOWED: { status: 403, code: 'WEBHOOK_HOST_NOT_ALLOWED', message: '{param} is not in PHONEBRIDGE_WEBHOOK_ALLOW' },
  WEBHOOK_ADDRESS_FORBIDDEN: {
    status: 403,
    code: 'WEBHOOK_ADDRESS_FORBIDDEN',
    message: 'not sent: {param}; PHONEBRIDGE_WEBHOOK_ALLOW may name the host to allow it',
  },
  WEBHOOK_RATE_LIMITED: { status: 429, code: 'WEBHOOK_RATE_LIMITED', message: 'not sent: {param}' },
  // The mock's control plane (/__admin/), guarded by PHONEBRIDGE_ADMIN_TOKEN and against cross-site requests.
  ADMIN_TOKEN_REQUIRED: {
    status: 401,
    code: 'ADMIN_TOKEN_REQUIRED',
    message: 'the control plane needs "Authorization: Bearer <admin token>" (PHONEBRIDGE_ADMIN_TOKEN, or the token the mock printed at start)',
  },
  CROSS_SITE_REQUEST: { status: 403, code: 'CROSS_SITE_REQUEST', message: '{param}' },
  // Zoho's CRM answers this when an org's concurrency or credits are exhausted (no PhoneBridge page words it).
  TOO_MANY_REQUESTS: { status: 429, code: 'TOO_MANY_REQUESTS', message: 'You have reached the {param} limit of API requests for the org; try again later' },
  UNKNOWN_TENANT: { status: 404, code: 'UNKNOWN_TENANT', message: 'No tenant {param} (deleted, or removed after PHONEBRIDGE_TENANT_TTL seconds unused)' },
  TOO_MANY_TENANTS: { status: 429, code: 'TOO_MANY_TENANTS', message: '{param}' },
  DEFAULT_TENANT: { status: 409, code: 'DEFAULT_TENANT', message: 'the default tenant cannot be deleted; POST /__admin/reset starts it over' },
  NOT_IN_JOURNAL: { status: 404, code: 'NOT_FOUND', message: '{param}' },
  NOT_FOUND: { status: 404, code: 'INVALID_URL_PATTERN', message: 'Please check if the URL trying to access is a correct one' },
  METHOD_NOT_ALLOWED: { status: 405, code: 'INVALID_REQUEST_METHOD', message: 'The http request method type is not a valid one' },
} as const satisfies Record<string, ErrorTemplate>;

export type ErrorName = keyof typeof ERRORS;

export interface ErrorContext {
  pbx?: string;
  /** Goes into `details.param` too. */
  param?: string;
  /** Fills `{param}` in the message without naming a parameter in `details`. */
  subject?: string;
  /** Other `details` (the mock's own errors only: Zoho's carry `param` or nothing). */
  details?: Record<string, string>;
}

/** `{code, details, message, status: "error"}` with the template's HTTP status. */
export function errorResponse(name: ErrorName, context: ErrorContext = {}): ApiResponse {
  const template: ErrorTemplate = ERRORS[name];
  const message = template.message.replace('{pbx}', context.pbx ?? 'PBX').replace('{param}', context.param ?? context.subject ?? 'a parameter');
  const details = { ...context.details, ...(context.param === undefined ? {} : { param: context.param }) };
  return { status: template.status, body: { code: template.code, details, message, status: 'error' } };
}

/** Stops the handler and answers with this error (anything else thrown becomes INTERNAL_ERROR). */
export function fail(name: ErrorName, context?: ErrorContext): never {
  throw new ResponseError(errorResponse(name, context));
}

/** How every API of the mock answers an unknown path, a wrong method and its own failures: in Zoho's envelope. */
export const ZOHO_ROUTING = {
  notFound: () => errorResponse('NOT_FOUND'),
  methodNotAllowed: (allow: string) => ({ ...errorResponse('METHOD_NOT_ALLOWED'), headers: { Allow: allow } }),
  internalError: () => errorResponse('INTERNAL_ERROR'),
};
