/**
 * PhoneBridge v3, from openapi/phonebridge-v3.yaml, beside v2 over the same
 * tenants, orgs, call log and outbox: routing, auth, validation and 404/405
 * come from the document; the handlers here only do behaviour. The tenant's
 * profile decides where Zoho's documents and its live API disagree.
 */
import type { SpecApiOptions } from '../../openapi/engine.js';
import { createSpecApi, type SpecApi } from '../../openapi/engine.js';
import { loadDocument } from '../../openapi/documents.js';
import type { HandlersOf } from '../../openapi/types.js';
import type { Tenant } from '../../store/schema.js';
import type { Tenants } from '../../tenants/registry.js';
import { zohoOAuth, type Caller } from '../../zoho/auth.js';
import { ZOHO_ROUTING } from '../../zoho/errors.js';
import { ZOHO_FORMATS } from '../../zoho/formats.js';
import { paramError } from '../../zoho/param-errors.js';
import { profileOf } from '../../zoho/profiles.js';
import { v3CallNotify, v3ClickToDialError } from './call-notify.js';
import type { operations } from './document.gen.js';
import { v3DisableIntegration, v3EnableIntegration } from './integration.js';
import { v3DisableCallControl, v3DisableClickToDial, v3EnableCallControl, v3EnableClickToDial } from './registrations.js';
import { v3ListUsers } from './users.js';

export const V3_SCOPE = 'phonebridge.call.log';

export const HANDLERS: HandlersOf<operations, Caller, Tenant> = {
  v3EnableIntegration,
  v3DisableIntegration,
  v3ListUsers,
  v3EnableClickToDial,
  v3DisableClickToDial,
  v3EnableCallControl,
  v3DisableCallControl,
  v3CallNotify,
  v3ClickToDialError,
};

export interface PhoneBridgeV3Deps {
  tenants: Tenants;
  onWrite?: SpecApiOptions<unknown>['onWrite'];
  logError?: (error: unknown) => void;
}

export async function createPhoneBridgeV3({ tenants, onWrite, logError }: PhoneBridgeV3Deps): Promise<SpecApi> {
  return createSpecApi({
    document: loadDocument('phonebridge-v3.yaml').document,
    handlers: HANDLERS,
    context: ({ params, security, baseUrl }) => {
      const caller = security as Caller;
      return { params, caller, db: caller.tenant, now: tenants.now(caller.tenant), baseUrl };
    },
    authenticate: zohoOAuth(tenants, {
      // Every v3 operation needs PhoneBridge.call.log (the document's decision).
      scopesAllow: (scopes) => scopes.some((scope) => scope.trim().toLowerCase() === V3_SCOPE),
      // The documented profile takes `Bearer` as the authentication page says; the live one refuses it.
      acceptsBearer: (tenant) => profileOf(tenant) === 'documented',
    }),
    validationFail: (errors) => paramError(errors),
    routing: ZOHO_ROUTING,
    formats: ZOHO_FORMATS,
    onWrite,
    logError,
  });
}
