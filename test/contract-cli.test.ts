import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OAUTH_CLIENTS, TOKENS } from '../fixtures/personas.js';
import { editJson, startBrokenTarget, type Mutation } from './broken-target.js';
import { runNode, startServer, type RunningServer } from './process.js';

const CLI = path.resolve('dist/contract-tests/cli.js');
const [MOCKPBX] = OAUTH_CLIENTS;
const ALL_PERSONAS = [
  '--user-token',
  TOKENS.user,
  '--free-token',
  TOKENS.freeedition,
  '--unregistered-token',
  TOKENS.unregistered,
  '--otherpbx-token',
  TOKENS.otherpbx,
  '--expired-token',
  TOKENS.expired,
  '--client-id',
  MOCKPBX.clientId,
  '--client-secret',
  MOCKPBX.clientSecret,
];

const runContract = (args: string[]) => runNode(CLI, args);

/**
 * Lends mocks to the broken-target rows, one row per mock at a time (every
 * run integrates and disintegrates the same org), reset before each use. Two
 * mocks let two runs go at once: one run keeps about one of the two cores busy.
 */
class MockPool {
  private readonly free: RunningServer[] = [];
  private readonly waiting: ((server: RunningServer) => void)[] = [];

  /** Makes a mock available, to the longest-waiting row if any. */
  give(server: RunningServer): void {
    const next = this.waiting.shift();
    if (next) next(server);
    else this.free.push(server);
  }

  async lend<T>(use: (server: RunningServer) => Promise<T>): Promise<T> {
    const server = this.free.pop() ?? (await new Promise<RunningServer>((resolve) => this.waiting.push(resolve)));
    try {
      await resetMock(server);
      return await use(server);
    } finally {
      this.give(server);
    }
  }
}

/** Back to the seed through the control plane (not through a broken proxy), so no run inherits what an earlier one left. */
async function resetMock(server: RunningServer): Promise<void> {
  const res = await fetch(`${server.base}/__admin/reset`, { method: 'POST' });
  expect(res.status, await res.text()).toBe(200);
}

// Two compiled mocks for the whole file, started once (one per run cost a second and a cold mock each time).
// The tests against the mock use the first, while the rows use the second; then the rows have both.
const pool = new MockPool();
let mock: RunningServer;
let spare: RunningServer;
beforeAll(async () => {
  [mock, spare] = await Promise.all([startServer({ PHONEBRIDGE_DB: ':memory:' }), startServer({ PHONEBRIDGE_DB: ':memory:' })]);
  pool.give(spare);
});
afterAll(() => {
  for (const server of [mock, spare]) server?.child.kill('SIGTERM');
});

