/**
 * PhoneBridge v2, from openapi/phonebridge.yaml: routing, auth, validation
 * and 404/405 come from the document; the handlers here only do behaviour.
 */
import type { SpecApiOptions } from '../../openapi/engine.js';
import { createSpecApi, type SpecApi } from '../../openapi/engine.js';
import type { HandlersOf } from '../../openapi/types.js';
import { loadDocument } from '../../openapi/documents.js';
import type { Tenant } from '../../store/schema.js';
import type { Tenants } from '../../tenants/registry.js';
import { zohoOAuth, type Caller } from '../../zoho/auth.js';
import { ZOHO_ROUTING } from '../../zoho/errors.js';
import { ZOHO_FORMATS } from '../../zoho/formats.js';
import { paramError } from '../../zoho/param-errors.js';
import { callAnswered, callDialed, callHungUp, callMissed, callReceived } from './call-events.js';
import { disableClickToCall, enableClickToCall, enableClickToCallByGet } from './click-to-call.js';
import type { operations } from './document.gen.js';
import { disableIntegration, enableIntegration } from './integration.js';
import { getCallerDetails, listUsers, updateVoiceUrl } from './lookups.js';

/** Handlers keyed by the document's operationIds; the engine refuses a handler without an operation and the reverse. */
export const HANDLERS: HandlersOf<operations, Caller, Tenant> = {
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

export interface PhoneBridgeDeps {
  tenants: Tenants;
  /** After every operation that may have changed the store. */
  onWrite?: SpecApiOptions<unknown>['onWrite'];
  /** Where unexpected failures are reported; the client only ever sees INTERNAL_ERROR. */
  logError?: (error: unknown) => void;
}

/**
 * @example const api = await createPhoneBridgeV2({ tenants });
 *          await api.handle({ method: 'GET', path: '/crm/v2/phonebridge/users', headers, params: {}, baseUrl });
 */
export async function createPhoneBridgeV2({ tenants, onWrite, logError }: PhoneBridgeDeps): Promise<SpecApi> {
  return createSpecApi({
    document: loadDocument('phonebridge.yaml').document,
    handlers: HANDLERS,
    // Every operation has a security requirement, so the caller (and its tenant) is always known.
    context: ({ params, security, baseUrl }) => {
      const caller = security as Caller;
      return { params, caller, db: caller.tenant, now: tenants.now(caller.tenant), baseUrl };
    },
    authenticate: zohoOAuth(tenants),
    validationFail: (errors) => paramError(errors),
    routing: ZOHO_ROUTING,
    formats: ZOHO_FORMATS,
    onWrite,
    logError,
  });
}
