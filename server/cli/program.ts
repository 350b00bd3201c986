/**
 * The `phonebridge-mock` command line: commander parses it and writes the help; an unknown flag or command
 * prints the usage and exits 2, a failure to start exits 1 with one line.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { packageDir } from '../openapi/documents.js';
import { runReceiver } from './receiver.js';
import type { ServeFlags } from './serve.js';
import { send, type ControlPlane } from './triggers.js';

const ACTIONS = ['answer', 'hangup', 'mute', 'unmute', 'hold', 'unhold', 'keypress'];

function version(): string {
  return (JSON.parse(readFileSync(path.join(packageDir(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** --url and --org, shared by the commands that drive a running mock. */
function controlPlaneOptions(command: Command): Command {
  return command
    .option('--url <url>', 'the running mock (default http://$HOST:$PORT, else http://127.0.0.1:4010)')
    .option('--org <orgid>', "the org to act on (default: the user's org, else the licensed org 700000101)")
    .addHelpText('after', '\nPHONEBRIDGE_ADMIN_TOKEN in the environment is sent as "Authorization: Bearer <token>" (a shared mock needs it).');
}

/** The program; `exit` receives the code each path ends with (process.exit in main.ts, a spy in tests). */
export function buildProgram(exit: (code: number) => void): Command {
  const program: Command = new Command('phonebridge-mock')
    .description("A local stand-in for Zoho CRM's PhoneBridge API, with Zoho's side of the phone (click-to-call, call control).")
    .version(version(), '-v, --version', 'print the version')
    .helpOption('-h, --help', 'print this help')
    .showHelpAfterError()
    .addHelpText(
      'after',
      '\nWith no command it starts the mock: phonebridge-mock [serve] [--port N] [--host A] [--db FILE] [--seed N] [--crm-size N]\n' +
        '  [--log requests|quiet|debug] [--auto-consent]; phonebridge-mock serve --help says more. phonebridge-mock COMMAND --help for each command.',
    )
    .exitOverride((error: CommanderError) => {
      // Help and version end well; every parsing error is a usage error.
      const ok = error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help';
      exit(ok ? 0 : 2);
      throw error;
    });

  program
    .command('serve')
    .description('start the mock (the default when no command is given)')
    .option('-p, --port <port>', 'port to listen on; 0 picks a free one (env PORT, default 4010)')
    .option('--host <address>', 'address to bind; beyond loopback the control plane needs a token (env HOST, default 127.0.0.1)')
    .option('--db <file>', 'the database: a JSON file kept across restarts, or :memory: (env PHONEBRIDGE_DB, default .data/phonebridge.json)')
    .option('--seed <n>', 'seed of the fake CRM, used when the database is created (env PHONEBRIDGE_SEED, default 42)')
    .option('--crm-size <n>', 'Leads and Contacts per org on creation (env PHONEBRIDGE_CRM_SIZE, default 50)')
    .addOption(new Option('--log <mode>', 'per-request console lines (env PHONEBRIDGE_LOG, default requests)').choices(['requests', 'quiet', 'debug']))
    .option('--auto-consent', 'OAuth consent without a page, as the admin (env PHONEBRIDGE_AUTO_CONSENT; default on when CI=true)')
    .addHelpText('after', '\nEvery other setting is an environment variable: see the README, "Configuration".')
    .action(async (flags: ServeFlags) => {
      const { serve } = await import('./serve.js');
      exit(await serve(flags));
    });

  const clickToCall = controlPlaneOptions(
    program
      .command('click-to-call')
      .description("a CRM user clicks a number or a record: the mock sends Zoho's click-to-call request to the registered clicktocallurl")
      .requiredOption('--user <userid>', 'the CRM user who clicks')
      .option('--to <number>', 'the number clicked')
      .option('--record <recordid>', 'the record clicked (its phone number is dialled)'),
  );
  clickToCall.action(async (o: ControlPlane & { user: string; to?: string; record?: string }) => {
    if (!o.to === !o.record) clickToCall.error('error: give one of --to NUMBER or --record RECORDID');
    exit(await send({ method: 'POST', path: '/__admin/click-to-call', body: { userid: o.user, tonumber: o.to, recordid: o.record, orgid: o.org } }, o));
  });

  controlPlaneOptions(
    program
      .command('call-control')
      .description('a CRM user presses a button on a live call: the mock sends it to the registered URL for that action')
      .requiredOption('--call <callrefid>', 'the call, as your PBX reported it')
      .addOption(new Option('--action <action>', 'what the user pressed').choices(ACTIONS).makeOptionMandatory())
      .option('--digit <digit>', 'the key, with --action keypress')
      .option('--user <userid>', 'the CRM user who pressed it'),
  ).action(async (o: ControlPlane & { call: string; action: string; digit?: string; user?: string }) => {
    exit(
      await send(
        { method: 'POST', path: '/__admin/call-control', body: { callrefid: o.call, action: o.action, digit: o.digit, userid: o.user, orgid: o.org } },
        o,
      ),
    );
  });

  controlPlaneOptions(
    program.command('outbox').description('what the mock sent to your PBX: each request, your answer, latency, errors').option('--clear', 'empty it'),
  ).action(async (o: ControlPlane & { clear?: boolean }) => {
    const query = o.org ? `?orgid=${encodeURIComponent(o.org)}` : '';
    exit(await send({ method: o.clear ? 'DELETE' : 'GET', path: `/__admin/outbox${query}` }, o));
  });

  program
    .command('receiver')
    .description("a stand-in for your PBX: answers every request Zoho's side sends and prints it")
    .option('-p, --port <port>', 'port to listen on', '9000')
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .option('--status <code>', 'the status every request is answered with', '200')
    .action(async (o: { port: string; host: string; status: string }) => {
      const port = Number(o.port);
      const status = Number(o.status);
      if (!Number.isInteger(port) || port < 0 || port > 65535) program.error(`error: --port must be an integer from 0 to 65535, not "${o.port}"`);
      if (!Number.isInteger(status) || status < 200 || status > 599) program.error(`error: --status must be an HTTP status from 200 to 599, not "${o.status}"`);
      exit(await runReceiver({ port, host: o.host, status }));
    });
  return program;
}

/** Runs the command line (without node and the script); `serve` is implied when no command is named. */
export async function run(argv: readonly string[], exit: (code: number) => void): Promise<void> {
  const first = argv[0];
  const global = ['-h', '--help', '-v', '--version'];
  const implied = first === undefined || (first.startsWith('-') && !global.includes(first));
  const program = buildProgram(exit);
  try {
    await program.parseAsync(implied ? ['serve', ...argv] : [...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return; // already reported, and exit called
    throw error;
  }
}
