#!/usr/bin/env node
/**
 * phonebridge-contract: checks a PhoneBridge target (phonebridge-mock or Zoho
 * itself) against openapi/phonebridge.yaml. Exit code 0 only when nothing failed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startVitest } from 'vitest/node';
import { packageRoot } from './lib/package-root.js';
import { ENV } from './lib/target.js';
import { ContractReporter } from './reporter.js';

const USAGE = `usage: phonebridge-contract --target URL --token TOKEN [options]
       phonebridge-contract vendor --clicktocallurl URL [...]   (checks a vendor's receiver; --help)

  --target URL               base URL, e.g. http://127.0.0.1:4010 or https://www.zohoapis.com
  --token TOKEN              an org admin's OAuth access token, issued to a registered vendor
  --user-token TOKEN         a standard (non-admin) user's token in the same org
  --free-token TOKEN         a token of an org whose edition lacks telephony
  --unregistered-token TOKEN a token issued to a vendor that is not registered
  --otherpbx-token TOKEN     a token of an org where another PBX is enabled
  --expired-token TOKEN      an expired token
  --allow-writes             also run what changes data (enable, register, report calls);
                             the suite restores what it changed and tags its call ids
  --known-number NUMBER      a phone number in the target's CRM (default 0018885554567)
  --accounts-url URL         Zoho's accounts server for the OAuth checks, e.g. https://accounts.zoho.com
                             (default for phonebridge-mock: the target itself)
  --client-id ID             a registered OAuth client, for the token-endpoint checks that need one
  --client-secret SECRET
  --redirect-uri URI         a redirect URI registered for that client (default http://127.0.0.1:8080/callback)
  --mock | --real            the target is phonebridge-mock (every documented response must
                             be exercised; Prefer: code=500 is used) or not; default: asked
                             of the target's /openapi.json
  --operation ID             run the per-operation checks (auth, parameters, personas, 500)
                             only for this operation of the document; repeatable. The
                             privilege, routing, lifecycle and OAuth checks still run
                             whole; the coverage check then demands only its responses
  --junit FILE               write JUnit XML
Tests that need a token you did not give are reported as skipped, with the option to add.`;

async function isPhoneBridgeMock(base: string): Promise<boolean> {
  try {
    const res = await fetch(`${base.replace(/\/+$/, '')}/openapi.json`, { signal: AbortSignal.timeout(5000) });
    const doc = (await res.json()) as { info?: { title?: string } };
    return res.ok && Boolean(doc.info?.title?.includes('phonebridge-mock'));
  } catch {
    return false;
  }
}

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        target: { type: 'string' },
        token: { type: 'string' },
        'user-token': { type: 'string' },
        'free-token': { type: 'string' },
        'unregistered-token': { type: 'string' },
        'otherpbx-token': { type: 'string' },
        'expired-token': { type: 'string' },
        'allow-writes': { type: 'boolean', default: false },
        'known-number': { type: 'string' },
        'accounts-url': { type: 'string' },
        'client-id': { type: 'string' },
        'client-secret': { type: 'string' },
        'redirect-uri': { type: 'string' },
        mock: { type: 'boolean' },
        real: { type: 'boolean' },
        operation: { type: 'string', multiple: true },
        junit: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.target || !values.token) {
    console.error(USAGE);
    return 2;
  }

  const isMock = values.mock ?? (values.real ? false : await isPhoneBridgeMock(values.target));
  const coverageFile = path.join(mkdtempSync(path.join(tmpdir(), 'phonebridge-contract-')), 'coverage.json');
  const env: Record<string, string | undefined> = {
    [ENV.target]: values.target,
    [ENV.token]: values.token,
    [ENV.user]: values['user-token'],
    [ENV.free]: values['free-token'],
    [ENV.unregistered]: values['unregistered-token'],
    [ENV.otherpbx]: values['otherpbx-token'],
    [ENV.expired]: values['expired-token'],
    [ENV.allowWrites]: values['allow-writes'] ? '1' : '0',
    [ENV.isMock]: isMock ? '1' : '0',
    [ENV.knownNumber]: values['known-number'],
    [ENV.accountsUrl]: values['accounts-url'],
    [ENV.clientId]: values['client-id'],
    [ENV.clientSecret]: values['client-secret'],
    [ENV.redirectUri]: values['redirect-uri'],
    [ENV.operations]: values.operation?.join(','),
    [ENV.coverageFile]: coverageFile,
  };
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }

  const only = values.operation ? `, per-operation checks of ${values.operation.join(', ')} only` : '';
  console.log(
    `phonebridge-contract: ${values.target}${isMock ? ' (phonebridge-mock: every documented response must be exercised)' : ''}${values['allow-writes'] ? ', writes allowed' : ', read-only (add --allow-writes for the lifecycle)'}${only}`,
  );
  const reporters: unknown[] = [new ContractReporter(coverageFile)];
  if (values.junit) reporters.push(['junit', { outputFile: path.resolve(values.junit) }]);
  const vitest = await startVitest(
    'test',
    [],
    {
      config: false,
      root: packageRoot(),
      include: ['contract-tests/**/*.contract.ts'],
      watch: false,
      reporters: reporters as never,
      testTimeout: 30_000,
      fileParallelism: false,
    },
    { logLevel: 'error' },
  );
  const failed = vitest ? vitest.state.getCountOfFailedTests() + vitest.state.getUnhandledErrors().length : 1;
  await vitest?.close();
  return failed > 0 || (process.exitCode ?? 0) !== 0 ? 1 : 0;
}

/** `vendor` loads the document here; a contract run loads it only in vitest's worker, so the command does not import it. */
async function vendor(argv: string[]): Promise<number> {
  const { vendorMain } = await import('./vendor.js');
  return vendorMain(argv);
}

const args = process.argv.slice(2);
(args[0] === 'vendor' ? vendor(args.slice(1)) : main(args)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`phonebridge-contract: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
