/**
 * The engine: serves one OpenAPI document. Routing, validation, `Prefer` and
 * the response check come from the document; behaviour comes from handlers
 * keyed by operationId. It knows nothing of Zoho: the API that uses it says
 * how to authenticate, how to word a refused request and how to build its
 * handlers' context.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ErrorObject } from 'ajv';
import type { Ajv, ValidateFunction } from 'ajv';
import { OpenAPIBackend, type Document, type Operation } from 'openapi-backend';
import { createAjv, DOCUMENT_AJV_OPTIONS, withFormats, type CustomFormats } from './ajv.js';
import { declaredOnly, fieldSource, fieldsOf, type Fields } from './fields.js';
import { exampleResponse, preferredStatus } from './prefer.js';
import { mergeRequestParams } from './request-params.js';
import { ResponseError, type ApiRequest, type ApiResponse, type ApiResult, type Handler, type OperationInput, type RequestTrace } from './types.js';

/** One OpenAPI document served: routing, validation and hooks from the document, behaviour from handlers. */
export interface SpecApi {
  handle(request: ApiRequest): Promise<ApiResult>;
  /** Violations of the document by a response: an undeclared status, or a body off its schema. */
  checkResponse(result: ApiResult): string[];
  /** Whether the document has this path, with any method. */
  hasPath(path: string): boolean;
  /** Every operation of the document. */
  readonly operationIds: readonly string[];
  /** The operation a method and path route to, if any. */
  operationOf(method: string, path: string): string | undefined;
  /** The statuses an operation documents, with whether each has a JSON example. */
  statusesOf(operationId: string): { status: number; example: boolean }[];
  /** The schemas of the 404 and 405 bodies, for a document that has none of its own. */
  readonly routingErrorSchemas: RoutingErrorSchemas;
}

export interface RoutingErrorSchemas {
  404?: object;
  405?: object;
}

/** The operation as the API's hooks see it. */
export interface OperationInfo {
  operationId: string;
  /** Marked `x-phonebridge-read-only`: it changes nothing. */
  readOnly: boolean;
}

/** What authentication decides: what handlers get as `security`, or the response that refuses the request. */
export type Authentication = { security: unknown; orgId?: string; tenantId?: string } | { refusal: ApiResponse };

/** The answers every API gives in its own words: unknown path, wrong method, a failure of the mock itself. */
export interface RoutingResponses {
  notFound(): ApiResponse;
  /** `allow`: the path's methods, for the Allow header. */
  methodNotAllowed(allow: string): ApiResponse;
  internalError(): ApiResponse;
}

