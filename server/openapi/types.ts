/** What the engine and the HTTP layer exchange, and what every operation handler returns. Nothing here knows Zoho. */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

/** A response as data: the HTTP layer writes it, handlers return it. */
export interface ApiResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** A response that streams (Server-Sent Events): it writes everything itself, `status` and `headers` included. */
  stream?: (req: IncomingMessage, res: ServerResponse) => void;
}

/** What the HTTP layer hands over: never Express's whole `req`. */
export interface ApiRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed query string. */
  query: unknown;
  /** The parsed form or JSON body; undefined when there is none, or it could not be read. */
  body: unknown;
  /** How the client reached the mock, e.g. http://127.0.0.1:4010, for URLs the mock hands out. */
  baseUrl: string;
}

/** How far a request got through the engine: what request events report. */
export interface RequestTrace {
  /** The operation it was routed to; absent for 404 and 405. */
  operationId?: string;
  /** The org it acted on, when the security handler or the operation knows one. */
  orgId?: string;
  /** The tenant it acted on, when the security handler or the API's context knows one. */
  tenantId?: string;
  /** The fields the operation saw, as validated (declared ones only, coerced); absent when it was refused before. */
  params?: Record<string, unknown>;
  /** `passed`, `failed` (a 400 from the document's schema), or `skipped` (refused before validation, or not routed). */
  validation: 'passed' | 'failed' | 'skipped';
  /** Whether the operation is marked `x-phonebridge-read-only` (changes nothing). */
  readOnly?: boolean;
  /** `Prefer: code=N` answered with the document's example instead of the handler. */
  preferred?: boolean;
  /** What the operation noticed about the request without changing its answer (call lifecycle warnings). */
  warnings?: Notice[];
}

/** Something an operation noticed about a request that does not change its answer. */
export interface Notice {
  code: string;
  message: string;
}

export interface ApiResult extends ApiResponse {
  /** The operation the request was routed to; absent for 404 and 405. */
  operationId?: string;
  trace?: RequestTrace;
}

/** What a handler returns: a response, and the org it acted on when the engine cannot know it from the token. */
export interface OperationResult extends ApiResponse {
  orgId?: string;
  /** Goes into the request's trace. */
  warnings?: Notice[];
}

/**
 * Thrown by a handler (or what it calls) to answer with this response at once;
 * anything else thrown becomes the API's internal error, logged.
 */
export class ResponseError extends Error {
  constructor(readonly response: ApiResponse) {
    super(`${response.status} ${JSON.stringify(response.body ?? '')}`);
  }
}

/** What the engine knows of one routed request, before the API turns it into its handlers' context. */
export interface OperationInput {
  operationId: string;
  /** The declared fields, validated and coerced. */
  params: Record<string, unknown>;
  /** What the document's security handler resolved (e.g. the signed-in user), or undefined where none applies. */
  security: unknown;
  baseUrl: string;
}

/** Every handler of every document has this shape: a context in, a response out (or a ResponseError thrown). */
export type Handler<Context> = (ctx: Context) => OperationResult | Promise<OperationResult>;

/**
 * What every handler of every document receives.
 *
 * @example const listUsers: Handler<OperationContext<{}, Caller, Db>> = ({ caller }) => ({ status: 200, body: { users: [] } });
 */
export interface OperationContext<Params, Caller, Data> {
  /** The operation's fields, validated against its schema and coerced (numbers, booleans). */
  params: Params;
  /** Who is calling, as the document's security resolved it; undefined where the document has none. */
  caller: Caller;
  /** The data the operation reads and writes, taken at request time. */
  db: Data;
  /** The clock's time for this request. */
  now: Date;
  /** How the client reached the mock, for URLs the mock hands out. */
  baseUrl: string;
}

type BodyOf<Op> = Op extends { requestBody?: infer R }
  ? [NonNullable<R>] extends [never]
    ? never
    : NonNullable<R> extends { content: { 'application/x-www-form-urlencoded': infer B } }
      ? B
      : never
  : never;
type QueryOf<Op> = Op extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;
/** Path parameters; `path?: never` (none) adds nothing. */
type PathOf<Op> = Op extends { parameters: { path: infer P } } ? ([P] extends [undefined] ? unknown : NonNullable<P>) : unknown;

/**
 * An operation's fields, from types generated from its document (openapi-typescript):
 * its form body's schema, else its query parameters. `FieldsOf<operations['callReceived']>` is CallEventFields.
 */
export type FieldsOf<Op> = ([BodyOf<Op>] extends [never] ? ([QueryOf<Op>] extends [never] ? Record<string, never> : QueryOf<Op>) : BodyOf<Op>) & PathOf<Op>;

/** One handler per operation of a document, each with its own operation's fields. */
export type HandlersOf<Operations, Caller, Data> = {
  [Id in keyof Operations]: Handler<OperationContext<FieldsOf<Operations[Id]>, Caller, Data>>;
};
