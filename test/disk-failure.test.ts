/**
 * A disk that fills up or turns read-only under the running mock: writes are
 * answered 500 (never a 200 for a change that is not on disk), the health
 * check answers 503 with the reason, and the mock recovers by itself when the
 * disk does. A small tmpfs where the machine allows mounting one (root);
 * otherwise the test says why it is skipped.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TOKENS } from '../fixtures/personas.js';
import { auth, BASE } from './helpers.js';
import { startServer, type RunningServer } from './process.js';
import { skipReason } from './skip-reason.js';

const mountPoint = mkdtempSync(path.join(tmpdir(), 'pbm-disk-'));
function tryMount(): string | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountPoint], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    return `cannot mount a tmpfs here (${(error as Error).message.split('\n')[0]}): needs root`;
  }
}
const whySkipped = skipReason(tryMount(), 'test/disk-failure.test.ts');

describe.skipIf(whySkipped)(`a full or read-only disk${whySkipped ? ` (skipped: ${whySkipped})` : ''}`, () => {
  let server: RunningServer;
  const filler = path.join(mountPoint, 'filler');
  const call = (callrefid: string) =>
    fetch(`${server.base}${BASE}/callreceived`, {
      method: 'POST',
      headers: { ...auth(TOKENS.admin), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ callrefid, fromnumber: '0018885554567', tonumber: '100' }).toString(),
    });
  const health = async () => {
    const res = await fetch(`${server.base}/__admin/health`);
    return { status: res.status, body: (await res.json()) as { status: string; error: string | null } };
  };

  beforeAll(async () => {
    server = await startServer({ PHONEBRIDGE_DB: path.join(mountPoint, 'phonebridge.json'), PHONEBRIDGE_CRM_SIZE: '5', PHONEBRIDGE_LOG: 'quiet' });
    expect((await fetch(`${server.base}${BASE}/integrate`, { method: 'POST', headers: auth(TOKENS.admin) })).status).toBe(200);
  });
  afterAll(async () => {
    server.child.kill('SIGKILL');
    await server.exited;
    execFileSync('umount', ['-l', mountPoint]);
  });

  it('full: a write is answered 500 and health 503 with the reason; freed, both recover by themselves', async () => {
    expect((await health()).status).toBe(200);
    // Fill what is left of the 2 MB.
    await writeFile(filler, Buffer.alloc(4 * 1024 * 1024)).catch(() => undefined);
    const refused = await call('full-1');
    expect(refused.status).toBe(500);
    expect(await refused.json()).toMatchObject({ code: 'INTERNAL_ERROR' });
    expect(await health()).toMatchObject({ status: 503, body: { status: 'failing', error: expect.stringMatching(/ENOSPC/) as string } });
    await rm(filler);
    await vi.waitFor(async () => expect((await health()).status).toBe(200), { timeout: 5000, interval: 200 });
    expect((await call('full-2')).status).toBe(200);
    expect(server.output().match(/saving .* failed/g)).toHaveLength(1);
  });

  it('read-only: the same, until it is writable again', async () => {
    execFileSync('mount', ['-o', 'remount,ro', mountPoint]);
    try {
      expect((await call('ro-1')).status).toBe(500);
      expect(await health()).toMatchObject({ status: 503, body: { error: expect.stringMatching(/EROFS/) as string } });
    } finally {
      execFileSync('mount', ['-o', 'remount,rw', mountPoint]);
    }
    await vi.waitFor(async () => expect((await health()).status).toBe(200), { timeout: 5000, interval: 200 });
    expect((await call('ro-2')).status).toBe(200);
  });
});