export interface SpecApiOptions<Context> {
  document: Record<string, unknown>;
  /**
   * Operation handlers by operationId: every operation needs one, and every handler an operation.
   * Each may take a narrower context than `Context` (its own operation's fields, typed from the
   * document): the engine only hands it fields validated against that operation's schema.
   */
  handlers: Readonly<Record<string, Handler<never>>>;
  /** Builds the handlers' context from what the engine knows of the request (it may throw a ResponseError: an unknown tenant). */
  context: (input: OperationInput) => Context;
  /** The tenant a context acts on, for the request's trace. */
  tenantOf?: (context: Context) => string | undefined;
  /** Resolves an operation's security requirement; called only for operations that have one. */
  authenticate?: (headers: IncomingHttpHeaders, operation: OperationInfo) => Authentication;
  /** The response to a request the document's schema refuses (`errors` from Ajv, paths relative to the fields). */
  validationFail: (errors: ErrorObject[], operation: OperationInfo) => ApiResponse;
  routing: RoutingResponses;
  /** Formats the document uses beyond ajv-formats'. */
  formats?: CustomFormats;
  /** Schemas of 404 and 405 bodies; default: the document's NotFound and MethodNotAllowed responses. */
  routingErrorSchemas?: RoutingErrorSchemas;
  /** Called after every operation not marked read-only whose handler ran: the one place the store learns of a change. */
  onWrite?: (operation: OperationInfo, trace: RequestTrace) => void | Promise<void>;
  /** Where unexpected failures are reported; the client only sees `routing.internalError()`. */
  logError?: (error: unknown) => void;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
interface Route {
  operation: Operation;
  info: OperationInfo;
  /** For a templated path: its pattern, capturing the values of `names`. */
  template?: { pattern: RegExp; names: string[] };
  /** The operation's fields, if it has any: their names, the schema they are validated against, where they may come from. */
  fields?: Fields & { schema: object; fromQuery: boolean };
}

/** A path template of the document as a regular expression: `/calls/{id}` -> ^/calls/([^/]+)$, and its parameter names. */
function templatePattern(path: string): { pattern: RegExp; names: string[] } {
  const literal = path.split(/\{[^}]+\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return { pattern: new RegExp(`^${literal.join('([^/]+)')}$`), names: [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!) };
}

/** The values of a templated path's parameters, decoded (a malformed escape is kept as sent). */
function pathValues(template: NonNullable<Route['template']>, path: string): Record<string, string> {
  const match = template.pattern.exec(path.replace(/\/+$/, ''));
  const decode = (value: string) => {
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  };
  return Object.fromEntries(template.names.map((name, i) => [name, decode(match?.[i + 1] ?? '')]));
}

/**
 * Serves one document. An operation's fields are its request body's schema
 * (also read from the query string where the document says
 * `x-phonebridge-fields-also-in-query`) or its query parameters: one object,
 * validated once wherever the client put them. Order: route (404/405),
 * `Prefer`, authentication, validation, handler. A handler returns a response
 * or throws a ResponseError; anything else thrown becomes a logged internal error.
 */
export async function createSpecApi<Context>(options: SpecApiOptions<Context>): Promise<SpecApi> {
  const { handlers, routing, logError = console.error } = options;
  // openapi-backend dereferences the document and checks responses; requests are validated below, by our own Ajv.
  const backend = new OpenAPIBackend({
    // A copy: openapi-backend dereferences the document in place, and the one given is shared.
    definition: structuredClone(options.document) as unknown as Document,
    strict: true,
    // Response validators compile on first use of each operation: start-up in well under a second.
    quick: true,
    ajvOpts: DOCUMENT_AJV_OPTIONS,
    customizeAjv: (ajv) => withFormats(ajv, options.formats),
  });
  await backend.init();

  // Routes, built once: the document never changes.
  const operations = backend.router.getOperations();
  const missing = operations.map((op) => op.operationId!).filter((id) => !handlers[id]);
  const extra = Object.keys(handlers).filter((id) => !operations.some((op) => op.operationId === id));
  if (missing.length || extra.length)
    throw new Error(`handlers and document disagree: no handler for [${missing.join(', ')}], no operation for [${extra.join(', ')}]`);
  const routes = operations.map((operation): Route => {
    const source = fieldSource(operation);
    const readOnly = Boolean((operation as { 'x-phonebridge-read-only'?: boolean })['x-phonebridge-read-only']);
    return {
      operation,
      info: { operationId: operation.operationId!, readOnly },
      template: operation.path.includes('{') ? templatePattern(operation.path) : undefined,
      fields: source && { ...fieldsOf(source.schema), ...source },
    };
  });
  const byPath = new Map<string, Route[]>();
  const templated: { pattern: RegExp; routes: Route[] }[] = [];
  for (const route of routes) {
    const path = route.operation.path;
    if (route.template) {
      const { pattern } = route.template;
      const entry = templated.find((t) => t.pattern.source === pattern.source);
      if (entry) entry.routes.push(route);
      else templated.push({ pattern, routes: [route] });
    } else {
      byPath.set(path, [...(byPath.get(path) ?? []), route]);
    }
  }
  const byId = new Map(routes.map((r) => [r.info.operationId, r]));
  /** The routes of a path, any method; a trailing slash does not matter. */
  const routesOf = (path: string): Route[] | undefined => {
    const normalized = path.replace(/\/+$/, '') || '/';
    return byPath.get(normalized) ?? templated.find((t) => t.pattern.test(normalized))?.routes;
  };

  const doc = backend.definition as unknown as { components?: { responses?: Record<string, { content: Record<string, { schema: object }> }> } };
  const routingSchema = (name: string) => doc.components?.responses?.[name]?.content['application/json']?.schema;
  const schemas: RoutingErrorSchemas = options.routingErrorSchemas ?? { 404: routingSchema('NotFound'), 405: routingSchema('MethodNotAllowed') };
  // Nothing is compiled at start: each Ajv is made, and each schema compiled, on first use (a dozen compiles
  // were a tenth of the start-up); the response checks are for tests and the journal's violations.
  let responseAjv: Ajv | undefined;
  const routingValidators = new Map<number, ValidateFunction | undefined>();
  const routingValidator = (status: number): ValidateFunction | undefined => {
    if (!routingValidators.has(status)) {
      const schema = schemas[status as 404 | 405];
      responseAjv ??= createAjv({ strict: false }, options.formats);
      routingValidators.set(status, schema && responseAjv.compile(schema));
    }
    return routingValidators.get(status);
  };

  // One Ajv for every operation's fields, coercing form text to the declared types; each schema compiled on first use.
  let fieldsAjv: Ajv | undefined;
  const validators = new Map<Route, ValidateFunction>();
  const validatorOf = (route: Route, schema: object): ValidateFunction => {
    let validate = validators.get(route);
    if (!validate) {
      if (!fieldsAjv) {
        fieldsAjv = createAjv({ strict: true, coerceTypes: true }, options.formats);
        fieldsAjv.addKeyword('example');
      }
      validators.set(route, (validate = fieldsAjv.compile(schema)));
    }
    return validate;
  };

  /** Runs the operation: authentication, validation, handler. */
  const run = async (route: Route, { path, headers, query, body, baseUrl }: ApiRequest): Promise<ApiResult> => {
    const { operation, info } = route;
    const operationId = info.operationId;
    const trace: RequestTrace = { operationId, validation: 'skipped', readOnly: info.readOnly };
    let security: unknown;
    if (operation.security?.length && options.authenticate) {
      const outcome = options.authenticate(headers, info);
      if ('refusal' in outcome) return { ...outcome.refusal, operationId, trace };
      security = outcome.security;
      trace.orgId = outcome.orgId;
      trace.tenantId = outcome.tenantId;
    }

    let fields: Record<string, unknown> = {};
    if (route.fields) {
      // One object from wherever the document lets the fields come (a body field wins), validated once.
      fields = declaredOnly(mergeRequestParams(route.fields.fromQuery ? query : undefined, body), route.fields);
      // Path parameters are fields too, and win over anything of the same name in the query or body.
      if (route.template) Object.assign(fields, pathValues(route.template, path));
      const validate = validatorOf(route, route.fields.schema);
      if (!validate(fields)) {
        trace.validation = 'failed';
        trace.params = fields;
        return { ...options.validationFail(validate.errors ?? [], info), operationId, trace };
      }
    }
    trace.validation = route.fields ? 'passed' : 'skipped';
    trace.params = fields;

    let ran = false;
    let result: ApiResult;
    try {
      const handler = handlers[operationId] as Handler<Context>;
      const context = options.context({ operationId, params: fields, security, baseUrl });
      trace.tenantId ??= options.tenantOf?.(context);
      ran = true;
      const { orgId, warnings, ...response } = await handler(context);
      trace.orgId ??= orgId;
      if (warnings?.length) trace.warnings = warnings;
      result = { ...response, operationId, trace };
    } catch (error) {
      if (error instanceof ResponseError) result = { ...error.response, operationId, trace };
      else {
        logError(error);
        result = { ...routing.internalError(), operationId, trace };
      }
    }
    // Also after a refusal the handler wrote (an outbox entry). The answer waits until the change is saved
    // (the store says when): a 2xx means it is on disk; a save that failed is answered as an internal error.
    if (ran && !info.readOnly && options.onWrite) {
      try {
        await options.onWrite(info, trace);
      } catch {
        return { ...routing.internalError(), operationId, trace };
      }
    }
    return result;
  };

  /** Whether the request would pass the operation's authentication (Prefer needs it for any status but 401). */
  const authorized = (route: Route, headers: IncomingHttpHeaders): boolean =>
    !route.operation.security?.length || !options.authenticate || !('refusal' in options.authenticate(headers, route.info));

  /** Routes the request (404, 405), answers a documented `Prefer`, or runs the operation. */
  const answer = async (request: ApiRequest, prefer: string | undefined): Promise<ApiResult> => {
    const candidates = routesOf(request.path);
    if (!candidates) return { ...routing.notFound(), trace: { validation: 'skipped' } };
    const route = candidates.find((r) => r.operation.method === request.method.toLowerCase());
    if (!route) {
      const allow = METHODS.filter((m) => candidates.some((r) => r.operation.method === m)).map((m) => m.toUpperCase());
      return { ...routing.methodNotAllowed(allow.join(', ')), trace: { validation: 'skipped' } };
    }
    const { operationId, readOnly } = route.info;
    if (prefer) {
      // Only a documented status is answered; it still needs a valid token for any status but 401,
      // so Prefer never stands in for authentication.
      const example = exampleResponse(route.operation, prefer);
      if (example && (prefer === '401' || authorized(route, request.headers))) {
        const trace: RequestTrace = { operationId, validation: 'skipped', readOnly, preferred: true };
        return { ...example, operationId, trace, headers: { ...example.headers, 'Preference-Applied': `code=${prefer}` } };
      }
    }
    try {
      return await run(route, request);
    } catch (error) {
      // The handlers' failures are caught in run(); this is one of the engine's own.
      logError(error);
      return { ...routing.internalError(), operationId, trace: { operationId, validation: 'skipped', readOnly } };
    }
  };

  return {
    routingErrorSchemas: schemas,
    hasPath: (path) => routesOf(path) !== undefined,
    operationIds: routes.map((r) => r.info.operationId),
    operationOf: (method, path) => routesOf(path)?.find((r) => r.operation.method === (method === 'HEAD' ? 'get' : method.toLowerCase()))?.info.operationId,
    statusesOf: (operationId) =>
      Object.entries(byId.get(operationId)?.operation.responses ?? {})
        .filter(([status]) => /^\d{3}$/.test(status))
        .map(([status, response]) => ({
          status: Number(status),
          example: (response as { content?: Record<string, { example?: unknown }> }).content?.['application/json']?.example !== undefined,
        })),

    async handle(request) {
      const prefer = preferredStatus(request.headers, request.query);
      const result = await answer(request, prefer);
      return prefer && !result.trace?.preferred ? { ...result, headers: { ...result.headers, 'Preference-Applied': 'none' } } : result;
    },

    checkResponse({ operationId, status, body, headers }) {
      if (!operationId) {
        const validate = status === 404 || status === 405 ? routingValidator(status) : undefined;
        if (!validate) return [`status ${status} without an operation is neither 404 nor 405`];
        return validate(body) ? [] : [`${status} body: ${responseAjv!.errorsText(validate.errors)}`];
      }
      const operation = byId.get(operationId)?.operation;
      if (!operation) return [`${operationId} is not an operation of the document`];
      const declared = operation.responses?.[String(status)] as { content?: Record<string, unknown> } | undefined;
      if (!declared) return [`${operationId}: status ${status} is not declared`];
      if (!declared.content) return body === undefined ? [] : [`${operationId} ${status}: the document declares no body, but one was sent`];
      if (!declared.content['application/json']) {
        const type = headers?.['Content-Type'] ?? '';
        return Object.keys(declared.content).some((t) => type.startsWith(t))
          ? []
          : [`${operationId} ${status}: Content-Type "${type}" is not one the document declares`];
      }
      const { errors } = backend.validateResponse(body, operation, status);
      return (errors ?? []).map((e) => `${operationId} ${status}: ${e.instancePath || 'body'} ${e.message ?? e.keyword}`);
    },
  };
}
