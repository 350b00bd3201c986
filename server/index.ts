/**
 * The package's programmatic entry, for test suites (as json-server and msw are used):
 *
 *   import { startMock } from 'phonebridge-mock';
 *   const mock = await startMock();          // a free port on 127.0.0.1, data in memory
 *   // ... point the code under test at mock.url ...
 *   await mock.stop();
 */
import { readConfig, type LogMode } from './config.js';
import { launch } from './start.js';

export interface MockOptions {
  /** Default 0: a free port, read it from `port` or `url`. */
  port?: number;
  /** Default 127.0.0.1. Anything else gives the control plane a token (`adminToken`). */
  host?: string;
  /** A database file, kept across starts; default ':memory:' (nothing kept). */
  db?: string;
  /** Seed of the fake CRM (default 42: the same data as the README's). */
  seed?: number;
  /** Leads and Contacts per org (default 50). */
  crmSize?: number;
  /** Per-request console lines; default 'quiet'. */
  log?: LogMode;
  /** OAuth consent without a page, as the licensed org's admin; default true (scripted flows). */
  autoConsent?: boolean;
  /** Any other setting, by its environment variable (PHONEBRIDGE_WEBHOOK_TIMEOUT_MS, ...). process.env is not read. */
  env?: Readonly<Record<string, string>>;
}

export interface RunningMock {
  /** e.g. http://127.0.0.1:41234: Zoho's API base (api_domain) and accounts server at once. */
  readonly url: string;
  readonly port: number;
  /** The control plane's token (send `Authorization: Bearer <token>` to /__admin/), when it has one. */
  readonly adminToken: string | undefined;
  /** Stops listening and saves what is pending; safe to call twice. */
  stop(): Promise<void>;
}

export async function startMock(options: MockOptions = {}): Promise<RunningMock> {
  const given = (value: number | undefined) => (value === undefined ? undefined : String(value));
  const env = Object.fromEntries(
    Object.entries({
      PORT: given(options.port) ?? '0',
      HOST: options.host ?? '127.0.0.1',
      PHONEBRIDGE_DB: options.db ?? ':memory:',
      PHONEBRIDGE_SEED: given(options.seed),
      PHONEBRIDGE_CRM_SIZE: given(options.crmSize),
      PHONEBRIDGE_LOG: options.log ?? 'quiet',
      PHONEBRIDGE_AUTO_CONSENT: options.autoConsent === false ? '0' : '1',
    }).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const running = await launch(readConfig({ ...options.env, ...env }));
  return { url: running.url, port: running.port, adminToken: running.admin.token, stop: running.stop };
}

export type { LogMode } from './config.js';
