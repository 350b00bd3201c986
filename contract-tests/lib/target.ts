/**
 * What the contract suite knows about its target, from the environment the
 * `phonebridge-contract` command (or the npm test setup) sets. Nothing else.
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
}

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
} as const;

export function readTarget(env: NodeJS.ProcessEnv = process.env): Target {
  const baseUrl = env[ENV.target];
  const token = env[ENV.token];
  if (!baseUrl || !token) throw new Error(`the contract suite needs ${ENV.target} and ${ENV.token} (use: phonebridge-contract --target URL --token TOKEN)`);
  const optional = (name: string) => env[name] || undefined;
  const isMock = env[ENV.isMock] === '1';
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
    allowWrites: env[ENV.allowWrites] === '1',
    isMock,
    knownNumber: env[ENV.knownNumber] || '0018885554567',
    // The mock serves its accounts server on the same port.
    accountsUrl: (optional(ENV.accountsUrl) ?? (isMock ? baseUrl : undefined))?.replace(/\/+$/, ''),
    client:
      clientId && clientSecret ? { id: clientId, secret: clientSecret, redirectUri: optional(ENV.redirectUri) ?? 'http://127.0.0.1:8080/callback' } : undefined,
    operations: optional(ENV.operations)?.split(','),
    coverageFile: optional(ENV.coverageFile),
    runId: env[ENV.runId] || `${Date.now().toString(36)}`,
  };
}
