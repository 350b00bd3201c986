import type { IncomingHttpHeaders } from 'node:http';
import type { ErrorObject } from 'ajv';
import type { Context } from 'openapi-backend';
import { errorResponse, type ApiResponse } from './errors.js';
import { disableClickToCall, enableClickToCall, enableClickToCallByGet } from './handlers/click-to-call.js';
import { callAnswered, callDialed, callHungUp, callMissed, callReceived } from './handlers/call-events.js';
import type { Caller, Handler } from './handlers/context.js';
import { disableIntegration, enableIntegration } from './handlers/integration.js';
import { getCallerDetails, listUsers, updateVoiceUrl } from './handlers/lookups.js';
import { createSpecApi, type SpecApi } from './spec-api.js';
import { loadSpec } from './spec.js';
import type { Store } from './store/store.js';

export type { ApiRequest, ApiResult } from './spec-api.js';

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

export interface ApiDeps {
  store: Store;
  now: () => Date;
  /** Where unexpected failures are reported; the client only ever sees INTERNAL_ERROR. */
  logError?: (error: unknown) => void;
}

const SCOPE_PREFIX = 'zohocrm.crmphonebridge.';

/** READ for operations marked x-phonebridge-read-only, CREATE for the others; ALL for both. */
export function scopeAllows(scopes: readonly string[], readOnly: boolean): boolean {
  const needed = [`${SCOPE_PREFIX}all`, `${SCOPE_PREFIX}${readOnly ? 'read' : 'create'}`];
  return scopes.some((scope) => needed.includes(scope.trim().toLowerCase()));
}

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
    // A missing field inside a parameter's object still names the top-level parameter.
    return errorResponse('REQUIRED_PARAM_MISSING', { param: base ? base.split('/')[0]! : name });
  }
  const first = errors.find((e) => e.instancePath.startsWith('/query/params/')) ?? errors[0];
  const param = first?.instancePath.replace(/^\/query\/params\//, '').split('/')[0] || 'params';
  return errorResponse('INVALID_DATA', { param });
}

/**
 * The PhoneBridge API from openapi/phonebridge.yaml: routing, auth,
 * validation and 404/405 come from the document; handlers only do behaviour.
 *
 * @example const api = await createApi({ store, now: () => new Date() });
 *          await api.handle({ method: 'GET', path: '/crm/v2/phonebridge/users', headers, params: {}, baseUrl });
 */
export async function createApi(deps: ApiDeps): Promise<SpecApi> {
  // Why a token was refused, when it was for a reason other than being invalid.
  const refusals = new WeakMap<Context, 'OAUTH_SCOPE_MISMATCH'>();
  const readOnly = (c: Context) => Boolean((c.operation as { 'x-phonebridge-read-only'?: boolean })['x-phonebridge-read-only']);

  const operations = Object.fromEntries(
    Object.entries(HANDLERS).map(([id, handler]) => [
      id,
      (c: Context, { params }: { params: Record<string, unknown> }) => handler({ params, caller: c.security.zohoOAuth as Caller, store: deps.store, now: deps.now }),
    ]),
  );
  return createSpecApi({
    document: loadSpec('phonebridge.yaml').document,
    logError: deps.logError,
    handlers: {
      ...operations,
      unauthorizedHandler: (c) => errorResponse(refusals.get(c) ?? 'INVALID_TOKEN'),
      validationFail: (c) => paramError((c.validation.errors ?? []) as ErrorObject[]),
    },
    securityHandlers: {
      zohoOAuth: (c) => {
        const caller = resolveCaller(deps, c.request.headers as IncomingHttpHeaders);
        if (!caller) return false;
        if (!scopeAllows(caller.grant.scopes, readOnly(c))) {
          refusals.set(c, 'OAUTH_SCOPE_MISMATCH');
          return false;
        }
        return caller;
      },
    },
  });
}
