import type { IncomingHttpHeaders } from 'node:http';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { OpenAPIBackend, type Context, type Document, type Operation, type Request } from 'openapi-backend';
import { errorResponse, ZohoError, type ApiResponse } from './errors.js';
import { disableClickToCall, enableClickToCall, enableClickToCallByGet } from './handlers/click-to-call.js';
import { callAnswered, callDialed, callHungUp, callMissed, callReceived } from './handlers/call-events.js';
import type { Caller, Handler } from './handlers/context.js';
import { disableIntegration, enableIntegration } from './handlers/integration.js';
import { getCallerDetails, listUsers, updateVoiceUrl } from './handlers/lookups.js';
import { loadPhoneBridgeSpec } from './spec.js';
import type { Store } from './store/store.js';

// ajv-formats is CommonJS with a default export; under nodenext it arrives wrapped.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Handlers keyed by the document's operationIds; `strict` init refuses any id the document lacks. */
export const HANDLERS: Record<string, Handler> = {
  enableIntegration,
  disableIntegration,
  enableClickToCall,
  enableClickToCallByGet,
  disableClickToCall,
  callReceived,
  callAnswered,
  callHungUp,
  callMissed,
  callDialed,
  listUsers,
  updateVoiceUrl,
  getCallerDetails,
};

/** What the HTTP layer hands over: never Express's whole `req`. */
export interface ApiRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The merged query string and body (see request-params.ts). */
  params: Record<string, unknown>;
}

export interface ApiResult extends ApiResponse {
  /** The operation the request was routed to; absent for 404 and 405. */
  operationId?: string;
}

export interface ApiDeps {
  store: Store;
  now: () => Date;
  /** Where unexpected failures are reported; the client only ever sees INTERNAL_ERROR. */
  logError?: (error: unknown) => void;
}

