import type { SpecApiOptions } from '../openapi/engine.js';
import { loadDocument } from '../openapi/documents.js';
import { createSpecApi, type RoutingErrorSchemas, type SpecApi } from '../openapi/engine.js';
import type { ApiResponse, FieldsOf, HandlersOf } from '../openapi/types.js';
import type { Tenant } from '../store/schema.js';
import type { Tenants } from '../tenants/registry.js';
import { ZOHO_ROUTING } from '../zoho/errors.js';
import { consentPage, errorPage } from './consent-page.js';
import type { operations } from './document.gen.js';
import { GRANT_CODE_TTL_MS, mintAccessToken, mintRefreshToken, revoke, zohoToken, type Subject } from './tokens.js';

export interface AccountsDeps {
  tenants: Tenants;
  /** Access token lifetime, seconds. */
  tokenTtlSeconds: number;
  /** Answer `expires_in` in milliseconds plus `expires_in_sec`, as Zoho did before 2020. */
  legacyExpires: boolean;
  /** Consent at once as the admin of the tenant's licensed org, without the page. */
  autoConsent: boolean;
  /** The PhoneBridge document's 404 and 405 bodies: the accounts document declares none. */
  routingErrorSchemas: RoutingErrorSchemas;
  /** After every operation that may have changed the store. */
  onWrite?: SpecApiOptions<unknown>['onWrite'];
  logError?: (error: unknown) => void;
}

const HTML = { 'Content-Type': 'text/html;charset=utf-8' };
const OTHER_LOCATIONS = {
  eu: 'https://accounts.zoho.eu',
  in: 'https://accounts.zoho.in',
  au: 'https://accounts.zoho.com.au',
  jp: 'https://accounts.zoho.jp',
  cn: 'https://accounts.zoho.com.cn',
  ca: 'https://accounts.zohocloud.ca',
  sa: 'https://accounts.zoho.sa',
};

const page = (status: number, title: string, detail: string): ApiResponse => ({ status, headers: HTML, body: errorPage(title, detail) });
const json = (body: object, status = 200): ApiResponse => ({ status, body });
const tokenError = (error: string) => json({ error });
/** Zoho's answer to a revoke that failed (also the control plane guard's to a persona token revoked without the admin token). */
export const revokeFailed = (): ApiResponse => json({ status: 'failure', error: 'invalid_token' }, 400);

function redirect(to: string, query: Record<string, string | undefined>): ApiResponse {
  const url = new URL(to);
  for (const [name, value] of Object.entries(query)) if (value !== undefined) url.searchParams.append(name, value);
  return { status: 302, headers: { Location: url.toString() } };
}

const scopesOf = (scope: string | undefined) => (scope ?? '').split(/[,\s]+/).filter(Boolean);

type AuthorizeParams = FieldsOf<operations['authorize']>;

/** The client and redirect URI of an authorization request, or the error page Zoho shows instead of redirecting. */
function checkClient(db: Tenant, params: AuthorizeParams): ApiResponse | undefined {
  const client = db.clients[params.client_id];
  if (!client) return page(400, 'Invalid Client', `No client is registered with the id ${params.client_id}.`);
  if (!client.redirectUris.includes(params.redirect_uri))
    return page(400, 'Invalid Redirect Uri', `${params.redirect_uri} is not a redirect URI registered for ${client.name}.`);
  return undefined;
}

/**
 * The tenant a request of the accounts server acts on: the one owning its OAuth client, or its token; else the default.
 * A client or token of no tenant is then refused by the default tenant, as Zoho refuses an unknown one.
 */
function tenantOfRequest(tenants: Tenants, params: { client_id?: string; token?: string }): Tenant {
  const tenant = (params.client_id && tenants.byClient(params.client_id)) || (params.token && tenants.byToken(params.token)) || undefined;
  return tenant ? tenants.use(tenant) : tenants.default;
}

/**
 * Zoho's accounts server, from openapi/accounts.yaml: consent, grant codes,
 * the token endpoint with Zoho's HTTP-200 errors, revocation, serverinfo.
 */
