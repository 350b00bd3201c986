import type { IncomingHttpHeaders } from 'node:http';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { OpenAPIBackend, type Context, type Document, type Handler as BackendHandler, type Operation, type Request } from 'openapi-backend';
import { errorResponse, ZohoError, type ApiResponse } from './errors.js';

// ajv-formats is CommonJS with a default export; under nodenext it arrives wrapped.
export const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** What the HTTP layer hands over: never Express's whole `req`. */
export interface ApiRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The merged query string and body (see request-params.ts). */
  params: Record<string, unknown>;
  /** How the client reached the mock, e.g. http://127.0.0.1:4010, for URLs the mock hands out. */
  baseUrl: string;
}

export interface ApiResult extends ApiResponse {
  /** The operation the request was routed to; absent for 404 and 405. */
  operationId?: string;
}

/** One OpenAPI document served: routing, validation and hooks from the document, behaviour from handlers. */
export interface SpecApi {
  handle(request: ApiRequest): Promise<ApiResult>;
  /** Violations of the document by a response: an undeclared status, or a body off its schema. */
  checkResponse(result: ApiResult): string[];
  /** Whether the document has this path, with any method. */
  hasPath(path: string): boolean;
  /** The schemas of the 404 and 405 bodies, for a document that has none of its own. */
  readonly routingErrorSchemas: RoutingErrorSchemas;
}

export interface RoutingErrorSchemas {
  404?: object;
  405?: object;
}

/** The request as handlers see it: the merged, validated fields and where the client came from. */
export interface SpecRequest {
  params: Record<string, unknown>;
  baseUrl: string;
}

export interface SpecApiOptions {
  document: Record<string, unknown>;
  /** Operation handlers by operationId, and openapi-backend's hooks (validationFail, ...); 404, 405 and 501 have defaults. */
  handlers: Record<string, (c: Context, request: SpecRequest) => ApiResponse | Promise<ApiResponse>>;
  securityHandlers?: Record<string, (c: Context) => unknown>;
  /** Schemas of 404 and 405 bodies; default: the document's NotFound and MethodNotAllowed responses. */
  routingErrorSchemas?: RoutingErrorSchemas;
  logError?: (error: unknown) => void;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
export const JSON_TYPE = 'application/json;charset=utf-8';

interface SchemaLike {
  type?: string;
  properties?: Record<string, SchemaLike>;
  allOf?: SchemaLike[];
}

/** The property names an object schema declares (of one type, if given), through allOf. */
function propertyNames(schema: SchemaLike, type?: string): Set<string> {
  const names = new Set(Object.entries(schema.properties ?? {}).filter(([, p]) => !type || p.type === type).map(([name]) => name));
  for (const part of schema.allOf ?? []) for (const name of propertyNames(part, type)) names.add(name);
  return names;
}

/** What an operation's `params` schema declares: every field, and which of them are booleans. */
interface Fields {
  declared: Set<string>;
  booleans: Set<string>;
}

/**
 * The fields an operation gets: only those the document declares (so nothing
 * else reaches handlers or the stored call log), with booleans read as real
 * clients write them (TRUE, True, 1/0).
 */
function declaredOnly(params: Record<string, unknown>, { declared, booleans }: Fields): Record<string, unknown> {
  const out = Object.fromEntries(Object.entries(params).filter(([name]) => declared.has(name)));
  for (const name of booleans) {
    const value = out[name];
    if (typeof value !== 'string') continue;
    const lower = value.trim().toLowerCase();
    if (lower === 'true' || lower === '1') out[name] = 'true';
    else if (lower === 'false' || lower === '0') out[name] = 'false';
  }
  return out;
}

/** `zoho-datetime`: `yyyy-MM-dd HH:mm:ss` naming a real moment (the pattern alone lets 30 February through). */
function addZohoFormats(ajv: Ajv): Ajv {
  return ajv.addFormat('zoho-datetime', (text: string) => {
    const iso = `${text.replace(' ', 'T')}Z`;
    const parsed = new Date(iso);
    return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 19) === iso.slice(0, 19);
  });
}

