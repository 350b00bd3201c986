import type { Contract } from './document.js';
import { errorVariants } from './document.js';

export type Placement = 'form' | 'query' | 'json';

export interface SentRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface Exchange {
  /** The operation the request was aimed at; absent for the 404/405 probes. */
  operationId?: string;
  request: SentRequest;
  status: number;
  headers: Record<string, string>;
  text: string;
  /** The parsed body, when it is JSON. */
  body: unknown;
  /** Bytes found after the headers on the raw socket, for answers fetch reports bodiless (204). */
  rawBodyBytes?: number;
}

/** A request as a line to paste into a shell. */
export function curl({ method, url, headers, body }: SentRequest): string {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const parts = ['curl -i', `-X ${method}`, ...Object.entries(headers).map(([k, v]) => `-H ${quote(`${k}: ${v}`)}`)];
  if (body !== undefined) parts.push(`--data-raw ${quote(body)}`);
  parts.push(quote(url));
  return parts.join(' ');
}

export async function sendRaw(request: SentRequest, operationId?: string): Promise<Exchange> {
  const response = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    redirect: 'manual',
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { operationId, request, status: response.status, headers: Object.fromEntries(response.headers), text, body };
}

/** Builds the request for an operation from the document's method and path. */
export function buildRequest(
  contract: Contract,
  baseUrl: string,
  operationId: string,
  params: Record<string, string>,
  placement: Placement | undefined,
  headers: Record<string, string>,
): SentRequest {
  const op = contract.operation(operationId);
  const method = op.method.toUpperCase();
  const url = new URL(baseUrl + op.path);
  // A GET's fields go in the query string; so do a DELETE's, unless it has a body and one was asked for (v3's form bodies).
  const inQuery = method === 'GET' || (method === 'DELETE' && !(op.requestBody && placement));
  const effective: Placement = inQuery ? 'query' : (placement ?? 'form');
  if (effective === 'query' && Object.keys(params).length > 0 && !contract.fieldsInQuery(operationId)) {
    // The suite sends only what the document declares: a query-string POST needs x-phonebridge-fields-also-in-query.
    throw new Error(`${operationId}: the document does not let its fields come in the query string (x-phonebridge-fields-also-in-query)`);
  }
  let body: string | undefined;
  if (effective === 'query') for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  if (effective === 'form') {
    body = new URLSearchParams(params).toString();
    headers = { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' };
  }
  if (effective === 'json') {
    body = JSON.stringify(params);
    headers = { ...headers, 'Content-Type': 'application/json' };
  }
  return { method, url: url.toString(), headers, body };
}

const isJsonType = (value: string | undefined) => /^application\/json\s*(;|$)/i.test(value ?? '');

/**
 * Every way a response breaks the document: an undeclared status, a body off
 * its schema, a wrong Content-Type, a body on a 204, an error code the
 * operation does not list, a missing `details.param`, a 405 without `Allow`.
 */
export function violations(contract: Contract, ex: Exchange): string[] {
  const found: string[] = [];
  const where = ex.operationId ? `${ex.operationId} ${ex.status}` : `${ex.request.method} ${new URL(ex.request.url).pathname} ${ex.status}`;

  let declared;
  if (ex.operationId) {
    declared = contract.response(ex.operationId, ex.status);
    if (!declared) {
      const statuses = Object.keys(contract.operation(ex.operationId).responses ?? {}).join(', ');
      return [`${where}: status ${ex.status} is not declared for ${ex.operationId} (the document declares ${statuses})`];
    }
  } else {
    if (ex.status !== 404 && ex.status !== 405) return [`${where}: a path or method the document lacks must answer 404 or 405, not ${ex.status}`];
    declared = contract.routingResponse(ex.status === 404 ? 'NotFound' : 'MethodNotAllowed');
    // A missing Allow is caught below with every other declared header; here, whether it lists the right methods.
    if (ex.status === 405 && ex.headers.allow !== undefined) {
      const expected = contract.methodsOf(new URL(ex.request.url).pathname);
      const allow = ex.headers.allow
        .split(',')
        .map((m) => m.trim().toUpperCase())
        .filter(Boolean);
      if ([...allow].sort().join() !== [...expected].sort().join())
        found.push(`${where}: Allow is "${ex.headers.allow}", the document declares ${expected.join(', ')}`);
    }
  }

  if (!declared) return found;
  for (const header of Object.keys(declared.headers ?? {})) {
    if (ex.headers[header.toLowerCase()] === undefined) found.push(`${where}: the ${header} header is missing; the document declares it`);
  }
  const json = declared.content?.['application/json'];
  const otherTypes = Object.keys(declared.content ?? {});
  if (!json && otherTypes.length > 0) {
    // A page (the OAuth consent and error pages): only its media type is checked.
    const type = ex.headers['content-type'] ?? '(none)';
    if (!otherTypes.some((t) => type.toLowerCase().startsWith(t)))
      found.push(`${where}: Content-Type is "${type}", the document says ${otherTypes.join(' or ')}`);
    return found;
  }
  if (!json) {
    const bytes = Math.max(Buffer.byteLength(ex.text), ex.rawBodyBytes ?? 0);
    if (bytes > 0) found.push(`${where}: the document declares no body, but ${bytes} bytes came back`);
    return found;
  }
  if (!isJsonType(ex.headers['content-type']))
    found.push(`${where}: Content-Type is "${ex.headers['content-type'] ?? '(none)'}", the document says application/json`);
  if (ex.body === undefined) return [...found, `${where}: the body is not JSON: ${ex.text.slice(0, 200) || '(empty)'}`];

  const schemaErrors = json.schema ? contract.schemaErrors(json.schema, ex.body) : [];
  for (const e of schemaErrors)
    found.push(
      `${where}: schema: ${`body${e.instancePath}`} ${e.message ?? e.keyword}${e.params && 'allowedValues' in e.params ? ` ${JSON.stringify(e.params.allowedValues)}` : ''}`,
    );

  const variants = errorVariants(json.schema);
  const body = ex.body as { code?: unknown; details?: Record<string, unknown> };
  const listed = variants.flatMap((v) => v.codes ?? []);
  if (typeof body.code === 'string' && ex.status >= 400 && listed.length > 0) {
    if (!listed.includes(body.code)) found.push(`${where}: error code ${body.code} is not one the document lists for this status (${listed.join(', ')})`);
    for (const variant of variants.filter((v) => v.codes?.includes(body.code as string))) {
      for (const field of variant.detailsRequired) {
        if (body.details?.[field] === undefined) found.push(`${where}: details.${field} is missing; the document requires it with ${body.code}`);
      }
    }
  }
  return found;
}

/** A failed contract check: says what broke, and how to reproduce it. */
export class ContractViolation extends Error {
  constructor(ex: Exchange, problems: string[]) {
    super(describe(ex, problems));
    this.name = 'ContractViolation';
  }
}

export function describe(ex: Exchange, problems: string[]): string {
  const headers = ['content-type', 'allow'].filter((h) => ex.headers[h] !== undefined).map((h) => `${h}: ${ex.headers[h]}`);
  return [
    ...problems.map((p) => `✗ ${p}`),
    `  request:  ${curl(ex.request)}`,
    `  response: ${ex.status}${headers.length ? ` (${headers.join('; ')})` : ''} ${ex.text.slice(0, 600) || '(empty body)'}`,
  ].join('\n');
}
