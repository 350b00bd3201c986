#!/usr/bin/env node
/**
 * phonebridge-contract: checks a PhoneBridge target (phonebridge-mock or Zoho
 * itself) against openapi/phonebridge.yaml (v2) and openapi/phonebridge-v3.yaml
 * (v3). Exit code 0 only when nothing failed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { run as runSuite, type SuiteFile } from './lib/harness.js';
import { API_FILES, APIS, ENV, envFor, type Api } from './lib/target.js';
import { writeJunit } from './junit.js';
import { ContractReporter } from './reporter.js';

const USAGE = `usage: phonebridge-contract --target URL [--token TOKEN] [options]
       phonebridge-contract vendor [--api v2|v3] --clicktocallurl URL [...]   (checks a vendor's receiver; --help)

  --target URL               base URL, e.g. http://127.0.0.1:4010 or https://www.zohoapis.com
  --api v2|v3|both           the PhoneBridge API to check: v2 (/crm/v2/phonebridge/..., openapi/phonebridge.yaml),
                             v3 (/phonebridge/v3/..., openapi/phonebridge-v3.yaml) or both; default: both
                             against phonebridge-mock, v2 against any other target (not every Zoho account has v3)
  --token TOKEN              an org admin's OAuth access token, issued to a registered vendor;
                             without it, against phonebridge-mock, the run creates a tenant of its own
                             (every persona, an OAuth client, writes allowed) and deletes it at the end
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
                             only for this operation of the documents checked; repeatable. The
                             privilege, routing, lifecycle and OAuth checks still run
                             whole; the coverage check then demands only its responses
  --junit FILE               write JUnit XML
PHONEBRIDGE_ADMIN_TOKEN in the environment: the admin token of a mock that has one (for the tenant it creates)
Tests that need a token you did not give are reported as skipped, with the option to add.`;

interface MockTenant {
  id: string;
  tokens: Record<'admin' | 'user' | 'freeedition' | 'unregistered' | 'otherpbx' | 'expired', string>;
  clients: { vendor: string; clientId: string; clientSecret: string; redirectUris: string[] }[];
}

/** The control plane's credentials: a mock listening beyond loopback (or told to) needs its admin token. */
const adminHeaders = (): Record<string, string> =>
  process.env.PHONEBRIDGE_ADMIN_TOKEN ? { Authorization: `Bearer ${process.env.PHONEBRIDGE_ADMIN_TOKEN.trim()}` } : {};

/** A tenant of its own on phonebridge-mock: parallel runs against one mock never meet. */
async function createTenant(base: string): Promise<MockTenant> {
  const res = await fetch(`${base}/__admin/tenants`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...adminHeaders() },
    body: JSON.stringify({ label: `phonebridge-contract-${process.pid}` }),
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 201) throw new Error(`could not create a tenant on ${base}: ${res.status} ${await res.text()}`);
  return (await res.json()) as MockTenant;
}

async function deleteTenant(base: string, tenant: MockTenant): Promise<void> {
  try {
    await fetch(`${base}/__admin/tenants/${tenant.id}`, { method: 'DELETE', headers: adminHeaders(), signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    console.error(`phonebridge-contract: could not delete tenant ${tenant.id} (it expires by itself): ${(error as Error).message}`);
  }
}

async function isPhoneBridgeMock(base: string): Promise<boolean> {
  try {
    const res = await fetch(`${base.replace(/\/+$/, '')}/openapi.json`, { signal: AbortSignal.timeout(5000) });
    const doc = (await res.json()) as { info?: { title?: string } };
    return res.ok && Boolean(doc.info?.title?.includes('phonebridge-mock'));
  } catch {
    return false;
  }
}

/** Why the target does not answer HTTP at all (any status is an answer), or undefined when it does. */
async function whyUnreachable(target: string): Promise<string | undefined> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return 'not a URL (e.g. http://127.0.0.1:4010)';
  }
  try {
    const res = await fetch(url, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(5000) });
    await res.body?.cancel();
    return undefined;
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    if ((error as Error).name === 'TimeoutError') return 'no answer within 5 s';
    return cause?.code ?? cause?.message ?? (error as Error).message;
  }
}

const OPTIONS = {
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
  api: { type: 'string' },
  junit: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.target) {
    console.error(USAGE);
    return 2;
  }
  if (values.api !== undefined && !['v2', 'v3', 'both'].includes(values.api)) {
    console.error(`--api ${values.api}: expected v2, v3 or both\n\n${USAGE}`);
    return 2;
  }

  const unreachable = await whyUnreachable(values.target);
  if (unreachable) {
    // One line, not a failure per check: nothing can be checked against a target that does not answer.
    console.error(`phonebridge-contract: cannot reach ${values.target}: ${unreachable}`);
    return 2;
  }
  const isMock = values.mock ?? (values.real ? false : await isPhoneBridgeMock(values.target));
  if (!values.token && !isMock) {
    console.error(`phonebridge-contract: ${values.target} is not phonebridge-mock: --token is needed\n\n${USAGE}`);
    return 2;
  }
  // Real accounts may not have v3: it is checked there only when asked.
  const api = values.api ?? (isMock ? 'both' : 'v2');
  const apis: Api[] = api === 'both' ? [...APIS] : [api as Api];
  const base = values.target.replace(/\/+$/, '');
  const tenant = values.token ? undefined : await createTenant(base);
  try {
    return await run(values, isMock, tenant, apis);
  } finally {
    if (tenant) await deleteTenant(base, tenant);
  }
}

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