/** `Prefer: code=500` -> 500. */
function preferredStatus(headers: IncomingHttpHeaders): string | undefined {
  const prefer = headers.prefer;
  return /(?:^|[\s,;])code=(\d{3})\b/.exec(Array.isArray(prefer) ? prefer.join(',') : (prefer ?? ''))?.[1];
}

/** The documented example of one of an operation's statuses, as a response. */
function exampleResponse(operation: Operation, status: string): ApiResponse | undefined {
  const declared = operation.responses?.[status] as { content?: Record<string, { example?: unknown }> } | undefined;
  if (!declared) return undefined;
  const example = declared.content?.['application/json']?.example;
  if (example === undefined) return { status: Number(status), headers: { 'Content-Type': JSON_TYPE } };
  return { status: Number(status), body: example };
}

/**
 * Serves one document with openapi-backend. Every operation's fields are one
 * form-exploded `params` query parameter, so one schema validates them wherever
 * the client put them. A handler returns a response or throws a ZohoError;
 * anything else thrown becomes a logged 500 INTERNAL_ERROR.
 */
export async function createSpecApi({ document, handlers, securityHandlers = {}, routingErrorSchemas, logError = console.error }: SpecApiOptions): Promise<SpecApi> {
  const backend = new OpenAPIBackend({
    definition: document as unknown as Document,
    strict: true,
    // Validators compile on first use of each operation: start-up in well under a second.
    quick: true,
    validate: true,
    coerceTypes: true,
    customizeAjv: (ajv) => addZohoFormats(addFormats(ajv as unknown as Ajv)) as never,
  });
  /** What handle() passes through handleRequest to the handlers: the request object itself, its fields, its origin. */
  interface Passed {
    request: Request;
    params: Record<string, unknown>;
    baseUrl: string;
  }
  // Every document answers an unknown path or method the same way, in Zoho's envelope.
  const routing: SpecApiOptions['handlers'] = {
    notFound: () => errorResponse('NOT_FOUND'),
    methodNotAllowed: (c) => ({ ...errorResponse('METHOD_NOT_ALLOWED'), headers: { Allow: allowedMethods(c) } }),
    notImplemented: () => errorResponse('INTERNAL_ERROR'),
  };
  backend.register(
    Object.fromEntries(
      Object.entries({ ...routing, ...handlers }).map(([name, handler]): [string, BackendHandler] => [
        name,
        async (c: Context, passed: Passed): Promise<ApiResult> => {
          const operationId = c.operation?.operationId;
          const params = (c.request.query as { params?: Record<string, unknown> }).params ?? {};
          try {
            return { ...(await handler(c, { params, baseUrl: passed.baseUrl })), operationId };
          } catch (error) {
            if (error instanceof ZohoError) return { ...error.response, operationId };
            logError(error);
            return { ...errorResponse('INTERNAL_ERROR'), operationId };
          }
        },
      ]),
    ),
  );
  // Once routed: an operation with fields gets them as its `params` parameter before validation;
  // the others ignore whatever the client sends, as Zoho does. (Validation reads the request object passed in.)
  backend.register('postRoutingHandler', (c: Context, passed: Passed) => {
    const fields = c.operation && fieldsByOperation.get(c.operation.operationId!);
    if (fields) passed.request.query = { params: declaredOnly(passed.params, fields) } as unknown as Request['query'];
  });
  for (const [name, handler] of Object.entries(securityHandlers)) backend.registerSecurityHandler(name, handler);
  await backend.init();

  // The router rebuilds its operation list on every match; the document never changes, so keep one.
  const operations = backend.router.getOperations();
  backend.router.getOperations = () => operations;
  const fieldsByOperation = new Map<string, Fields>();
  for (const op of operations) {
    const param = op.parameters?.find((p) => 'in' in p && p.in === 'query' && p.name === 'params');
    if (!param || !('schema' in param)) continue;
    const schema = param.schema as SchemaLike;
    fieldsByOperation.set(op.operationId!, { declared: propertyNames(schema), booleans: propertyNames(schema, 'boolean') });
  }

  const doc = backend.definition as unknown as { components?: { responses?: Record<string, { content: Record<string, { schema: object }> }> } };
  const ajv = addFormats(new Ajv({ strict: false }));
  const routingSchema = (name: string) => doc.components?.responses?.[name]?.content['application/json']?.schema;
  const schemas: RoutingErrorSchemas = routingErrorSchemas ?? { 404: routingSchema('NotFound'), 405: routingSchema('MethodNotAllowed') };
  const routingValidators: Record<number, ReturnType<typeof ajv.compile> | undefined> = {
    404: schemas[404] && ajv.compile(schemas[404]),
    405: schemas[405] && ajv.compile(schemas[405]),
  };
  const paths = new Set(operations.map((op) => op.path));

  /** Whether the request satisfies the operation's security, asked of the same security handlers. */
  const authorized = (operation: Operation, headers: IncomingHttpHeaders): boolean => {
    const names = (operation.security ?? []).flatMap((requirement) => Object.keys(requirement));
    const context = { request: { headers }, operation } as unknown as Context;
    return names.every((name) => Boolean(securityHandlers[name]?.(context)));
  };

  return {
    routingErrorSchemas: schemas,
    hasPath: (path) => paths.has(path.replace(/\/+$/, '') || '/'),

    async handle({ method, path, headers, params, baseUrl }) {
      const request = { method, path, headers, query: {}, body: undefined } as unknown as Request;
      const prefer = preferredStatus(headers);
      if (prefer) {
        // Only a request that asks for a documented response is routed here as well; it still
        // needs a valid token for any status but 401, so Prefer never stands in for authentication.
        const operation = backend.router.matchOperation(request);
        const example = operation && exampleResponse(operation, prefer);
        if (example && (prefer === '401' || authorized(operation, headers))) {
          return { ...example, operationId: operation.operationId, headers: { ...example.headers, 'Preference-Applied': `code=${prefer}` } };
        }
      }
      const passed: Passed = { request, params, baseUrl };
      let result: ApiResult;
      try {
        result = (await backend.handleRequest(request, passed)) as ApiResult;
      } catch (error) {
        // The handlers catch their own failures; this is openapi-backend's, outside any operation.
        logError(error);
        result = errorResponse('INTERNAL_ERROR');
      }
      return prefer ? { ...result, headers: { ...result.headers, 'Preference-Applied': 'none' } } : result;
    },

    checkResponse({ operationId, status, body, headers }) {
      if (!operationId) {
        const validate = routingValidators[status];
        if (!validate) return [`status ${status} without an operation is neither 404 nor 405`];
        return validate(body) ? [] : [`${status} body: ${ajv.errorsText(validate.errors)}`];
      }
      const operation = backend.router.getOperation(operationId)!;
      const declared = operation.responses?.[String(status)] as { content?: Record<string, unknown> } | undefined;
      if (!declared) return [`${operationId}: status ${status} is not declared`];
      if (!declared.content) return body === undefined ? [] : [`${operationId} ${status}: the document declares no body, but one was sent`];
      if (!declared.content['application/json']) {
        const type = headers?.['Content-Type'] ?? '';
        return Object.keys(declared.content).some((t) => type.startsWith(t)) ? [] : [`${operationId} ${status}: Content-Type "${type}" is not one the document declares`];
      }
      const { errors } = backend.validateResponse(body, operationId, status);
      return (errors ?? []).map((e) => `${operationId} ${status}: ${e.instancePath || 'body'} ${e.message ?? e.keyword}`);
    },
  };
}

/** The methods a path has in the document, for the Allow header of a 405. */
function allowedMethods(c: Context): string {
  const router = c.api.router;
  return METHODS.filter((method) => router.matchOperation({ method, path: c.request.path, headers: {} }) !== undefined)
    .map((m) => m.toUpperCase())
    .join(', ');
}
