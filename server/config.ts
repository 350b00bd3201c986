/** Environment variables, read once, with defaults that make a bare `npm start` work. */
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
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be an integer from ${min} to ${max}, not "${raw}"`);
  return value;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return Object.freeze({
    port: integer(env, 'PORT', 4010, 0, 65535),
    host: env.HOST || '127.0.0.1',
    dbPath: env.PHONEBRIDGE_DB || '.data/phonebridge.json',
    seed: integer(env, 'PHONEBRIDGE_SEED', 42, 0, 2 ** 31 - 1),
    crmSize: integer(env, 'PHONEBRIDGE_CRM_SIZE', 50, 1, 1_000_000),
    flushDelayMs: integer(env, 'PHONEBRIDGE_FLUSH_MS', 100, 0, 60_000),
  });
}
