/** The `phonebridge-mock` command line as a new user meets it: help, version, usage errors, settings, start-up failures. */
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CONTRACT, MAIN, runNode, startUntil } from './process.js';
import { closedPortUrl } from './receiver.js';
import { settingsFrom } from '../server/cli/serve.js';

const VERSION = ((await import('../package.json', { with: { type: 'json' } })) as { default: { version: string } }).default.version;

const running: { child: { kill(signal?: NodeJS.Signals): boolean } }[] = [];
afterEach(() => {
  for (const server of running.splice(0)) server.child.kill('SIGKILL');
});

describe('phonebridge-mock: help, version, usage errors', () => {
  it.each([['--version'], ['-v']])('%s prints the package version and exits 0', async (flag) => {
    const { code, stdout } = await runNode(MAIN, [flag]);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(VERSION);
  });

  it('--help lists the commands and the start options', async () => {
    const { code, stdout } = await runNode(MAIN, ['--help']);
    expect(code).toBe(0);
    for (const word of ['serve', 'click-to-call', 'call-control', 'outbox', 'receiver', '--port', '--db']) expect(stdout).toContain(word);
  });

  it.each(['serve', 'click-to-call', 'call-control', 'outbox', 'receiver'])('%s --help prints its own usage and exits 0', async (command) => {
    const { code, stdout, stderr } = await runNode(MAIN, [command, '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain(`Usage: phonebridge-mock ${command} [options]`);
    expect(stderr).toBe('');
  });

  it.each([
    [['--bogus'], /error: unknown option '--bogus'/],
    [['--port'], /error: option '-p, --port <port>' argument missing/],
    [['clik-to-call'], /error: unknown command 'clik-to-call'[\s\S]*Did you mean click-to-call\?/],
    [['click-to-call', '--user', '1', '--nope'], /error: unknown option '--nope'/],
    [['call-control', '--call', 'c1', '--action', 'dance'], /error: option '--action <action>' argument 'dance' is invalid/],
    [['click-to-call', '--user', '1'], /error: give one of --to NUMBER or --record RECORDID/],
    [['--log', 'loud'], /argument 'loud' is invalid/],
  ])('%j prints the error and the usage, starts nothing, exits 2', async (args, message) => {
    const { code, stderr, stdout } = await runNode(MAIN, args, { PORT: '0', PHONEBRIDGE_DB: ':memory:' });
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).toContain('Usage: phonebridge-mock');
    expect(stdout).not.toMatch(/listening/);
  });

  it('a bad flag value names the flag; a bad variable names the variable; both exit 2', async () => {
    const flag = await runNode(MAIN, ['--port', 'abc']);
    expect(flag.code).toBe(2);
    expect(flag.stderr.trim()).toBe('phonebridge-mock: --port must be an integer from 0 to 65535, not "abc" (phonebridge-mock --help lists the settings)');
    const variable = await runNode(MAIN, [], { PORT: 'xyz' });
    expect(variable.code).toBe(2);
    expect(variable.stderr).toMatch(/^phonebridge-mock: PORT must be an integer/);
  });
});

describe('phonebridge-mock serve: settings', () => {
  it('flags override the environment, which overrides the defaults; the banner names where each came from', async () => {
    const started = await startUntil(
      [MAIN, '--port', '0', '--db', ':memory:', '--seed', '7'],
      /phonebridge-mock listening on (http:\/\/127\.0\.0\.1:(\d+))[\s\S]*OAuth/,
      { PORT: '4999', PHONEBRIDGE_SEED: '3', PHONEBRIDGE_CRM_SIZE: '5', PHONEBRIDGE_LOG: 'quiet', PHONEBRIDGE_AUTO_CONSENT: '0' },
    );
    running.push(started);
    const port = Number(started.match[2]);
    expect(port).not.toBe(4999); // --port 0 won over PORT
    const settings = /^ {2}settings +(.*)$/m.exec(started.output())![1]!;
    expect(settings).toContain('--port 0');
    expect(settings).toContain('--seed 7');
    expect(settings).toContain('PHONEBRIDGE_CRM_SIZE=5 (environment)');
    expect(settings).not.toContain('PHONEBRIDGE_SEED'); // overridden by the flag, so not a source
    // The seed the flag gave is the one the tenant was made with.
    const tenant = (await (await fetch(`${started.match[1]}/__admin/tenants/default`)).json()) as { seed: number };
    expect(tenant.seed).toBe(7);
  });

  it('with nothing set, nothing is listed (no settings line); a secret is listed as set, never shown', () => {
    expect(settingsFrom({}, { HOME: '/root', NODE_ENV: 'test', PHONEBRIDGE_LOG: '' }).sources).toEqual([]);
    const { sources, env, labels } = settingsFrom({ port: '0' }, { PHONEBRIDGE_ADMIN_TOKEN: 'team-secret', PORT: '4999' });
    expect(sources).toEqual(['--port 0', 'PHONEBRIDGE_ADMIN_TOKEN=(set) (environment)']);
    expect(env.PORT).toBe('0');
    expect(labels).toEqual({ PORT: '--port' });
  });
});

describe('phonebridge-mock: start-up failures are one line, exit 1, no banner', () => {
  let blocker: Server | undefined;
  afterEach(() => blocker?.close());

  it('a port in use', async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker!.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    const { code, stdout, stderr } = await runNode(MAIN, ['--port', String(port), '--db', ':memory:']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([
      `phonebridge-mock: port ${port} is already in use on 127.0.0.1 (another phonebridge-mock?); stop it, or pass --port (0 picks a free one)`,
    ]);
  });

  it('an address that is not this machine', async () => {
    const { code, stdout, stderr } = await runNode(MAIN, ['--port', '0', '--host', '192.0.2.1', '--db', ':memory:']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim()).toBe('phonebridge-mock: 192.0.2.1 is not an address of this machine; pass --host 127.0.0.1 or 0.0.0.0');
  });
});

describe('phonebridge-mock receiver', () => {
  it('answers every request 200 and prints its fields and authorization', async () => {
    const receiver = await startUntil([MAIN, 'receiver', '--port', '0'], /listening on (http:\/\/127\.0\.0\.1:\d+)/);
    running.push(receiver);
    const res = await fetch(`${receiver.match[1]}/zoho/hold`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', authorization: 'secret' },
      body: 'callrefid=call-1&pbxuserid=pbx-42',
    });
    expect(res.status).toBe(200);
    await expect
      .poll(() => receiver.output())
      .toMatch(/POST \/zoho\/hold\n {4}callrefid = call-1\n {4}pbxuserid = pbx-42\n {4}\(header\) authorization: secret/);
  });

  it('a port in use is one line and exit 1', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const { code, stderr } = await runNode(MAIN, ['receiver', '--port', String(port)]);
    server.close();
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(`phonebridge-mock receiver: port ${port} is already in use on 127.0.0.1; pass --port`);
  });
});

describe('phonebridge-contract against a target that does not answer', () => {
  it('prints one line naming the target and the error, and exits 2', async () => {
    const target = await closedPortUrl();
    const started = Date.now();
    const { code, stdout, stderr } = await runNode(CONTRACT, ['--target', target]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim()).toBe(`phonebridge-contract: cannot reach ${target}: ECONNREFUSED`);
    // Not a wall-clock assertion on speed: the run must not have gone through the suite (which takes seconds per check).
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
