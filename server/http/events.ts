/**
 * Request events: the HTTP layer announces each request's start and end, so a
 * journal, a console log, a live view or a test can follow every request
 * without touching handlers.
 *
 * @example events.on('request:end', (e) => console.log(e.method, e.path, e.status, e.operationId, e.durationMs));
 */
import { EventEmitter } from 'node:events';
import type { ApiRequest, ApiResult, RequestTrace } from '../openapi/types.js';
import type { FaultEffect } from '../store/schema.js';

export interface RequestStart {
  /** Increasing per app: pairs a start with its end. */
  id: number;
  at: Date;
  method: string;
  path: string;
}

export interface RequestEnd extends RequestStart, Omit<RequestTrace, 'validation'> {
  /** The document that answered: 'phonebridge', 'accounts', 'admin'. */
  api: string;
  /** The request as the API got it (the body parsed). */
  request: ApiRequest;
  /** The body's bytes as received, if it had one. */
  rawBody: Buffer | undefined;
  /** The fault injected into it, if any (status 0: the connection was dropped). */
  fault?: { id: string; effect: FaultEffect };
  status: number;
  durationMs: number;
  validation: RequestTrace['validation'];
  /** The response as sent. */
  result: ApiResult;
  /** Violations of the document by this response (computed on call: it costs a validation). */
  violations(): string[];
}

interface RequestEventMap {
  'request:start': [RequestStart];
  'request:end': [RequestEnd];
}

export class RequestEvents extends EventEmitter<RequestEventMap> {}