export interface PhoneBridgeApi {
  handle(request: ApiRequest): Promise<ApiResult>;
  /** Violations of the document by a response: an undeclared status, or a body off its schema. */
  checkResponse(result: ApiResult): string[];
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const JSON_TYPE = 'application/json;charset=utf-8';

/** Reads `Authorization: Zoho-oauthtoken <token>` and resolves the token to its org, user and vendor. */
function resolveCaller({ store, now }: ApiDeps, headers: IncomingHttpHeaders): Caller | undefined {
  const match = /^\s*Zoho-oauthtoken\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  const token = match?.[1];
  const grant = token ? store.data.tokens[token] : undefined;
  if (!token || !grant || Date.parse(grant.expiresAt) <= now().getTime()) return undefined;
  const org = store.data.orgs[grant.orgId];
  const user = org?.users.find((u) => u.id === grant.userId);
  const vendor = store.data.vendors[grant.vendor];
  if (!org || !user || !user.active || !vendor) return undefined;
  return { token, grant, org, user, vendor };
}

/** The parameter at fault: the missing one first, then the first malformed one. */
export function paramError(errors: ErrorObject[]): ApiResponse {
  const missing = errors.find((e) => e.keyword === 'required');
  if (missing) {
    const base = missing.instancePath.replace(/^\/query\/params\/?/, '');
    const name = String(missing.params.missingProperty);
    // A missing whole object (e.g. name/value pair field) still names the top-level parameter.
    return errorResponse('REQUIRED_PARAM_MISSING', { param: base ? base.split('/')[0]! : name });
  }
  const first = errors.find((e) => e.instancePath.startsWith('/query/params/')) ?? errors[0];
  const param = first?.instancePath.replace(/^\/query\/params\//, '').split('/')[0] || 'params';
  return errorResponse('INVALID_DATA', { param });
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
 * Builds the PhoneBridge API from openapi/phonebridge.yaml: routing, auth,
 * validation and 404/405 come from the document; handlers only do behaviour.
 *
 * @example const api = await createApi({ store, now: () => new Date() });
 *          await api.handle({ method: 'GET', path: '/crm/v2/phonebridge/users', headers, params: {} });
 */
export async function createApi(deps: ApiDeps): Promise<PhoneBridgeApi> {
  const { document } = loadPhoneBridgeSpec();
  const backend = new OpenAPIBackend({
    definition: document as unknown as Document,
    strict: true,
    // Validators compile on first use of each operation: start-up in well under a second.
    quick: true,
    validate: true,
    coerceTypes: true,
    customizeAjv: (ajv) => addFormats(ajv as unknown as Ajv) as never,
  });

  const run = (handler: Handler) => (c: Context) => {
    const params = (c.request.query as { params?: Record<string, unknown> }).params ?? {};
    return handler({ params, caller: c.security.zohoOAuth as Caller, store: deps.store, now: deps.now });
  };
  backend.register(Object.fromEntries(Object.entries(HANDLERS).map(([id, handler]) => [id, run(handler)])));
  backend.registerSecurityHandler('zohoOAuth', (c) => resolveCaller(deps, c.request.headers as IncomingHttpHeaders) ?? false);
  backend.register({
    unauthorizedHandler: () => errorResponse('INVALID_TOKEN'),
    validationFail: (c: Context) => paramError((c.validation.errors ?? []) as ErrorObject[]),
    notFound: () => errorResponse('NOT_FOUND'),
    methodNotAllowed: (c: Context) => ({ ...errorResponse('METHOD_NOT_ALLOWED'), headers: { Allow: allowedMethods(c.request.path).join(', ') } }),
    notImplemented: () => errorResponse('INTERNAL_ERROR'),
  });
  await backend.init();

  // The router rebuilds its operation list on every match; the document never changes, so keep one.
  const operations = backend.router.getOperations();
  backend.router.getOperations = () => operations;
  const takesParams = new Set(
    operations.filter((op) => op.parameters?.some((p) => 'in' in p && p.in === 'query' && p.name === 'params')).map((op) => op.operationId!),
  );

  const allowedMethods = (path: string) =>
    METHODS.filter((method) => backend.router.matchOperation({ method, path, headers: {} }) !== undefined).map((m) => m.toUpperCase());

  const doc = backend.definition as unknown as { components: { responses: Record<string, { content: Record<string, { schema: object }> }> } };
  const ajv = addFormats(new Ajv({ strict: false }));
  const routingErrorValidators = {
    404: ajv.compile(doc.components.responses.NotFound!.content['application/json']!.schema),
    405: ajv.compile(doc.components.responses.MethodNotAllowed!.content['application/json']!.schema),
  };

  return {
    async handle({ method, path, headers, params }) {
      // The merged fields go in as the value of the document's form-exploded `params` query parameter,
      // so one schema validates them wherever the client put them; openapi-backend types query values flat.
      const request = { method, path, headers, query: {}, body: undefined } as unknown as Request;
      const operation = backend.router.matchOperation(request);
      // Operations without fields (users, integrate) ignore whatever the client sends, as Zoho does.
      if (operation && takesParams.has(operation.operationId!)) request.query = { params } as unknown as Request['query'];
      const operationId = operation?.operationId;
      const prefer = preferredStatus(headers);
      if (operation && prefer) {
        const example = exampleResponse(operation, prefer);
        if (example) return { ...example, operationId, headers: { ...example.headers, 'Preference-Applied': `code=${prefer}` } };
      }
      let result: ApiResponse;
      try {
        result = (await backend.handleRequest(request)) as ApiResponse;
      } catch (error) {
        if (error instanceof ZohoError) result = error.response;
        else {
          (deps.logError ?? console.error)(error);
          result = errorResponse('INTERNAL_ERROR');
        }
      }
      const headersOut = prefer ? { ...result.headers, 'Preference-Applied': 'none' } : result.headers;
      return { ...result, headers: headersOut, operationId };
    },

    checkResponse({ operationId, status, body }) {
      if (!operationId) {
        const validate = routingErrorValidators[status as 404 | 405];
        if (!validate) return [`status ${status} without an operation is neither 404 nor 405`];
        return validate(body) ? [] : [`${status} body: ${ajv.errorsText(validate.errors)}`];
      }
      const operation = backend.router.getOperation(operationId)!;
      const declared = operation.responses?.[String(status)] as { content?: object } | undefined;
      if (!declared) return [`${operationId}: status ${status} is not declared`];
      if (!declared.content) return body === undefined ? [] : [`${operationId} ${status}: the document declares no body, but one was sent`];
      const { errors } = backend.validateResponse(body, operationId, status);
      return (errors ?? []).map((e) => `${operationId} ${status}: ${e.instancePath || 'body'} ${e.message ?? e.keyword}`);
    },
  };
}
