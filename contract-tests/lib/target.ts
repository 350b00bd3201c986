/**
 * What the contract suite knows about its target, from the environment the
 * `phonebridge-contract` command sets before it imports the suite. Nothing else.
 */
export interface Target {
  baseUrl: string;
  /** An org admin's token issued to a registered vendor: the main persona. */
  token: string;
  /** Optional tokens for the negative personas; tests that need a missing one are skipped, saying which. */
  personas: {
    user?: string;
    free?: string;
    unregistered?: string;
    otherpbx?: string;
    expired?: string;
  };
  /** Whether the suite may change data (enable the integration, report calls). */
  allowWrites: boolean;
  /** The target is phonebridge-mock: Prefer code=... works, and every documented response must be exercised. */
  isMock: boolean;
  /** A number that matches a record in the target's CRM, for the screen-pop checks. */
  knownNumber: string;
  /** Zoho's accounts server for the target (the mock serves it on its own port); undefined skips the OAuth checks. */
  accountsUrl?: string;
  /** A registered OAuth client, for the token-endpoint checks that need one. */
  client?: { id: string; secret: string; redirectUri: string };
  /** The operations whose per-operation checks run (--operation); undefined: all of them. */
  operations?: string[];
  /** Where the run's coverage of the document is written for the summary. */
  coverageFile?: string;
  /** Tags the call reference ids this run creates. */
  runId: string;
  /** The PhoneBridge API this file of the suite checks. */
  api: Api;
  /** Every API the run checks (--api), for the --operation names that may be in either document. */
  apis: Api[];
}

/** A PhoneBridge API the suite checks: v2 (`/crm/v2/phonebridge/...`) or v3 (`/phonebridge/v3/...`). */
export type Api = 'v2' | 'v3';
export const APIS: readonly Api[] = ['v2', 'v3'];

/** Each API's document in openapi/ and the contract file of the suite that checks it. */
export const API_FILES = {
  v2: { document: 'phonebridge.yaml', suite: 'contract-tests/phonebridge.contract.ts' },
  v3: { document: 'phonebridge-v3.yaml', suite: 'contract-tests/phonebridge-v3.contract.ts' },
} as const satisfies Record<Api, { document: string; suite: string }>;

export const ENV = {
  target: 'PHONEBRIDGE_TARGET',
  token: 'PHONEBRIDGE_TOKEN',
  user: 'PHONEBRIDGE_USER_TOKEN',
  free: 'PHONEBRIDGE_FREE_TOKEN',
  unregistered: 'PHONEBRIDGE_UNREGISTERED_TOKEN',
  otherpbx: 'PHONEBRIDGE_OTHERPBX_TOKEN',
  expired: 'PHONEBRIDGE_EXPIRED_TOKEN',
  allowWrites: 'PHONEBRIDGE_ALLOW_WRITES',
  isMock: 'PHONEBRIDGE_TARGET_IS_MOCK',
  knownNumber: 'PHONEBRIDGE_KNOWN_NUMBER',
  accountsUrl: 'PHONEBRIDGE_ACCOUNTS_URL',
  clientId: 'PHONEBRIDGE_CLIENT_ID',
  clientSecret: 'PHONEBRIDGE_CLIENT_SECRET',
  redirectUri: 'PHONEBRIDGE_REDIRECT_URI',
  operations: 'PHONEBRIDGE_OPERATIONS',
  coverageFile: 'PHONEBRIDGE_COVERAGE_FILE',
  runId: 'PHONEBRIDGE_RUN_ID',
  apis: 'PHONEBRIDGE_APIS',
} as const;

/**
 * The variable that overrides `name` for one API's file only: PHONEBRIDGE_V3_TOKEN for
 * PHONEBRIDGE_TOKEN. The command sets one for each file's coverage; a test setup may point
 * v3 at another org or tenant, so that the two files' lifecycles never meet when run at once.
 */
export const envFor = (name: string, api: Api): string => (api === 'v2' ? name : name.replace(/^PHONEBRIDGE_/, `PHONEBRIDGE_${api.toUpperCase()}_`));

export function readTarget(env: NodeJS.ProcessEnv = process.env, api: Api = 'v2'): Target {
  // The API's own variable first (PHONEBRIDGE_V3_TOKEN), then the shared one.
  const optional = (name: string) => env[envFor(name, api)] || env[name] || undefined;
  const baseUrl = optional(ENV.target);
  const token = optional(ENV.token);
  if (!baseUrl || !token) throw new Error(`the contract suite needs ${ENV.target} and ${ENV.token} (use: phonebridge-contract --target URL --token TOKEN)`);
  const isMock = optional(ENV.isMock) === '1';
  const clientId = optional(ENV.clientId);
  const clientSecret = optional(ENV.clientSecret);
  return {
    baseUrl: baseUrl.replace(/\/+$/, ''),
    token,
    personas: {
      user: optional(ENV.user),
      free: optional(ENV.free),
      unregistered: optional(ENV.unregistered),
      otherpbx: optional(ENV.otherpbx),
      expired: optional(ENV.expired),
    },
    allowWrites: optional(ENV.allowWrites) === '1',
    isMock,
    knownNumber: optional(ENV.knownNumber) ?? '0018885554567',
    // The mock serves its accounts server on the same port.
    accountsUrl: (optional(ENV.accountsUrl) ?? (isMock ? baseUrl : undefined))?.replace(/\/+$/, ''),
    client:
      clientId && clientSecret ? { id: clientId, secret: clientSecret, redirectUri: optional(ENV.redirectUri) ?? 'http://127.0.0.1:8080/callback' } : undefined,
    operations: optional(ENV.operations)?.split(','),
    coverageFile: optional(ENV.coverageFile),
    runId: optional(ENV.runId) ?? `${Date.now().toString(36)}`,
    api,
    apis: optional(ENV.apis)
      ?.split(',')
      .filter((name): name is Api => (APIS as readonly string[]).includes(name)) ?? [api],
  };
}
