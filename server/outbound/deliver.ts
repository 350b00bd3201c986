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
 * POSTs the form to the vendor, with a timeout and the configured retries, and
 * records the outcome in the outbox. Never throws: a vendor that is down is a
 * failed delivery, not a failure of the mock.
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
    try {
      const res = await fetch(out.url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(options.timeoutMs) });
      const text = (await res.text()).slice(0, BODY_LIMIT);
      const delivered = res.status >= 200 && res.status < 300;
      outcome = {
        response: { status: res.status, body: text },
        latencyMs: Math.round(performance.now() - started),
        delivered,
        error: delivered ? null : `HTTP ${res.status}`,
      };
      if (delivered || res.status < 500) break;
    } catch (error) {
      outcome = { response: null, latencyMs: Math.round(performance.now() - started), delivered: false, error: describeFailure(error, options.timeoutMs) };
    }
    if (attempts > options.retries) break;
    await sleep(options.backoffMs * 2 ** (attempts - 1));
  }
  return record(outbox, { ...base({ ...out, headers }, body, startedAt), ...outcome, attempts });
}

function describeFailure(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `timeout: no answer within ${timeoutMs} ms`;
  if (e.cause?.code) return `${e.cause.code}: ${e.cause.message ?? e.message}`;
  return e.message ?? String(error);
}
