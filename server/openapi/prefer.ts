/** `Prefer: code=N` (Prism's convention): answer a documented status with the document's example. */
import type { IncomingHttpHeaders } from 'node:http';
import type { Operation } from 'openapi-backend';
import type { ApiResponse } from './types.js';

export const JSON_TYPE = 'application/json;charset=utf-8';

/** `Prefer: code=500` -> '500'; else Prism's query parameter for one request, `?__code=500`. */
export function preferredStatus(headers: IncomingHttpHeaders, query?: unknown): string | undefined {
  const prefer = headers.prefer;
  const fromHeader = /(?:^|[\s,;])code=(\d{3})\b/.exec(Array.isArray(prefer) ? prefer.join(',') : (prefer ?? ''))?.[1];
  const code = (query as { __code?: unknown } | undefined)?.__code;
  return fromHeader ?? (typeof code === 'string' && /^\d{3}$/.test(code) ? code : undefined);
}

/** The documented example of one of an operation's statuses, as a response. */
export function exampleResponse(operation: Operation, status: string): ApiResponse | undefined {
  const declared = operation.responses?.[status] as { content?: Record<string, { example?: unknown }> } | undefined;
  if (!declared) return undefined;
  const example = declared.content?.['application/json']?.example;
  if (example === undefined) return { status: Number(status), headers: { 'Content-Type': JSON_TYPE } };
  return { status: Number(status), body: example };
}
