/**
 * Starts the compiled mock for the contract project and points the suite at it with every persona: v2's
 * file at the default tenant, v3's at a tenant of its own (PHONEBRIDGE_V3_*), since vitest runs the two
 * files at once here and their lifecycles would otherwise enable and disable the same org's integration.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ENV, envFor } from '../contract-tests/lib/target.js';
import { OAUTH_CLIENTS, TOKENS } from '../fixtures/personas.js';
import { startServer, type RunningServer } from './process.js';

let server: RunningServer | undefined;

export const PERSONA_ENV = {
  [ENV.token]: TOKENS.admin,
  [ENV.user]: TOKENS.user,
  [ENV.free]: TOKENS.freeedition,
  [ENV.unregistered]: TOKENS.unregistered,
  [ENV.otherpbx]: TOKENS.otherpbx,
  [ENV.expired]: TOKENS.expired,
  [ENV.clientId]: OAUTH_CLIENTS[0].clientId,
  [ENV.clientSecret]: OAUTH_CLIENTS[0].clientSecret,
};

interface CreatedTenant {
  id: string;
  tokens: Record<'admin' | 'user' | 'freeedition' | 'unregistered' | 'otherpbx' | 'expired', string>;
  clients: { vendor: string; clientId: string; clientSecret: string }[];
}

/** The persona variables for v3's file, from a tenant created for it. */
async function v3TenantEnv(base: string): Promise<Record<string, string>> {
  const res = await fetch(`${base}/__admin/tenants`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ label: 'contract-project-v3' }),
  });
  if (res.status !== 201) throw new Error(`could not create the v3 tenant: ${res.status} ${await res.text()}`);
  const tenant = (await res.json()) as CreatedTenant;
  const client = tenant.clients.find((c) => c.vendor === 'MockPBX');
  if (!client) throw new Error(`the v3 tenant ${tenant.id} has no MockPBX client`);
  const env = {
    [ENV.token]: tenant.tokens.admin,
    [ENV.user]: tenant.tokens.user,
    [ENV.free]: tenant.tokens.freeedition,
    [ENV.unregistered]: tenant.tokens.unregistered,
    [ENV.otherpbx]: tenant.tokens.otherpbx,
    [ENV.expired]: tenant.tokens.expired,
    [ENV.clientId]: client.clientId,
    [ENV.clientSecret]: client.clientSecret,
  };
  return Object.fromEntries(Object.entries(env).map(([name, value]) => [envFor(name, 'v3'), value]));
}

export async function setup(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pbm-contract-'));
  server = await startServer({ PHONEBRIDGE_DB: path.join(dir, 'phonebridge.json') });
  Object.assign(process.env, PERSONA_ENV, { [ENV.target]: server.base, [ENV.allowWrites]: '1', [ENV.isMock]: '1' }, await v3TenantEnv(server.base));
}

export async function teardown(): Promise<void> {
  server?.child.kill('SIGTERM');
  await server?.exited;
}
