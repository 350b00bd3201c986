/**
 * Turns request events into journal entries and live events: every request
 * to the PhoneBridge and accounts APIs lands in its tenant's journal with its
 * hints and lifecycle warnings; a call event also announces the call as it now
 * is, and a trigger of the control plane the delivery it made.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestEnd, RequestEvents } from '../http/events.js';
import { callView } from '../phonebridge/calls.js';
import type { Delivery, Tenant } from '../store/schema.js';
import type { Tenants } from '../tenants/registry.js';
import type { HintInput, Hint } from './hints.js';
import type { Journal, JournalEntry } from './journal.js';
import type { LiveEvents } from './live.js';
import { profileOf } from '../zoho/profiles.js';

/** Bodies and pages kept in an entry: the first 16 KB. */
export const BODY_CAP = 16 * 1024;

/** `1000.0123456789abcdef.…` -> `1000.0123…cdef`: enough to tell tokens apart, not enough to use one. */
export function shortenToken(token: string): string {
  return token.length <= 12 ? token : `${token.slice(0, 9)}…${token.slice(-4)}`;
}

const TOKEN_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

/** The request headers as strings, with token values shortened. */
function journalHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    out[name] = TOKEN_HEADERS.has(name) ? text.replace(/(\S+)$/, (token) => shortenToken(token)) : text;
  }
  return out;
}

const QUERY_TOKENS = new Set(['authtoken', 'access_token', 'oauthtoken', 'refresh_token', 'client_secret', 'code']);

/** The parsed query, with token values shortened. */
function journalQuery(query: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (typeof query !== 'object' || query === null) return out;
  for (const [name, value] of Object.entries(query))
    out[name] = QUERY_TOKENS.has(name.toLowerCase()) && typeof value === 'string' ? shortenToken(value) : value;
  return out;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The tenant of a request: the one the API resolved, else the one its token or client names (or the default). */
function tenantOf(tenants: Tenants, end: RequestEnd): Tenant | undefined {
  return end.tenantId ? tenants.get(end.tenantId) : tenants.ofRequest(end.request);
}

function responseBody(body: unknown): unknown {
  if (body === undefined) return null;
  return typeof body === 'string' && body.length > BODY_CAP ? body.slice(0, BODY_CAP) : body;
}

export interface RecorderDeps {
  events: RequestEvents;
  tenants: Tenants;
  journal: Journal;
  live: LiveEvents;
  hints: (input: HintInput) => Hint[];
  logError: (error: unknown) => void;
}

/** The operations of the control plane that send a request to the vendor (and so add to the outbox). */
const TRIGGERS = new Set(['triggerClickToCall', 'triggerCallControl']);

export function recordRequests({ events, tenants, journal, live, hints, logError }: RecorderDeps): void {
  const announceCall = (tenant: Tenant, orgId: string | undefined, callrefid: string | null) => {
    const org = orgId ? tenant.orgs[orgId] : undefined;
    const log = org && callrefid ? org.calls[callrefid] : undefined;
    if (org && log) live.publish(tenant.id, 'call', callView(org, log));
  };

  const onAdmin = (end: RequestEnd) => {
    if (!end.operationId || !TRIGGERS.has(end.operationId) || !end.tenantId || !end.orgId) return;
    const tenant = tenants.get(end.tenantId);
    const org = tenant?.orgs[end.orgId];
    if (!tenant || !org) return;
    // The delivery made: the answer itself, or the refusal's outbox entry.
    const body = end.result.body as (Partial<Delivery> & { details?: { delivery?: string } }) | undefined;
    const id = body?.kind ? body.id : body?.details?.delivery;
    const delivery = id === undefined ? undefined : org.outbox.find((d) => d.id === id);
    if (delivery) live.publish(tenant.id, 'delivery', delivery);
    if (end.operationId === 'triggerCallControl') announceCall(tenant, org.id, text(end.params?.callrefid) ?? null);
  };

  const onVendorRequest = (end: RequestEnd) => {
    const tenant = tenantOf(tenants, end);
    if (!tenant) return; // removed while the request ran
    const { request, rawBody, result } = end;
    const fields = end.params ?? null;
    const parsed = (typeof request.body === 'object' && request.body) as Record<string, unknown> | false;
    // v3 names the call `id`.
    const callrefid =
      text(fields?.callrefid) ?? (end.api === 'phonebridge-v3' ? text(fields?.id) : undefined) ?? (parsed ? text(parsed.callrefid) : undefined) ?? null;
    const bodyText = rawBody && rawBody.length > 0 ? rawBody.subarray(0, BODY_CAP).toString('utf8') : undefined;
    const entry: Omit<JournalEntry, 'id'> = {
      // The tenant's clock, as every other time it keeps (a test that moves it sees journal times follow).
      at: tenants.now(tenant).toISOString(),
      tenant: tenant.id,
      method: end.method,
      path: end.path,
      query: journalQuery(request.query),
      headers: journalHeaders(request.headers),
      body: bodyText ?? null,
      bodyTruncated: (rawBody?.length ?? 0) > BODY_CAP,
      fields,
      api: end.operationId ? end.api : null,
      operationId: end.operationId ?? null,
      orgId: end.orgId ?? null,
      callrefid,
      validation: end.validation,
      preferred: end.preferred === true || end.fault?.effect.status !== undefined,
      fault: end.fault ?? null,
      response: { status: result.status, headers: { ...result.headers }, body: responseBody(result.body) },
      durationMs: Math.round(end.durationMs * 1000) / 1000,
      hints: hints({
        method: end.method,
        path: end.path,
        query: (typeof request.query === 'object' && request.query ? request.query : {}) as Record<string, unknown>,
        headers: request.headers,
        rawBody: bodyText,
        body: request.body,
        operationId: end.operationId,
        status: result.status,
        now: tenants.now(tenant),
        profile: profileOf(tenant),
      }),
      warnings: end.warnings ?? [],
    };
    live.publish(tenant.id, 'request', journal.add(entry));
    if (end.api.startsWith('phonebridge') && result.status < 300) announceCall(tenant, end.orgId, callrefid);
  };

  events.on('request:end', (end) => {
    try {
      if (end.api === 'admin') onAdmin(end);
      else onVendorRequest(end);
    } catch (error) {
      // The journal must never break a request: it has been answered already.
      logError(error);
    }
  });
}
