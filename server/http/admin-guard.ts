/**
 * The control plane's guard, in front of every API (before faults and
 * limits): `/__admin/` can reset tenants, read vendors' secrets in the outbox
 * and make the mock send requests, so
 *
 * - with an admin token (PHONEBRIDGE_ADMIN_TOKEN, or one generated when the
 *   mock listens beyond loopback) every admin operation but the ones the
 *   document leaves open (`security: []`: the health check) needs
 *   `Authorization: Bearer <token>`, else 401 ADMIN_TOKEN_REQUIRED; so does
 *   revoking a tenant's fixed persona token, which would lock every user of
 *   that tenant out until a restart (refused as Zoho refuses a failed revoke);
 * - a request that changes something and comes from another site's page
 *   (an Origin other than the mock's own, or Sec-Fetch-Site: cross-site) is
 *   refused with 403 CROSS_SITE_REQUEST, token or not: a form on any web page
 *   can POST to 127.0.0.1. Clients that are no browser send no Origin and pass;
 * - without a token, a request whose Host names something other than the
 *   mock (DNS rebinding: a site re-pointed at 127.0.0.1) is refused the same
 *   way, reads included: the journal and outbox hold vendors' secrets.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isLoopbackHost } from '../net/addresses.js';
import { mergeRequestParams } from '../openapi/request-params.js';
import type { ApiRequest, ApiResponse } from '../openapi/types.js';
import { errorResponse } from '../zoho/errors.js';
import { originOf } from './base-url.js';

export interface GuardInput {
  request: ApiRequest;
  /** The name of the API whose path it is (`admin`, `accounts`, `phonebridge`). */
  api: string;
  operationId: string | undefined;
  /** The mock's own origins, as the request may name them in Origin (its trusted base URL, PHONEBRIDGE_PUBLIC_URL's). */
  origins: readonly string[];
}

export interface GuardRefusal {
  refusal: ApiResponse;
  /** The tenant the refused request would have acted on, when known (its journal gets the entry). */
  tenantId?: string;
}

export type ControlPlaneGuard = (input: GuardInput) => GuardRefusal | undefined;

export interface GuardOptions {
  /** The admin token; undefined leaves the control plane open (loopback only: see controlPlaneToken). */
  adminToken: string | undefined;
  /** Admin operations that need no token: those the document marks `security: []`. */
  openOperations: ReadonlySet<string>;
  /** The tenant whose fixed persona token this is; undefined for any other token. */
  personaTenant: (token: string) => string | undefined;
  /** Zoho's answer to a revoke that failed. */
  revokeFailed: () => ApiResponse;
}

/**
 * The admin token the mock runs with: PHONEBRIDGE_ADMIN_TOKEN; else, when it
 * listens beyond loopback, a random one (printed at start, as Jupyter does);
 * else none, and the control plane is open to this machine's users only.
 */
export function controlPlaneToken(configured: string | undefined, host: string): { token: string | undefined; generated: boolean } {
  if (configured) return { token: configured, generated: false };
  if (isLoopbackHost(host)) return { token: undefined, generated: false };
  return { token: randomBytes(24).toString('base64url'), generated: true };
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Whether `Authorization: Bearer <token>` carries this token, compared in constant time. */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
  const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
  // Equal-length digests: timingSafeEqual needs them, and the time taken then tells nothing of the token's content or length.
  return match !== null && timingSafeEqual(digest(match[1]!), digest(token));
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Why a request that changes something is cross-site, or undefined when it is not (or changes nothing). */
export function crossSiteReason(request: Pick<ApiRequest, 'method' | 'headers'>, origins: readonly string[]): string | undefined {
  if (SAFE_METHODS.has(request.method.toUpperCase())) return undefined;
  if (request.headers['sec-fetch-site'] === 'cross-site') return 'a cross-site request (Sec-Fetch-Site: cross-site) cannot change the mock';
  const origin = request.headers.origin;
  // `Origin: null` (a sandboxed page, a file) is never the mock's own.
  if (origin !== undefined && !origins.includes(originOf(origin) ?? 'null'))
    return `a request from ${origin} cannot change the mock (only pages of ${origins.join(' or ')} can)`;
  return undefined;
}

/** The operations a document leaves open: an empty `security` of their own. */
export function openOperationsOf(document: Record<string, unknown>): Set<string> {
  const open = new Set<string>();
  for (const item of Object.values((document.paths ?? {}) as Record<string, Record<string, unknown>>))
    for (const operation of Object.values(item) as { operationId?: string; security?: unknown[] }[])
      if (operation?.operationId && Array.isArray(operation.security) && operation.security.length === 0) open.add(operation.operationId);
  return open;
}

/**
 * Why a request names a host that is not the mock's, or undefined when it names the mock (or none). A page
 * whose DNS name an attacker re-pointed at 127.0.0.1 (DNS rebinding) is same-origin to the browser and sends
 * no Origin on a GET; its Host header still carries the attacker's name.
 */
export function foreignHostReason(request: Pick<ApiRequest, 'headers'>, origins: readonly string[]): string | undefined {
  const host = request.headers.host;
  if (host === undefined || origins.some((origin) => new URL(origin).host === host.toLowerCase())) return undefined;
  return `a request for the host ${host} cannot use the open control plane (only ${origins.map((o) => new URL(o).host).join(' or ')}): set PHONEBRIDGE_ADMIN_TOKEN to reach it under another name`;
}

export function createControlPlaneGuard({ adminToken, openOperations, personaTenant, revokeFailed }: GuardOptions): ControlPlaneGuard {
  const authorised = (request: ApiRequest) => adminToken === undefined || bearerMatches(request.headers.authorization, adminToken);
  return ({ request, api, operationId, origins }) => {
    // Unknown admin paths and methods answer 404 and 405 as before: they reveal nothing and change nothing.
    if (api === 'admin' && operationId !== undefined) {
      const crossSite = crossSiteReason(request, origins);
      if (crossSite) return { refusal: errorResponse('CROSS_SITE_REQUEST', { subject: crossSite }) };
      // Open (no token, loopback only), the control plane answers only requests that name the mock.
      const foreign = adminToken === undefined && !openOperations.has(operationId) ? foreignHostReason(request, origins) : undefined;
      if (foreign) return { refusal: errorResponse('CROSS_SITE_REQUEST', { subject: foreign }) };
      if (!openOperations.has(operationId) && !authorised(request)) return { refusal: errorResponse('ADMIN_TOKEN_REQUIRED') };
    }
    if (api === 'accounts' && operationId === 'revokeToken' && !authorised(request)) {
      const { token } = mergeRequestParams(request.query, request.body);
      const tenantId = typeof token === 'string' ? personaTenant(token) : undefined;
      if (tenantId !== undefined) return { refusal: revokeFailed(), tenantId };
    }
    return undefined;
  };
}
