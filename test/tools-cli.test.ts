/**
 * Portman 1.33 + newman 6.2 and Dredd 14.1 on openapi/phonebridge.yaml against
 * fresh mocks on loopback (test/tools/run.sh; its README explains each result).
 * In npm run test:slow: the three tools take most of a minute.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { runCommand } from './process.js';

it('Portman contract and missing-field variation tests pass in newman, and Dredd passes every transaction it can run', async () => {
  const out = await mkdtemp(path.join(tmpdir(), 'pbm-tools-'));
  const { code, output } = await runCommand('bash', ['test/tools/run.sh'], { OUT: out });
  expect(output).toMatch(/^newman: requests \d+ \(failed 0\), assertions (\d{3,}) \(failed 0\)$/m);
  expect(Number(/assertions (\d+)/.exec(output)?.[1])).toBeGreaterThanOrEqual(300);
  expect(output).toMatch(/^dredd: complete: 13 passing, 0 failing, 0 errors, 108 skipped/m);
  expect(code, output).toBe(0);
}, 240_000);
