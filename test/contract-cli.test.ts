import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Contract, flatten, type SchemaObject } from '../contract-tests/lib/document.js';
import { OAUTH_CLIENTS, TOKENS } from '../fixtures/personas.js';
import { editJson, startBrokenTarget, type Mutation, type ProxiedResponse } from './broken-target.js';
import { CONTRACT as CLI, runNode, startServer, type RunningServer } from './process.js';
import { closedPortUrl, startReceiver } from './receiver.js';

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
/** The count of a run that passed whole ("N passed, 0 failed, 0 skipped"), else NaN. */
const passedCount = (output: string) => Number(/^(\d+) passed, 0 failed, 0 skipped$/m.exec(output)?.[1]);
/** The first run's count (both APIs), for the runs of one API each. */
let defaultRunCount = Number.NaN;

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
    expect(output).toMatch(/phonebridge-mock: every documented response must be exercised.*, PhoneBridge v2 and v3$/m);
    expect(output).toMatch(/^✓ callReceived +\d+ passed, 0 failed, 0 skipped$/m);
    // v3 beside v2 by default against the mock: its blocks and its rows in the one table, after v2's.
    expect(output).toMatch(
      /^✓ lifecycle +\d+ passed[\s\S]*^✓ v3CallNotify +\d+ passed, 0 failed, 0 skipped$[\s\S]*^✓ v3 lifecycle +\d+ passed, 0 failed, 0 skipped$/m,
    );
    expect(output).toMatch(/^✓ v3 coverage of the document +2 passed, 0 failed, 0 skipped$/m);
    expect(output).toMatch(/^ {2}getCallerDetails .*\n[\s\S]*^ {2}v3ClickToDialError +200 ✓/m);
    expect(output).toMatch(/not exercised: 0 of \d+/);
    expect(output).toMatch(/^\d+ passed, 0 failed, 0 skipped$/m);
    expect(code).toBe(0);
    defaultRunCount = passedCount(output);
    const xml = await readFile(junit, 'utf8');
    expect(xml).toMatch(/<testsuites [^>]*failures="0"/);
    expect(xml).toContain('callReceived -&gt; 400 REQUIRED_PARAM_MISSING when fromnumber is missing');
    expect(xml).toContain('v3CallNotify -&gt; 400 INVALID_DATA naming state for type=received with state=busy');
  });

  it.sequential(
    '--api v2 runs the v2 suite alone, as it was before v3; --api v3 the v3 suite alone; their counts add up to the default run',
    { timeout: 120_000 },
    async ({ expect }) => {
      const args = ['--target', mock.base, '--token', TOKENS.admin, ...ALL_PERSONAS, '--allow-writes'];
      const v2 = await runContract([...args, '--api', 'v2']);
      const v3 = await runContract([...args, '--api', 'v3']);
      expect(v2.output).toMatch(/, writes allowed\n/);
      expect(v2.output, 'no v3 block nor row').not.toMatch(/^(. | {2})v3/m);
      expect(v3.output).toMatch(/, writes allowed, PhoneBridge v3\n/);
      expect(v3.output, 'no v2 block').not.toMatch(/^. (lifecycle|callReceived|accounts server)/m);
      for (const run of [v2, v3]) expect(run.code, run.output).toBe(0);
      expect(passedCount(v2.output) + passedCount(v3.output)).toBe(defaultRunCount);
    },
  );

  it.sequential('left the mock as it found it: the org is not integrated', async ({ expect }) => {
    const res = await fetch(`${mock.base}/crm/v2/phonebridge/users`, { headers: { Authorization: `Zoho-oauthtoken ${TOKENS.admin}` } });
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe('PBX_NOT_INTEGRATED');
    const v3 = await fetch(`${mock.base}/phonebridge/v3/users`, { headers: { Authorization: `Zoho-oauthtoken ${TOKENS.admin}` } });
    expect(v3.status).toBe(400);
    expect((await v3.json()).code).toBe('PBX_NOT_INTEGRATED');
  });

  it.sequential('without persona tokens and writes: skips what needs them, saying why, never passing them', async ({ expect }) => {
    const { code, output } = await runContract(['--target', mock.base, '--token', TOKENS.admin, '--real']);
    expect(output, 'a real target gets v2 only unless --api says otherwise').not.toMatch(/PhoneBridge v3|^. v3/m);
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
    // In both documents of the default run's (v2 and v3), said once.
    expect(output).toMatch(/--operation getCallerDetail: not in the documents \(they have [\w, ]*getCallerDetails[\w, ]*v3CallNotify/);
    expect(output.match(/not in the documents/g)).toHaveLength(1);
    expect(code).toBe(1);
    const v2 = await runContract(['--target', mock.base, '--token', TOKENS.admin, '--api', 'v2', '--operation', 'v3CallNotify']);
    expect(v2.output).toMatch(/--operation v3CallNotify: not in the document \(it has [\w, ]*getCallerDetails\)/);
    expect(v2.code).toBe(1);
  });

  it.sequential('a usage error exits 2 with the usage text; so does a target that is not the mock without --token', async ({ expect }) => {
    const unknown = await runContract(['--target', mock.base, '--tokn', 'x']);
    expect(unknown.code).toBe(2);
    expect(unknown.output).toMatch(/usage: phonebridge-contract --target URL \[--token TOKEN\]/);
    const real = await runContract(['--target', mock.base, '--real']);
    expect(real.code).toBe(2);
    expect(real.output).toMatch(/is not phonebridge-mock: --token is needed/);
    const api = await runContract(['--target', mock.base, '--api', 'v4']);
    expect(api.code).toBe(2);
    expect(api.output).toMatch(/--api v4: expected v2, v3 or both\n\nusage: phonebridge-contract --target URL/);
    const help = await runContract(['--help']);
    expect(help.output).toMatch(/--api v2\|v3\|both +the PhoneBridge API to check/);
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
 * a required parameter, a 204 and a data body. The v2 rows check v2 alone
 * (--api v2), as before v3; v3's rows are below.
 */
const ROW_RUN = ['--token', TOKENS.admin, ...ALL_PERSONAS, '--allow-writes', '--mock', '--api', 'v2', '--operation', 'getCallerDetails'];

/** v3's rows: v3 alone, the per-operation checks of callnotify (the type x state matrix), the rest whole. */
const V3_ROW_RUN = ['--token', TOKENS.admin, ...ALL_PERSONAS, '--allow-writes', '--mock', '--api', 'v3', '--operation', 'v3CallNotify'];

/** The row's run through a proxy that alters the responses of a freshly reset mock. */
function runThrough(mutation: Mutation, run: string[] = ROW_RUN) {
  return pool.lend(async (server) => {
    const broken = await startBrokenTarget(server.base, mutation);
    try {
      return await runContract(['--target', broken.base, ...run]);
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

const V3_PATH = '/phonebridge/v3';
const V3_DOCUMENT = Contract.load('phonebridge-v3.yaml');
const CALL_STATES = (V3_DOCUMENT.paramsSchema('v3CallNotify')?.properties?.state?.enum ?? []).map(String);
const body = (r: ProxiedResponse) => JSON.parse(r.text) as Record<string, unknown>;

/**
 * v3 targets broken as a v3 implementation copied from v2, or hurried, would be: each row is a fresh
 * mutation (some keep state across the run), the failure it must cause, and the check that must name it.
 */
const V3_MUTATIONS: [string, () => Mutation, RegExp, RegExp][] = [
  [
    "v3 integrate answering v2's 403 PBX_ALREADY_ENABLED on repeat",
    () => {
      let enabled = false;
      return (r) => {
        if (r.path !== `${V3_PATH}/integrate` || r.status !== 200) return r;
        if (r.method === 'DELETE') enabled = false;
        if (r.method !== 'POST') return r;
        if (!enabled) return ((enabled = true), r);
        return { ...r, status: 403, text: JSON.stringify({ code: 'PBX_ALREADY_ENABLED', details: {}, message: 'already enabled', status: 'error' }) };
      };
    },
    /v3EnableIntegration 403: error code PBX_ALREADY_ENABLED is not one the document lists for this status/,
    /^✗ v3 lifecycle > v3EnableIntegration again -> 200 SUCCESS, idempotent/m,
  ],
  [
    'callnotify accepting a state its type does not have (received + busy)',
    () => (r) => {
      if (r.path !== `${V3_PATH}/callnotify` || r.status !== 400) return r;
      const b = body(r) as { code?: string; details?: { param?: string } };
      const sent = new URLSearchParams(r.request.body).get('state') ?? '';
      // Only a documented state refused for its type: the suite's other INVALID_DATA checks (an unlisted state) still get their 400.
      if (b.code !== 'INVALID_DATA' || b.details?.param !== 'state' || !CALL_STATES.includes(sent)) return r;
      return { ...r, status: 200, text: JSON.stringify({ code: 'SUCCESS', status: 'success' }) };
    },
    /expected 400 INVALID_DATA \(details\.param state\), got 200/,
    /^✗ v3CallNotify > v3CallNotify -> 400 INVALID_DATA naming state for type=received with state=busy/m,
  ],
  [
    'users answering without paging',
    () =>
      editJson(
        (r) => r.path === `${V3_PATH}/users` && r.status === 200,
        (b) => delete b.paging,
      ),
    /v3ListUsers 200: schema: body must have required property 'paging'/,
    /^✗ v3 lifecycle > v3ListUsers -> 200: navigation, users and paging/m,
  ],
  [
    'users ignoring the perPage asked (paging says 200 for perPage=1)',
    () =>
      editJson(
        (r) => r.path === `${V3_PATH}/users` && r.status === 200 && new URLSearchParams(r.request.query).get('perPage') === '1',
        (b) => ((b.paging as { perPage: number }).perPage = 200),
      ),
    /paging for page=1&perPage=1/,
    /^✗ v3 lifecycle > v3ListUsers -> 200: navigation, users and paging/m,
  ],
  [
    "v2's PBX_NOT_REGISTERED for an unregistered vendor, not v3's PROVIDER_NOT_REGISTERED",
    () =>
      editJson(
        (r, b) => r.path.startsWith(`${V3_PATH}/`) && b.code === 'PROVIDER_NOT_REGISTERED',
        (b) => (b.code = 'PBX_NOT_REGISTERED'),
      ),
    /error code PBX_NOT_REGISTERED is not one the document lists for this status/,
    /^✗ v3CallNotify > v3CallNotify -> 400 PROVIDER_NOT_REGISTERED for a vendor that is not registered/m,
  ],
  [
    'a token without the v3 scope answered 401 INVALID_TOKEN, not OAUTH_SCOPE_MISMATCH',
    () =>
      editJson(
        (r, b) => r.path.startsWith(`${V3_PATH}/`) && b.code === 'OAUTH_SCOPE_MISMATCH',
        (b) => (b.code = 'INVALID_TOKEN'),
      ),
    /expected 401 OAUTH_SCOPE_MISMATCH, got code INVALID_TOKEN/,
    /^✗ v3CallNotify > v3CallNotify -> 401 OAUTH_SCOPE_MISMATCH with a token without PhoneBridge\.call\.log/m,
  ],
];

describe.concurrent('phonebridge-contract catches a broken v3 target', () => {
  it('the control: the v3 run through the proxy, altering nothing, passes (so each failure below is the alteration)', async ({ expect }) => {
    const { code, output } = await runThrough((r) => r, V3_ROW_RUN);
    expect(output).toMatch(/, PhoneBridge v3, per-operation checks of v3CallNotify only/);
    expect(output).toMatch(/^✓ v3CallNotify +\d+ passed, 0 failed, 0 skipped$/m);
    expect(output, 'no v2 block, no other v3 per-operation block').not.toMatch(/^. (lifecycle|v3ListUsers) /m);
    for (const block of ['v3 privilege', 'v3 routing \\(404 and 405\\)', 'v3 lifecycle', 'v3 coverage of the document'])
      expect(output).toMatch(new RegExp(`^✓ ${block} +\\d+ passed, 0 failed, 0 skipped$`, 'm'));
    expect(output).toMatch(/not exercised: 0 of \d+/);
    expect(output).toMatch(/^\d+ passed, 0 failed, 0 skipped$/m);
    expect(code, output).toBe(0);
  }, 120_000);

  it.for(V3_MUTATIONS)('%s', { timeout: 120_000 }, async ([, mutation, cause, check], { expect }) => {
    const { code, output } = await runThrough(mutation(), V3_ROW_RUN);
    expect(code, output).toBe(1);
    expect(output).toMatch(cause);
    expect(output, 'the failing check is named').toMatch(check);
    expect(output, 'each failure shows a ready-to-paste curl line').toMatch(/request: {2}curl -i -X (GET|POST|PUT|PATCH|DELETE) /);
  });
});

/**
 * `phonebridge-contract vendor --api v3`: what arrives at the vendor's receivers is checked against the
 * `callbacks` of v3EnableClickToDial and v3EnableCallControl in openapi/phonebridge-v3.yaml, and against what
 * the document says each request carries.
 */
const V3 = Contract.load('phonebridge-v3.yaml');

type Callbacks = Record<string, Record<string, { post: { requestBody: { content: Record<string, { schema: SchemaObject }> } } }>>;

/** How a received form breaks the v3 callback of that name ([] when it does not). */
function callbackErrors(name: string, fields: Record<string, string>): string[] {
  for (const id of ['v3EnableClickToDial', 'v3EnableCallControl']) {
    const pathItem = (V3.operation(id).callbacks as unknown as Callbacks)[name];
    if (!pathItem) continue;
    const schema = Object.values(pathItem)[0]!.post.requestBody.content['application/x-www-form-urlencoded']!.schema;
    return V3.schemaErrors(schema, fields).map((e) => `${name}: body${e.instancePath} ${e.message}`);
  }
  return [`no v3 callback named ${name}`];
}

describe('phonebridge-contract vendor --api v3: a vendor checks its v3 receivers without Zoho', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeEach(async () => {
    receiver = await startReceiver((r) => (r.path === '/answer-500' ? { status: 500 } : { status: 200 }));
  });
  afterEach(() => receiver.close());

  it("sends click-to-dial with tonumber and the clicktodialparam pairs ({to} replaced), call control with callrefid, keypress with digit; each as the document's callbacks say", async () => {
    const { code, stdout } = await runContract([
      'vendor',
      '--api',
      'v3',
      '--clicktodialuri',
      `${receiver.base}/dial`,
      '--answeruri',
      `${receiver.base}/answer`,
      '--keypressuri',
      `${receiver.base}/key`,
      '--tonumber',
      '+442079460000',
      '--clicktodialparam',
      "callee='{to}'",
      '--clicktodialparam',
      'dial=to:{to}',
      '--clicktodialparam',
      'pbxuserid=pbx-42',
      '--callcontrolparam',
      'tenant=acme',
      '--authorization',
      'authorization=vendor-token',
      '--callrefid',
      'call-7',
    ]);
    expect(stdout).toMatch(/^✓ clickToDial +POST .*\/dial +HTTP 200/m);
    expect(stdout).toMatch(/^✓ answer +POST .*\/answer +HTTP 200/m);
    expect(stdout).toMatch(/^✓ keypress +POST .*\/key +HTTP 200/m);
    expect(stdout).toMatch(/^3 passed, 0 failed$/m);
    expect(code).toBe(0);

    const byPath = Object.fromEntries(receiver.received.map((r) => [r.path, r]));
    const dial = byPath['/dial']!;
    expect(callbackErrors('clickToDial', dial.fields)).toEqual([]);
    // tonumber first, then the pairs in order with {to} replaced, then the authorization pair (also a header).
    expect(dial.body).toBe(
      new URLSearchParams([
        ['tonumber', '+442079460000'],
        ['callee', '+442079460000'],
        ['dial', 'to:+442079460000'],
        ['pbxuserid', 'pbx-42'],
        ['authorization', 'vendor-token'],
      ]).toString(),
    );
    expect(dial.headers.authorization).toBe('vendor-token');

    for (const [path, callback] of [
      ['/answer', 'answer'],
      ['/key', 'keypress'],
    ] as const) {
      const received = byPath[path]!;
      expect(callbackErrors(callback, received.fields)).toEqual([]);
      expect(received.fields).toEqual({
        callrefid: 'call-7',
        ...(callback === 'keypress' ? { digit: '5' } : {}),
        tenant: 'acme',
        authorization: 'vendor-token',
      });
      expect(received.headers.authorization).toBe('vendor-token');
    }
  });

  it('every callback of the v3 document has its option, and without --tonumber the click carries the documented example', async () => {
    const expressions = ['v3EnableClickToDial', 'v3EnableCallControl'].flatMap((id) =>
      Object.values(V3.operation(id).callbacks as unknown as Callbacks).flatMap((cb) => Object.keys(cb)),
    );
    const fields = expressions.map((e) => /^\{\$request\.body#\/(\w+)\}$/.exec(e)![1]!);
    expect(fields).toHaveLength(8);
    const args = fields.flatMap((field) => [`--${field}`, `${receiver.base}/${field}`]);
    const { code, stdout } = await runContract(['vendor', '--api', 'v3', ...args]);
    expect(stdout).toMatch(/^8 passed, 0 failed$/m);
    expect(code).toBe(0);
    const clickToDial = Object.values((V3.operation('v3EnableClickToDial').callbacks as unknown as Callbacks).clickToDial!)[0]!;
    const example = String(flatten(clickToDial.post.requestBody.content['application/x-www-form-urlencoded']!.schema).properties!.tonumber!.example);
    expect(receiver.received.find((r) => r.path === '/clicktodialuri')!.fields).toEqual({ tonumber: example });
    for (const r of receiver.received)
      expect(callbackErrors(r.path === '/clicktodialuri' ? 'clickToDial' : callbackName(r.path), r.fields), r.path).toEqual([]);
  });

  it('fails, naming the callback and what was sent, when a receiver answers 500 or is down', async () => {
    const { code, stdout } = await runContract([
      'vendor',
      '--api',
      'v3',
      '--answeruri',
      `${receiver.base}/answer-500`,
      '--hungupuri',
      `${await closedPortUrl()}/hangup`,
      '--holduri',
      `${receiver.base}/hold`,
    ]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^✗ answer .*HTTP 500/m);
    expect(stdout).toMatch(/^ {4}sent: callrefid=/m);
    expect(stdout).toMatch(/^✗ hangup .*ECONNREFUSED/m);
    expect(stdout).toMatch(/^1 passed, 2 failed$/m);
  });

  it("usage errors exit 2: no URL, an API it does not know, v2's options with v3 and v3's without --api (the default stays v2)", async () => {
    for (const args of [
      ['--api', 'v3'],
      ['--api', 'v4', '--clicktodialuri', `${receiver.base}/d`],
      ['--api', 'v3', '--clicktodialuri', `${receiver.base}/d`, '--param', 'a=b'],
      ['--clicktodialuri', `${receiver.base}/d`],
    ]) {
      const { code, stderr } = await runContract(['vendor', ...args]);
      expect(code, args.join(' ')).toBe(2);
      expect(stderr, args.join(' ')).toMatch(/usage: phonebridge-contract vendor \[--api v2\]/);
    }
    expect(receiver.received).toEqual([]);
  });
});

/** The callback a path of the second test names: its registration field, minus `uri` (answeruri -> answer, hungupuri -> hangup). */
function callbackName(path: string): string {
  const field = path.slice(1);
  for (const id of ['v3EnableClickToDial', 'v3EnableCallControl'])
    for (const [name, cb] of Object.entries(V3.operation(id).callbacks as unknown as Callbacks))
      if (Object.keys(cb)[0] === `{$request.body#/${field}}`) return name;
  return field;
}
