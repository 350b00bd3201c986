/**
 * The contract command with every persona's token given explicitly, as against a real target (npm run
 * test:slow): v2 at the compiled mock's default tenant with the fixture personas, v3 at a tenant of its
 * own (its lifecycle enables and disables its org's integration too), both with --allow-writes --mock,
 * at once. Each run must pass whole, and its JUnit file parse with a testcase per test of its summary.
 * (npm test runs the same command from the README; test/contract-cli.test.ts against broken targets.)
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OAUTH_CLIENTS, TOKENS, type Persona } from '../fixtures/personas.js';
import { CONTRACT as CLI, runNode, startServer, type RunningServer } from './process.js';

/** A token per persona, as the control plane hands out a tenant's. */
type Tokens = Record<Persona['key'], string>;

interface CreatedTenant {
  id: string;
  tokens: Tokens;
  clients: { vendor: string; clientId: string; clientSecret: string }[];
}

/** The command's options for every persona and an OAuth client. */
const personaArgs = (tokens: Tokens, client: { clientId: string; clientSecret: string }) => [
  '--token',
  tokens.admin,
  '--user-token',
  tokens.user,
  '--free-token',
  tokens.freeedition,
  '--unregistered-token',
  tokens.unregistered,
  '--otherpbx-token',
  tokens.otherpbx,
  '--expired-token',
  tokens.expired,
  '--client-id',
  client.clientId,
  '--client-secret',
  client.clientSecret,
];

let server: RunningServer;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pbm-contract-tokens-'));
  server = await startServer({ PHONEBRIDGE_DB: path.join(dir, 'phonebridge.json') });
});
afterAll(async () => {
  server?.child.kill('SIGTERM');
  await server?.exited;
});

async function v3Tenant(): Promise<{ tokens: Tokens; client: { clientId: string; clientSecret: string } }> {
  const res = await fetch(`${server.base}/__admin/tenants`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ label: 'contract-tokens-v3' }),
  });
  expect(res.status, 'the v3 tenant is created').toBe(201);
  const tenant = (await res.json()) as CreatedTenant;
  const client = tenant.clients.find((c) => c.vendor === 'MockPBX');
  if (!client) throw new Error(`the v3 tenant ${tenant.id} has no MockPBX client`);
  return { tokens: tenant.tokens, client };
}

/** The run's summary counts, from its last line. */
function summary(output: string): { passed: number; failed: number; skipped: number } {
  const match = /^(\d+) passed, (\d+) failed, (\d+) skipped$/m.exec(output);
  if (!match) throw new Error(`no summary line in:\n${output}`);
  return { passed: Number(match[1]), failed: Number(match[2]), skipped: Number(match[3]) };
}

/** The testcases of a JUnit file, after checking that it is well-formed XML. */
async function junitTestcases(file: string): Promise<{ name: string; failure?: unknown; skipped?: unknown }[]> {
  const xml = await readFile(file, 'utf8');
  expect(XMLValidator.validate(xml), 'the JUnit file is well-formed XML').toBe(true);
  const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase'].includes(name) }).parse(
    xml,
  ) as { testsuites: { testsuite: { testcase?: { name: string; failure?: unknown; skipped?: unknown }[] }[] } };
  return parsed.testsuites.testsuite.flatMap((suite) => suite.testcase ?? []);
}

describe('phonebridge-contract with every token given, as against a real target', () => {
  it('v2 at the default tenant and v3 at a tenant of its own pass whole, each with a JUnit file of as many testcases', async () => {
    const [MOCKPBX] = OAUTH_CLIENTS;
    const v3 = await v3Tenant();
    const runs = [
      { api: 'v2', args: personaArgs(TOKENS, MOCKPBX), junit: path.join(dir, 'contract-v2.xml') },
      { api: 'v3', args: personaArgs(v3.tokens, v3.client), junit: path.join(dir, 'contract-v3.xml') },
    ];
    const finished = await Promise.all(
      runs.map((run) => runNode(CLI, ['--target', server.base, ...run.args, '--api', run.api, '--allow-writes', '--mock', '--junit', run.junit])),
    );
    for (const [i, { code, output }] of finished.entries()) {
      const run = runs[i]!;
      expect(output, `${run.api}: not a tenant of its own, the tokens given`).not.toMatch(/in a tenant of its own/);
      expect(output).toMatch(/not exercised: 0 of \d+/);
      const counts = summary(output);
      expect(counts, `${run.api}:\n${output}`).toMatchObject({ failed: 0, skipped: 0 });
      expect(counts.passed, `${run.api} runs its suite whole`).toBeGreaterThan(150);
      expect(code, output).toBe(0);
      const testcases = await junitTestcases(run.junit);
      expect(testcases).toHaveLength(counts.passed + counts.failed + counts.skipped);
      expect(testcases.filter((t) => t.failure !== undefined || t.skipped !== undefined)).toEqual([]);
    }
    // Each run checked its own API's document only.
    expect(finished[0]!.output).not.toMatch(/^. v3/m);
    expect(finished[1]!.output).toMatch(/, PhoneBridge v3\n/);
  }, 120_000);
});
