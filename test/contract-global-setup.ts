/** Starts the compiled mock for the contract project and points the suite at it with every persona. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ENV } from '../contract-tests/lib/target.js';
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

export async function setup(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pbm-contract-'));
  server = await startServer({ PHONEBRIDGE_DB: path.join(dir, 'phonebridge.json') });
  Object.assign(process.env, PERSONA_ENV, { [ENV.target]: server.base, [ENV.allowWrites]: '1', [ENV.isMock]: '1' });
}

export async function teardown(): Promise<void> {
  server?.child.kill('SIGTERM');
  await server?.exited;
}
