#!/usr/bin/env node
/** The entry point: config -> store -> mock (compose.ts) -> listen -> graceful shutdown. All IO lives here. */
import { COMMANDS, runCommand } from './cli/commands.js';

async function main(): Promise<void> {
  // Loaded here, not at the top: the CLI commands need none of it and start faster without it.
  const [
    { createDatabase, restoreAllFixtures },
    { OAUTH_CLIENTS, PERSONAS },
    { readConfig },
    { createMock },
    { openStore },
    { systemClock: clock },
    { logRequests },
    { dropOldestCalls },
    { controlPlaneToken },
  ] = await Promise.all([
    import('../fixtures/seed.js'),
    import('../fixtures/personas.js'),
    import('./config.js'),
    import('./compose.js'),
    import('./store/store.js'),
    import('./clock.js'),
    import('./journal/console-log.js'),
    import('./phonebridge/calls.js'),
    import('./http/admin-guard.js'),
  ]);
  const env = readConfig();
  // Beyond loopback, other machines reach the control plane: it gets a token, made up here unless one is configured.
  const admin = controlPlaneToken(env.adminToken, env.host);
  const config = { ...env, adminToken: admin.token };
  const store = await openStore({
    location: config.dbPath,
    seed: () => createDatabase({ seed: config.seed, crmSize: config.crmSize, now: clock.now() }, config.redirectUris),
    flushDelayMs: config.flushDelayMs,
    durability: config.durability,
    prepare: (db) => restoreAllFixtures(db, clock.now(), config.redirectUris),
    beforeSave: (org) => dropOldestCalls(org, config.maxCalls),
  });
  process.once('exit', () => store.close());
  const { app, journal, events, tenants, setListening } = await createMock({ store, clock, config });
  logRequests(journal, events, { mode: config.log, write: (line) => console.log(line), colors: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR });
  const seed = tenants.default.seed;

  const server = app.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    setListening({ host: typeof address === 'object' && address ? address.address : config.host, port });
    const base = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    const adminLine = admin.generated
      ? `  admin token      ${admin.token}  (generated: HOST ${config.host} is not loopback; send "Authorization: Bearer <token>" to /__admin/, or set PHONEBRIDGE_ADMIN_TOKEN)`
      : admin.token
        ? '  admin token      from PHONEBRIDGE_ADMIN_TOKEN (send "Authorization: Bearer <token>" to /__admin/)'
        : '  admin token      none: HOST is loopback, the control plane is open to this machine';
    const lines = [
      `phonebridge-mock listening on ${base}`,
      `  PhoneBridge API  ${base}/crm/v2/phonebridge/`,
      `  OpenAPI document ${base}/openapi.yaml  ${base}/openapi.json  (also /openapi/accounts.yaml, /openapi/admin.yaml)`,
      `  Zoho's side      ${base}/__admin/click-to-call, /__admin/call-control, /__admin/outbox`,
      `  journal, calls   ${base}/__admin/requests, /__admin/calls, /__admin/events (live); tenants: POST ${base}/__admin/tenants`,
      adminLine,
      `  database         ${store.location}${seed === config.seed ? '' : ` (seeded earlier with PHONEBRIDGE_SEED=${seed})`}, ${tenants.list().length - 1} other tenant(s)`,
      '  tokens (Authorization: Zoho-oauthtoken <token>):',
      ...PERSONAS.map((p) => `    ${p.token.padEnd(26)} ${p.who}`),
      `  OAuth (Zoho accounts on the same port: ${base}/oauth/v2/auth, /oauth/v2/token; consent ${config.autoConsent ? 'automatic' : 'page'}):`,
      ...OAUTH_CLIENTS.map(
        (c) => `    ${c.name.padEnd(16)} client_id ${c.clientId}  client_secret ${c.clientSecret}\n${' '.repeat(21)}redirect URIs ${c.redirectUris.join(' ')}`,
      ),
    ];
    console.log(lines.join('\n'));
  });
  server.on('error', (error) => {
    console.error(`phonebridge-mock: cannot listen on ${config.host}:${config.port}: ${error.message}`);
    process.exit(1);
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`phonebridge-mock: ${signal}, saving ${store.location} and stopping`);
    server.close();
    server.closeAllConnections();
    try {
      await store.flush();
      process.exit(0);
    } catch (error) {
      console.error('phonebridge-mock: could not save the database:', error);
      process.exit(1);
    }
  };
  // Every signal that ends a process politely saves first.
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'] as const) process.on(signal, () => void stop(signal));
}

const command = process.argv[2];
const isCommand = command !== undefined && ([...COMMANDS, '--help', '-h', 'help'] as string[]).includes(command);
const run = isCommand ? runCommand(process.argv.slice(2)).then((code) => process.exit(code)) : main();
run.catch((error: unknown) => {
  console.error(`phonebridge-mock: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