export async function createAccountsApi(deps: AccountsDeps): Promise<SpecApi> {
  const { tenants } = deps;
  const tenantOf = (params: Record<string, unknown>) => tenantOfRequest(tenants, params);

  const issueCode = (db: Tenant, now: Date, params: AuthorizeParams, orgId: string, userId: string, baseUrl: string): ApiResponse => {
    for (const [code, grant] of Object.entries(db.grantCodes)) if (Date.parse(grant.expiresAt) <= now.getTime()) delete db.grantCodes[code];
    const code = zohoToken();
    db.grantCodes[code] = {
      clientId: params.client_id,
      redirectUri: params.redirect_uri,
      orgId,
      userId,
      scopes: scopesOf(params.scope),
      accessType: params.access_type === 'offline' ? 'offline' : 'online',
      expiresAt: new Date(now.getTime() + GRANT_CODE_TTL_MS).toISOString(),
    };
    return redirect(params.redirect_uri, { code, location: 'us', 'accounts-server': baseUrl, state: params.state });
  };

  const tokens = (db: Tenant, now: Date, subject: Subject, baseUrl: string, withRefresh: boolean, refreshToken?: string): ApiResponse => {
    const refresh = withRefresh ? mintRefreshToken(db, subject, now) : refreshToken;
    const access = mintAccessToken(db, subject, refresh, now, deps.tokenTtlSeconds);
    const expiry = deps.legacyExpires
      ? { expires_in: deps.tokenTtlSeconds * 1000, expires_in_sec: deps.tokenTtlSeconds }
      : { expires_in: deps.tokenTtlSeconds };
    return json({ access_token: access, ...(withRefresh ? { refresh_token: refresh } : {}), api_domain: baseUrl, token_type: 'Bearer', ...expiry });
  };

  const handlers: HandlersOf<operations, undefined, Tenant> = {
    authorize: ({ params, db, now, baseUrl }) => {
      const refused = checkClient(db, params);
      if (refused) return refused;
      if (deps.autoConsent) {
        const admin = db.orgs[db.defaultOrgId]!.users.find((u) => u.role === 'admin')!;
        return issueCode(db, now, params, db.defaultOrgId, admin.id, baseUrl);
      }
      const request = Object.fromEntries(Object.entries(params).filter((e): e is [string, string] => typeof e[1] === 'string'));
      return { status: 200, headers: HTML, body: consentPage(db.clients[params.client_id]!.name, scopesOf(params.scope), request, Object.values(db.orgs)) };
    },

    consent: ({ params, db, now, baseUrl }) => {
      const refused = checkClient(db, params);
      if (refused) return refused;
      if (params.decision === 'deny') return redirect(params.redirect_uri, { error: 'access_denied', state: params.state });
      const org = Object.values(db.orgs).find((o) => o.users.some((u) => u.id === params.userid && u.active));
      if (!org) return page(400, 'Invalid User', `No active CRM user has the id ${params.userid}.`);
      return issueCode(db, now, params, org.id, params.userid, baseUrl);
    },

    token: ({ params, db, now, baseUrl }) => {
      if (params.grant_type !== 'authorization_code' && params.grant_type !== 'refresh_token') return tokenError('unsupported_grant_type');
      const client = db.clients[params.client_id ?? ''];
      if (!client) return tokenError('invalid_client');
      if (params.client_secret !== client.clientSecret) return tokenError('invalid_client_secret');

      if (params.grant_type === 'refresh_token') {
        const grant = db.refreshTokens[params.refresh_token ?? ''];
        if (!grant || grant.clientId !== client.clientId) return tokenError('invalid_code');
        const { clientId, orgId, userId, vendor, scopes } = grant;
        return tokens(db, now, { clientId, orgId, userId, vendor, scopes }, baseUrl, false, params.refresh_token);
      }

      const code = db.grantCodes[params.code ?? ''];
      if (!code || code.clientId !== client.clientId || Date.parse(code.expiresAt) <= now.getTime()) return tokenError('invalid_code');
      if (params.redirect_uri !== code.redirectUri) return tokenError('invalid_redirect_uri');
      delete db.grantCodes[params.code!]; // single use
      const subject: Subject = { clientId: client.clientId, orgId: code.orgId, userId: code.userId, vendor: client.vendor, scopes: code.scopes };
      return tokens(db, now, subject, baseUrl, code.accessType === 'offline');
    },

    revokeToken: ({ params, db }) => (revoke(db, params.token) ? json({ status: 'success' }) : revokeFailed()),

    serverInfo: ({ baseUrl }) => json({ result: 'success', locations: { us: baseUrl, ...OTHER_LOCATIONS } }),
  };

  return createSpecApi({
    document: loadDocument('accounts.yaml').document,
    handlers,
    context: ({ params, baseUrl }) => {
      const db = tenantOf(params);
      return { params, caller: undefined, db, now: tenants.now(db), baseUrl };
    },
    tenantOf: ({ db }) => db.id,
    // A missing or malformed field: what each endpoint answers when the field is wrong.
    validationFail: (errors, { operationId }) => {
      switch (operationId) {
        case 'token':
          return tokenError('unsupported_grant_type');
        case 'revokeToken':
          return revokeFailed();
        default:
          return page(400, 'Invalid Request', errors.map((e) => `${e.instancePath || 'request'} ${e.message}`).join('; '));
      }
    },
    routing: ZOHO_ROUTING,
    routingErrorSchemas: deps.routingErrorSchemas,
    onWrite: deps.onWrite,
    logError: deps.logError,
  });
}
