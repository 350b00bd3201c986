/** Starts the compiled mock for the contract project and points the suite at it with every persona. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ENV } from '../contract-tests/lib/target.js';
import { OAUTH_CLIENTS } from '../fixtures/personas.js';
import { startServer, type RunningServer } from './process.js';

let server: RunningServer | undefined;

export const PERSONA_ENV = {
  [ENV.token]: '1000.admin.mockpbx',
  [ENV.user]: '1000.user.mockpbx',
  [ENV.free]: '1000.admin.freeedition',
  [ENV.unregistered]: '1000.admin.unregistered',
  [ENV.otherpbx]: '1000.admin.otherpbx',
  [ENV.expired]: '1000.expired.mockpbx',
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
