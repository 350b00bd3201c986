/** Environment variables, read once, with defaults that make a bare `npm start` work. */
/** The seed and CRM size when none is set (the CRMs of the default tenant at these are made at build time: fixtures/crm-cache.ts). */
export const DEFAULT_SEED = 42;
export const DEFAULT_CRM_SIZE = 50;

export interface Config {
  readonly port: number;
  readonly host: string;
  /** A JSON file, or ':memory:'. */
  readonly dbPath: string;
  readonly seed: number;
  /** Leads and Contacts generated per org on first start. */
  readonly crmSize: number;
  /** Shortest pause between two saves of the database file, in ms. */
  readonly flushDelayMs: number;
  /** Lifetime of minted access tokens, seconds. */
  readonly tokenTtlSeconds: number;
  /** Token responses in the pre-2020 form (expires_in in ms, plus expires_in_sec). */
  readonly legacyExpires: boolean;
  /** Skip the OAuth consent page: consent at once as the licensed org's admin. */
  readonly autoConsent: boolean;
  /** The base URL the mock hands out (api_domain, accounts-server); default: the one each request came in on, if its Host can be trusted. */
  readonly publicUrl: string | undefined;
  /**
   * PHONEBRIDGE_ADMIN_TOKEN: what `/__admin/` (but its health check) and revoking a persona token need
   * as `Authorization: Bearer <token>`. Unset: none on loopback, a generated one otherwise (main.ts).
   */
  readonly adminToken: string | undefined;
  /** Extra redirect URIs registered for the MockPBX OAuth client. */
  readonly redirectUris: readonly string[];
  /** How the mock calls vendors' URLs (click-to-call, call control). */
  readonly webhook: WebhookConfig;
  /** Seconds a tenant may go unused before it is removed; 0 keeps tenants. */
  readonly tenantTtlSeconds: number;
  /** Tenants besides the default one. */
  readonly maxTenants: number;
  /** Journal entries kept per tenant. */
  readonly journalMax: number;
  /** Calls kept per org (the oldest, with their activities, go beyond it). */
  readonly maxCalls: number;
  /** `acknowledged`: a write is answered once it is on disk; `relaxed`: at once, saved behind. */
  readonly durability: 'acknowledged' | 'relaxed';
  /** What the console shows per request: `requests` (one line each, with hints), `quiet` (nothing), `debug` (also fields and answers). */
  readonly log: LogMode;
}

export type LogMode = 'requests' | 'quiet' | 'debug';
const LOG_MODES: readonly LogMode[] = ['requests', 'quiet', 'debug'];

/** What an error calls a setting: the command-line flag it came from (`--port`), else its variable (`PORT`). */
export type Labels = Readonly<Record<string, string>>;

function durability(env: NodeJS.ProcessEnv): 'acknowledged' | 'relaxed' {
  const raw = (env.PHONEBRIDGE_DURABILITY ?? '').trim().toLowerCase() || 'acknowledged';
  if (raw !== 'acknowledged' && raw !== 'relaxed')
    throw new Error(`PHONEBRIDGE_DURABILITY must be acknowledged or relaxed, not "${env.PHONEBRIDGE_DURABILITY}"`);
  return raw;
}

function logMode(env: NodeJS.ProcessEnv, labels: Labels): LogMode {
  const raw = (env.PHONEBRIDGE_LOG ?? '').trim().toLowerCase() || 'requests';
  if (!(LOG_MODES as readonly string[]).includes(raw))
    throw new Error(`${labels.PHONEBRIDGE_LOG ?? 'PHONEBRIDGE_LOG'} must be one of ${LOG_MODES.join(', ')}, not "${env.PHONEBRIDGE_LOG}"`);
  return raw as LogMode;
}

export interface WebhookConfig {
  /** Per attempt, ms. */
  readonly timeoutMs: number;
  /** Extra attempts after a network error, a timeout or a 5xx. */
  readonly retries: number;
  /** Wait before the first retry, ms; doubled after each. */
  readonly backoffMs: number;
  /** Hosts the mock may call; undefined allows every registered URL. Hosts named here also pass the address guard. */
  readonly allowHosts: readonly string[] | undefined;
  /** Deliveries per tenant in any one second; beyond it a trigger answers 429 and sends nothing. */
  readonly rate: number;
}

const list = (raw: string | undefined) =>
  (raw ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

function flag(env: NodeJS.ProcessEnv, name: string, fallback = false, labels: Labels = {}): boolean {
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (raw === '') return fallback;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  throw new Error(`${labels[name] ?? name} must be 1 or 0, not "${env[name]}"`);
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number, labels: Labels = {}): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${labels[name] ?? name} must be an integer from ${min} to ${max}, not "${raw}"`);
  return value;
}

/** `labels` names the settings that came from command-line flags, so that an error names the flag. */
export function readConfig(env: NodeJS.ProcessEnv = process.env, labels: Labels = {}): Config {
  return Object.freeze({
    port: integer(env, 'PORT', 4010, 0, 65535, labels),
    host: env.HOST || '127.0.0.1',
    dbPath: env.PHONEBRIDGE_DB || '.data/phonebridge.json',
    seed: integer(env, 'PHONEBRIDGE_SEED', DEFAULT_SEED, 0, 2 ** 31 - 1, labels),
    crmSize: integer(env, 'PHONEBRIDGE_CRM_SIZE', DEFAULT_CRM_SIZE, 1, 1_000_000, labels),
    flushDelayMs: integer(env, 'PHONEBRIDGE_FLUSH_MS', 100, 0, 60_000),
    tokenTtlSeconds: integer(env, 'PHONEBRIDGE_TOKEN_TTL', 3600, 1, 10 * 365 * 86400),
    legacyExpires: flag(env, 'PHONEBRIDGE_LEGACY_EXPIRES'),
    // Scripted flows in CI pipelines and test runs need no browser.
    autoConsent: flag(env, 'PHONEBRIDGE_AUTO_CONSENT', env.CI === 'true' || env.NODE_ENV === 'test', labels),
    publicUrl: env.PHONEBRIDGE_PUBLIC_URL?.replace(/\/+$/, '') || undefined,
    adminToken: env.PHONEBRIDGE_ADMIN_TOKEN?.trim() || undefined,
    redirectUris: list(env.PHONEBRIDGE_REDIRECT_URIS),
    webhook: {
      timeoutMs: integer(env, 'PHONEBRIDGE_WEBHOOK_TIMEOUT_MS', 5000, 1, 600_000),
      retries: integer(env, 'PHONEBRIDGE_WEBHOOK_RETRIES', 0, 0, 10),
      backoffMs: integer(env, 'PHONEBRIDGE_WEBHOOK_BACKOFF_MS', 200, 0, 60_000),
      // Unset or empty: any URL the vendor registered.
      allowHosts: list(env.PHONEBRIDGE_WEBHOOK_ALLOW).length ? list(env.PHONEBRIDGE_WEBHOOK_ALLOW) : undefined,
      rate: integer(env, 'PHONEBRIDGE_WEBHOOK_RATE', 20, 1, 100_000),
    },
    tenantTtlSeconds: integer(env, 'PHONEBRIDGE_TENANT_TTL', 86_400, 0, 10 * 365 * 86400),
    maxTenants: integer(env, 'PHONEBRIDGE_MAX_TENANTS', 100, 0, 10_000),
    journalMax: integer(env, 'PHONEBRIDGE_JOURNAL_MAX', 2000, 1, 1_000_000),
    maxCalls: integer(env, 'PHONEBRIDGE_MAX_CALLS', 10_000, 1, 10_000_000),
    durability: durability(env),
    log: logMode(env, labels),
  });
}