async function run(values: Values, isMock: boolean, tenant: MockTenant | undefined, apis: Api[]): Promise<number> {
  const mockpbx = tenant?.clients.find((c) => c.vendor === 'MockPBX');
  const dir = mkdtempSync(path.join(tmpdir(), 'phonebridge-contract-'));
  // One coverage file per API's file of the suite (the first API's under the shared name), read in that order by the reporter.
  const coverageFiles = apis.map((api, i) => path.join(dir, i === 0 ? 'coverage.json' : `coverage-${api}.json`));
  const coverageFile = coverageFiles[0]!;
  const env: Record<string, string | undefined> = {
    [ENV.target]: values.target,
    [ENV.token]: values.token ?? tenant?.tokens.admin,
    [ENV.user]: values['user-token'] ?? tenant?.tokens.user,
    [ENV.free]: values['free-token'] ?? tenant?.tokens.freeedition,
    [ENV.unregistered]: values['unregistered-token'] ?? tenant?.tokens.unregistered,
    [ENV.otherpbx]: values['otherpbx-token'] ?? tenant?.tokens.otherpbx,
    [ENV.expired]: values['expired-token'] ?? tenant?.tokens.expired,
    // A tenant of the run's own may be written to: nobody else sees it.
    [ENV.allowWrites]: values['allow-writes'] || tenant ? '1' : '0',
    [ENV.isMock]: isMock ? '1' : '0',
    [ENV.knownNumber]: values['known-number'],
    [ENV.accountsUrl]: values['accounts-url'],
    [ENV.clientId]: values['client-id'] ?? mockpbx?.clientId,
    [ENV.clientSecret]: values['client-secret'] ?? mockpbx?.clientSecret,
    [ENV.redirectUri]: values['redirect-uri'],
    [ENV.operations]: values.operation?.join(','),
    [ENV.coverageFile]: coverageFile,
    [ENV.apis]: apis.join(','),
  };
  // Nothing from the shell overrides one API's settings (PHONEBRIDGE_V3_TOKEN, say): the command's options say it all.
  for (const name of Object.keys(process.env)) if (APIS.some((api) => api !== 'v2' && name.startsWith(envFor('PHONEBRIDGE_', api)))) delete process.env[name];
  apis.forEach((api, i) => {
    if (i > 0) env[envFor(ENV.coverageFile, api)] = coverageFiles[i];
  });
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }

  const only = values.operation ? `, per-operation checks of ${values.operation.join(', ')} only` : '';
  // v2 alone, the command's first API, is not named (its output is as it was before v3).
  const which = apis.length === 1 && apis[0] === 'v2' ? '' : `, PhoneBridge ${apis.join(' and ')}`;
  console.log(
    `phonebridge-contract: ${values.target}${isMock ? ' (phonebridge-mock: every documented response must be exercised)' : ''}${tenant ? `, in a tenant of its own (${tenant.id})` : ''}${values['allow-writes'] || tenant ? ', writes allowed' : ', read-only (add --allow-writes for the lifecycle)'}${which}${only}`,
  );
  const result = await runSuite(
    apis.map((api) => SUITE_FILES[api]),
    { testTimeoutMs: 30_000, listener: new ContractReporter(coverageFiles) },
  );
  if (values.junit) {
    const file = path.resolve(values.junit);
    writeJunit(file, result);
    console.log(`JUNIT report written to ${file}`);
  }
  const failed = result.files.reduce((n, file) => n + file.tests.filter((t) => t.state === 'failed').length + file.errors.length, 0) + result.unhandled.length;
  return failed > 0 || (process.exitCode ?? 0) !== 0 ? 1 : 0;
}

/**
 * The suite's files, one per API, run in the order of --api (v2, then v3): the files' lifecycles share the
 * org's integration. Imported only when the run has set the environment they read at load time, through
 * literal imports a bundler follows (the command needs no test runner and no sources at run time).
 */
const SUITE_FILES: Record<Api, SuiteFile> = {
  v2: { file: API_FILES.v2.suite, load: () => import('./phonebridge.contract.js') },
  v3: { file: API_FILES.v3.suite, load: () => import('./phonebridge-v3.contract.js') },
};

/** `vendor` and the suite's files load the documents when they run, so the command's usage errors need not. */
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
