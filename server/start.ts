/**
 * One running mock: the store opened, the app composed, a port listened on, and a stop that saves first.
 * The command line (cli/serve.ts) and test suites (index.ts: startMock) both start the mock through here.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OAUTH_CLIENTS, PERSONAS } from '../fixtures/personas.js';
import { createDatabase, restoreAllFixtures } from '../fixtures/seed.js';
import { systemClock, type Clock } from './clock.js';
import { createMock, type Mock } from './compose.js';
import type { Config } from './config.js';
import { controlPlaneToken } from './http/admin-guard.js';
import { batchedLines, logRequests } from './journal/console-log.js';
import { serverFor } from './http/app.js';
import { dropOldestCalls } from './phonebridge/calls.js';
import { openStore, type Store } from './store/store.js';

export interface Launched {
  /** `http://host:port`, with the port the system gave when 0 was asked for. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly config: Config;
  /** The control plane's token: configured, generated (listening beyond loopback) or none. */
  readonly admin: { token: string | undefined; generated: boolean };
  readonly store: Store;
  readonly mock: Mock;
  /** Stops listening, saves what is pending, releases the database. */
  readonly stop: () => Promise<void>;
}

export interface LaunchOptions {
  clock?: Clock;
  /** Where the per-request lines go (config.log decides what they say). */
  write?: (line: string) => void;
  colors?: boolean;
}

/** Why a port could not be listened on, in one line a user can act on. */
function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  const where = `${host}:${port}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return new Error(`port ${port} is already in use on ${host} (another phonebridge-mock?); stop it, or pass --port (0 picks a free one)`);
    case 'EACCES':
      return new Error(`no permission to listen on ${where}; pick a port above 1023 with --port`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new Error(`${host} is not an address of this machine; pass --host 127.0.0.1 or 0.0.0.0`);
    default:
      return new Error(`cannot listen on ${where}: ${error.message}`);
  }
}

function listen(mock: Mock, host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = serverFor(mock.app).listen(port, host);
    server.once('listening', () => resolve(server));
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, host, port)));
  });
}

export async function launch(config: Config, { clock = systemClock, write: writeLine, colors = false }: LaunchOptions = {}): Promise<Launched> {
  const lines = writeLine ? undefined : batchedLines();
  const write = writeLine ?? lines!.write;
  // The last turn's lines, also when the process ends without stop() (a crash, process.exit): stdout is synchronous here.
  if (lines) process.once('exit', lines.flush);
  // Beyond loopback, other machines reach the control plane: it gets a token, made up here unless one is configured.
  const admin = controlPlaneToken(config.adminToken, config.host);
  const store = await openStore({
    location: config.dbPath,
    seed: () => createDatabase({ seed: config.seed, crmSize: config.crmSize, now: clock.now() }, config.redirectUris),
    flushDelayMs: config.flushDelayMs,
    durability: config.durability,
    prepare: (db) => restoreAllFixtures(db, clock.now(), config.redirectUris),
    beforeSave: (org) => dropOldestCalls(org, config.maxCalls),
  });
  let mock: Mock | undefined;
  let server: Server;
  try {
    mock = await createMock({ store, clock, config: { ...config, adminToken: admin.token } });
    server = await listen(mock, config.host, config.port);
  } catch (error) {
    mock?.close();
    store.close();
    throw error;
  }
  logRequests(mock.journal, mock.events, { mode: config.log, write, colors });
  const { address, port } = server.address() as AddressInfo;
  mock.setListening({ host: address, port });
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      server.close();
      server.closeAllConnections();
      lines?.flush();
      mock.close();
      try {
        await store.flush();
      } finally {
        store.close();
        // What requests still running during the last save logged.
        if (lines) {
          lines.flush();
          process.off('exit', lines.flush);
        }
      }
    })());
  return { url, host: config.host, port, config, admin, store, mock, stop };
}

/** The start-up banner: where everything is, the tokens and OAuth clients, and the settings that are not the defaults. */
export function banner(running: Launched, settings: readonly string[]): string {
  const { url: base, config, admin, store, mock } = running;
  const seed = mock.tenants.default.seed;
  const adminLine = admin.generated
    ? `  admin token      ${admin.token}  (generated: HOST ${config.host} is not loopback; send "Authorization: Bearer <token>" to /__admin/, or set PHONEBRIDGE_ADMIN_TOKEN)`
    : admin.token
      ? '  admin token      from PHONEBRIDGE_ADMIN_TOKEN (send "Authorization: Bearer <token>" to /__admin/)'
      : '  admin token      none: HOST is loopback, the control plane is open to this machine';
  return [
    `phonebridge-mock listening on ${base}`,
    `  PhoneBridge API  ${base}/crm/v2/phonebridge/ (v2)  ${base}/phonebridge/v3/ (v3)`,
    `  OpenAPI document ${base}/openapi.yaml  ${base}/openapi.json  (also /openapi/phonebridge-v3.yaml, /openapi/accounts.yaml, /openapi/admin.yaml)`,
    `  Zoho's side      ${base}/__admin/click-to-call, /__admin/call-control, /__admin/outbox`,
    `  web console      ${base}/__admin/console/${admin.generated ? `#token=${admin.token}` : ''}`,
    `  journal, calls   ${base}/__admin/requests, /__admin/calls, /__admin/events (live); tenants: POST ${base}/__admin/tenants`,
    adminLine,
    `  database         ${store.location}${seed === config.seed ? '' : ` (seeded earlier with seed ${seed})`}, ${mock.tenants.list().length - 1} other tenant(s)`,
    ...(settings.length ? [`  settings         ${settings.join(', ')}`] : []),
    '  tokens (Authorization: Zoho-oauthtoken <token>):',
    ...PERSONAS.map((p) => `    ${p.token.padEnd(26)} ${p.who}`),
    `  OAuth (Zoho accounts on the same port: ${base}/oauth/v2/auth, /oauth/v2/token; consent ${config.autoConsent ? 'automatic' : 'page'}):`,
    ...OAUTH_CLIENTS.map(
      (c) => `    ${c.name.padEnd(16)} client_id ${c.clientId}  client_secret ${c.clientSecret}\n${' '.repeat(21)}redirect URIs ${c.redirectUris.join(' ')}`,
    ),
  ].join('\n');
}
