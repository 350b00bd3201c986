import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Clock } from '../clock.js';
import type { Tenant, Delivery, Org } from '../store/schema.js';

export interface DeliveryOptions {
  /** Per attempt, ms. */
  timeoutMs: number;
  /** Extra attempts after a network error, a timeout or a 5xx. */
  retries: number;
  /** Wait before the first retry, ms; doubled after each. */
  backoffMs: number;
  /** Hosts the mock may call; undefined allows every registered URL. */
  allowHosts: readonly string[] | undefined;
  /** How the connection resolves the URL's host name: the address guard's, which checks every address again (default: the system's). */
  lookup?: LookupFunction;
}

export interface Outgoing {
  kind: Delivery['kind'];
  orgId: string;
  userId: string;
  callrefid: string | null;
  url: string;
  /** The form fields, in order. */
  fields: [string, string][];
  headers: Record<string, string>;
}

const OUTBOX_LIMIT = 1000;
const BODY_LIMIT = 2000;

/** Whether the URL's host (or host:port) is on the allow-list. */
export function hostAllowed(url: string, allowHosts: readonly string[] | undefined): boolean {
  if (!allowHosts) return true;
  if (!URL.canParse(url)) return false;
  const { hostname, host } = new URL(url);
  return allowHosts.some((allowed) => allowed.toLowerCase() === hostname.toLowerCase() || allowed.toLowerCase() === host.toLowerCase());
}

/** Where a delivery is recorded: its org's outbox, with an id unique across orgs. */
export interface Outbox {
  db: Tenant;
  org: Org;
}

function record({ db, org }: Outbox, entry: Omit<Delivery, 'id'>): Delivery {
  const delivery = { id: String(db.nextDeliveryId++), ...entry };
  org.outbox.push(delivery);
  if (org.outbox.length > OUTBOX_LIMIT) org.outbox.splice(0, org.outbox.length - OUTBOX_LIMIT);
  return delivery;
}

/** Records a request the allow-list stopped; nothing is sent. */
export function recordRefusal(outbox: Outbox, out: Outgoing, now: Date, reason: string): Delivery {
  return record(outbox, { ...base(out, formBody(out), now), response: null, latencyMs: 0, attempts: 0, delivered: false, error: reason });
}

const formBody = (out: Outgoing) => new URLSearchParams(out.fields).toString();

function base(out: Outgoing, body: string, now: Date) {
  const { kind, orgId, userId, callrefid, url, headers } = out;
  return { at: now.toISOString(), kind, orgId, userId, callrefid, url, request: { method: 'POST' as const, headers, body } };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One POST of the form, with node:http rather than fetch: only it lets the
 * connection use the address guard's lookup, so the socket connects to an
 * address that was checked, never to what a second DNS answer says. A new
 * connection each time (no pool): every delivery's address is checked. Of the
 * answer only the first BODY_LIMIT characters are read.
 */
async function post(url: string, headers: Record<string, string>, body: string, signal: AbortSignal, lookup: LookupFunction | undefined) {
  const target = new URL(url);
  const request = target.protocol === 'https:' ? https.request : http.request;
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const req = request(
      target,
      { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent: false, lookup, signal },
      resolve,
    );
    req.on('error', reject);
    req.end(body);
  });
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of res as AsyncIterable<Buffer>) {
    text += decoder.decode(chunk, { stream: true });
    if (text.length >= BODY_LIMIT) break; // leaving the loop destroys the response: the rest is never read
  }
  return { status: res.statusCode ?? 0, text: text.slice(0, BODY_LIMIT) };
}

/**
 * POSTs the form to the vendor, with a timeout and the configured retries, and
 * records the outcome in the outbox. Never throws: a vendor that is down is a
 * failed delivery, not a failure of the mock. Redirects are not followed.
 */
export async function deliver(outbox: Outbox, out: Outgoing, options: DeliveryOptions, clock: Clock): Promise<Delivery> {
  const body = formBody(out);
  const headers = { 'content-type': 'application/x-www-form-urlencoded', ...out.headers };
  const startedAt = clock.now();
  let attempts = 0;
  let outcome: Pick<Delivery, 'response' | 'latencyMs' | 'delivered' | 'error'>;
  for (;;) {
    attempts++;
    const started = performance.now();
    const signal = AbortSignal.timeout(options.timeoutMs);
    try {
      const res = await post(out.url, headers, body, signal, options.lookup);
      const delivered = res.status >= 200 && res.status < 300;
      outcome = {
        response: { status: res.status, body: res.text },
        latencyMs: Math.round(performance.now() - started),
        delivered,
        error: delivered ? null : `HTTP ${res.status}`,
      };
      if (delivered || res.status < 500) break;
    } catch (error) {
      outcome = {
        response: null,
        latencyMs: Math.round(performance.now() - started),
        delivered: false,
        error: describeFailure(error, signal, options.timeoutMs),
      };
      // The guard's second check refused the address: trying again changes nothing.
      if ((error as { code?: string }).code === 'WEBHOOK_ADDRESS_FORBIDDEN') break;
    }
    if (attempts > options.retries) break;
    await sleep(options.backoffMs * 2 ** (attempts - 1));
  }
  return record(outbox, { ...base({ ...out, headers }, body, startedAt), ...outcome, attempts });
}

function describeFailure(error: unknown, signal: AbortSignal, timeoutMs: number): string {
  if (signal.aborted) return `timeout: no answer within ${timeoutMs} ms`;
  // A host with several addresses fails with every attempt's error (AggregateError); the first one says why.
  const e = error as { message?: string; code?: string; errors?: { message?: string; code?: string }[] };
  const first = e.errors?.[0];
  const code = e.code ?? first?.code;
  const message = e.message || first?.message || String(error);
  return code ? `${code}: ${message}` : message;
}