// Concurrent with the rows below (so each run shares the cores: a minute, not 20 s); its own tests in order, on the first mock.
describe.concurrent('phonebridge-contract against the mock', { timeout: 60_000 }, () => {
  afterAll(() => pool.give(mock));

  it.sequential('passes with every persona and writes, exercising every documented response, and writes JUnit', async ({ expect }) => {
    const junit = path.join(await mkdtemp(path.join(tmpdir(), 'pbm-junit-')), 'contract.xml');
    const { code, output } = await runContract(['--target', mock.base, '--token', TOKENS.admin, ...ALL_PERSONAS, '--allow-writes', '--junit', junit]);
    expect(output).toMatch(/phonebridge-mock: every documented response must be exercised/);
    expect(output).toMatch(/^✓ callReceived +\d+ passed, 0 failed, 0 skipped$/m);
    expect(output).toMatch(/not exercised: 0 of \d+/);
    expect(output).toMatch(/^\d+ passed, 0 failed, 0 skipped$/m);
    expect(code).toBe(0);
    const xml = await readFile(junit, 'utf8');
    expect(xml).toMatch(/<testsuites [^>]*failures="0"/);
    expect(xml).toContain('callReceived -&gt; 400 REQUIRED_PARAM_MISSING when fromnumber is missing');
  });

  it.sequential('left the mock as it found it: the org is not integrated', async ({ expect }) => {
    const res = await fetch(`${mock.base}/crm/v2/phonebridge/users`, { headers: { Authorization: `Zoho-oauthtoken ${TOKENS.admin}` } });
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe('PBX_NOT_INTEGRATED');
  });

  it.sequential('without persona tokens and writes: skips what needs them, saying why, never passing them', async ({ expect }) => {
    const { code, output } = await runContract(['--target', mock.base, '--token', TOKENS.admin, '--real']);
    expect(output).toMatch(/× needs --free-token/);
    expect(output).toMatch(/× needs --expired-token/);
    expect(output).toMatch(/× .*run with --allow-writes/);
    expect(output).toMatch(/× needs --accounts-url/);
    expect(output).toMatch(/^\d+ passed, 0 failed, [1-9]\d* skipped$/m);
    expect(code).toBe(0);
  });

  it.sequential('against the mock without the personas, the coverage check fails the run', async ({ expect }) => {
    const { code, output } = await runContract(['--target', mock.base, '--token', TOKENS.admin, '--allow-writes']);
    expect(output).toMatch(/documented responses not exercised, or failing:\n[\s\S]*\w+ 403: never exercised/);
    expect(code).toBe(1);
  });

  it.sequential('an --operation the document lacks fails the run, naming the ones it has', async ({ expect }) => {
    const { code, output } = await runContract([
      '--target',
      mock.base,
      '--token',
      TOKENS.admin,
      '--operation',
      'getCallerDetails',
      '--operation',
      'getCallerDetail',
    ]);
    expect(output).toMatch(/--operation getCallerDetail: not in the document \(it has [\w, ]*getCallerDetails/);
    expect(code).toBe(1);
  });

  it.sequential('a usage error exits 2 with the usage text; so does a target that is not the mock without --token', async ({ expect }) => {
    const unknown = await runContract(['--target', mock.base, '--tokn', 'x']);
    expect(unknown.code).toBe(2);
    expect(unknown.output).toMatch(/usage: phonebridge-contract --target URL \[--token TOKEN\]/);
    const real = await runContract(['--target', mock.base, '--real']);
    expect(real.code).toBe(2);
    expect(real.output).toMatch(/is not phonebridge-mock: --token is needed/);
  });

  it.sequential('given only --target, two runs at once each make a tenant of their own, pass whole, and delete it', async ({ expect }) => {
    const runs = await Promise.all([runContract(['--target', mock.base]), runContract(['--target', mock.base])]);
    const ids = runs.map(({ output }) => /in a tenant of its own \((t[0-9a-f]{12})\)/.exec(output)?.[1]);
    expect(new Set(ids).size).toBe(2);
    for (const { code, output } of runs) {
      expect(output).toMatch(/not exercised: 0 of \d+/);
      expect(output).toMatch(/^\d+ passed, 0 failed, 0 skipped$/m);
      expect(code).toBe(0);
    }
    const tenants = (await (await fetch(`${mock.base}/__admin/tenants`)).json()) as { tenants: { id: string }[] };
    expect(tenants.tenants.map((t) => t.id)).toEqual(['default']);
  });
});

const isError = (r: { status: number }) => r.status >= 400;
const MUTATIONS: [string, Mutation, RegExp][] = [
  ['a 200 where the document says 400', (r) => (r.status === 400 ? { ...r, status: 200 } : r), /\w+ 200: schema: body must have required property/],
  [
    'an error code the operation does not list',
    editJson(
      (r, b) => r.status === 400 && b.code === 'REQUIRED_PARAM_MISSING',
      (b) => (b.code = 'PARAMETER_MISSING'),
    ),
    /error code PARAMETER_MISSING is not one the document lists/,
  ],
  [
    'a missing required field in a success body',
    editJson(
      (r, b) => r.status === 200 && Array.isArray(b.data),
      (b) => (b.data as Record<string, unknown>[]).forEach((d) => delete d.Id),
    ),
    /schema: body\/data\/0 must have required property 'Id'/,
  ],
  [
    'a wrong type',
    editJson(
      (r, b) => r.status === 200 && Array.isArray(b.users),
      (b) => (b.users as Record<string, unknown>[]).forEach((u) => (u.userid = Number(u.userid))),
    ),
    /schema: body\/users\/0\/userid must be string/,
  ],
  [
    'a body on a 204',
    (r) => (r.status === 204 ? { ...r, raw: 'HTTP/1.1 204 No Content\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"data":[]}' } : r),
    /getCallerDetails 204: the document declares no body, but 11 bytes came back/,
  ],
  [
    'a wrong Content-Type',
    (r) => (r.text ? { ...r, headers: { ...r.headers, 'content-type': 'text/html' } } : r),
    /Content-Type is "text\/html", the document says application\/json/,
  ],
  ['a status the operation does not declare', (r) => (r.status === 400 ? { ...r, status: 422 } : r), /status 422 is not declared for \w+/],
  [
    'a missing details.param',
    editJson(
      (r, b) => isError(r) && typeof (b.details as { param?: string } | undefined)?.param === 'string',
      (b) => (b.details = {}),
    ),
    /details\.param is missing; the document requires it with (REQUIRED_PARAM_MISSING|INVALID_DATA)/,
  ],
  ['a 401 answered as 403', (r) => (r.status === 401 ? { ...r, status: 403 } : r), /error code INVALID_TOKEN is not one the document lists for this status/],
  // Not written against: the suite's generic checks must catch these too.
  [
    'a status key on call-event successes',
    editJson(
      (r, b) => r.status === 200 && Array.isArray(b.data),
      (b) => (b.status = 'success'),
    ),
    /must NOT have additional properties/,
  ],
  [
    'a 405 without its Allow header',
    (r) => (r.status === 405 ? { ...r, headers: Object.fromEntries(Object.entries(r.headers).filter(([k]) => k !== 'allow')) } : r),
    /the Allow header is missing/,
  ],
  [
    'a renamed entity field',
    editJson(
      (r, b) => r.status === 200 && Array.isArray(b.data),
      (b) =>
        (b.data as Record<string, unknown>[]).forEach((d) => {
          d.Company = d['Company/Account'];
          delete d['Company/Account'];
        }),
    ),
    /must have required property 'Company\/Account'/,
  ],
  [
    'a 500 with an HTML stack trace',
    (r) => (r.status === 500 ? { ...r, headers: { 'content-type': 'text/html' }, text: '<pre>TypeError: x\n    at handler (/app/server.js:1:1)</pre>' } : r),
    /the body is not JSON/,
  ],
  [
    'an envelope status other than "error"',
    editJson(
      (r, b) => isError(r) && b.status === 'error',
      (b) => (b.status = 'failure'),
    ),
    /schema: body\/status must be equal to one of the allowed values/,
  ],
  ['a 404 answered 200', (r) => (r.status === 404 ? { ...r, status: 200 } : r), /must answer 404 or 405, not 200/],
];

/**
 * Each row runs the per-operation checks of one operation (--operation) and
 * the rest of the suite (privilege, routing, the lifecycle across every
 * operation, OAuth) whole: the generic response checks still see every kind
 * of response, in a third of the requests of a full run. getCallerDetails has
 * a required parameter, a 204 and a data body.
 */
const ROW_RUN = ['--token', TOKENS.admin, ...ALL_PERSONAS, '--allow-writes', '--mock', '--operation', 'getCallerDetails'];

/** The row's run through a proxy that alters the responses of a freshly reset mock. */
function runThrough(mutation: Mutation) {
  return pool.lend(async (server) => {
    const broken = await startBrokenTarget(server.base, mutation);
    try {
      return await runContract(['--target', broken.base, ...ROW_RUN]);
    } finally {
      await broken.close();
    }
  });
}

// Concurrent, as many at a time as the pool has mocks; the time limits include the wait for one.
describe.concurrent('phonebridge-contract catches a broken target', () => {
  it('the control: the same run through the proxy, altering nothing, passes (so each failure below is the alteration)', async ({ expect }) => {
    const { code, output } = await runThrough((r) => r);
    expect(output).toMatch(/per-operation checks of getCallerDetails only/);
    expect(output).toMatch(/^✓ getCallerDetails +\d+ passed, 0 failed, 0 skipped$/m);
    expect(output, 'the other operations have no per-operation block').not.toMatch(/^. callReceived /m);
    expect(output).toMatch(/^✓ lifecycle +\d+ passed, 0 failed, 0 skipped$/m);
    expect(output).toMatch(/not exercised: 0 of \d+/);
    expect(output).toMatch(/^\d+ passed, 0 failed, 0 skipped$/m);
    expect(code, output).toBe(0);
  }, 120_000);

  it.for(MUTATIONS)('%s', { timeout: 120_000 }, async ([, mutation, cause], { expect }) => {
    const { code, output } = await runThrough(mutation);
    expect(code, output).toBe(1);
    expect(output).toMatch(cause);
    expect(output, 'each failure shows a ready-to-paste curl line').toMatch(/request: {2}curl -i -X (GET|POST|PUT|PATCH|DELETE) /);
  });
});
