/**
 * The control plane as the console calls it: same-origin requests to
 * /__admin/, with the admin token when the mock requires one. The token comes
 * from the page's address (`#token=...`, as the start-up banner prints it) or
 * the sign-in form, and stays in this tab's sessionStorage only.
 */
import { fetchEventSource } from '@microsoft/fetch-event-source';
import type { components } from '../../server/admin/document.gen.js';

export type Schemas = components['schemas'];
export type Call = Schemas['Call'];
export type JournalEntry = Schemas['JournalEntry'];
export type Delivery = Schemas['Delivery'];
export type Tenant = Schemas['Tenant'];
export type TenantSummary = Schemas['TenantSummary'];
export type CrmRecord = Schemas['CrmRecord'];
export type Action = keyof Call['actions'];

const TOKEN_KEY = 'phonebridge-mock.admin-token';

/** Takes a token handed over in the address (`#token=...`) and removes it from there, so it is neither kept in history nor shown. */
export function adoptTokenFromAddress(): void {
  const match = /(?:^#|[#&])token=([^&]+)/.exec(location.hash);
  if (!match?.[1]) return;
  sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
  history.replaceState(null, '', location.pathname + location.search + '#/calls');
}

export const setToken = (token: string) => sessionStorage.setItem(TOKEN_KEY, token);
const token = () => sessionStorage.getItem(TOKEN_KEY);

const authorization = (): Record<string, string> => {
  const value = token();
  return value ? { Authorization: `Bearer ${value}` } : {};
};

/** Raised when the control plane wants the admin token (401 ADMIN_TOKEN_REQUIRED). */
export class TokenRequired extends Error {}

export interface Answer<T> {
  status: number;
  body: T;
}

/** Zoho's error envelope, as the control plane answers errors. */
export interface ErrorBody {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** One control-plane request; every answer but 401 comes back as it is, for the view to show. */
export async function api<T>(method: string, path: string, query: Record<string, string | number | undefined> = {}, body?: unknown): Promise<Answer<T>> {
  const url = new URL(path, location.origin);
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') url.searchParams.set(name, String(value));
  const response = await fetch(url, {
    method,
    headers: { ...authorization(), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'omit',
  });
  if (response.status === 401) throw new TokenRequired();
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: shown as text
  }
  return { status: response.status, body: parsed as T };
}

/** A short line for an error answer: `409 ACTION_NOT_ALLOWED: hold needs ...`. */
export function describeError(answer: Answer<unknown>): string {
  const body = answer.body as Partial<ErrorBody> | undefined;
  return body?.code ? `${answer.status} ${body.code}: ${body.message ?? ''}` : `${answer.status}`;
}

export type LiveEvent = { name: 'call'; data: Call } | { name: 'request'; data: JournalEntry } | { name: 'delivery'; data: Delivery };

/**
 * The tenant's live events (GET /__admin/events) until `signal` aborts; reconnects by itself, sending
 * Last-Event-ID so nothing is missed. EventSource cannot send the token, hence fetch.
 */
export function followEvents(
  tenant: string,
  signal: AbortSignal,
  on: { event: (event: LiveEvent) => void; open: (open: boolean) => void; tokenRequired: () => void },
) {
  void fetchEventSource(`/__admin/events?tenant=${encodeURIComponent(tenant)}`, {
    headers: authorization(),
    signal,
    openWhenHidden: true,
    onopen: (response) => {
      if (response.status === 401) {
        on.tokenRequired();
        return Promise.reject(new TokenRequired());
      }
      if (!response.ok) return Promise.reject(new Error(`events: ${response.status}`));
      on.open(true);
      return Promise.resolve();
    },
    onmessage: (message) => {
      if (message.event === 'call' || message.event === 'request' || message.event === 'delivery') {
        const data: unknown = JSON.parse(message.data);
        on.event({ name: message.event, data } as LiveEvent);
      }
    },
    onclose: () => {
      on.open(false);
      throw new Error('events: closed'); // reconnect
    },
    onerror: (error) => {
      on.open(false);
      if (error instanceof TokenRequired) throw error; // stop: the sign-in form takes over
      return 1000;
    },
  }).catch(() => on.open(false));
}
