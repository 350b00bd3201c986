import { existsSync, readFileSync } from 'node:fs';
import { coverageGaps, type PairResult } from './lib/coverage.js';
import type { Listener, RunResult, SuiteResult } from './lib/harness.js';

const ICON = { passed: '✓', failed: '✗', skipped: '-' } as const;

/**
 * The contract command's output: a line per operation as it finishes, then
 * each failure with its curl line, the skips with their reasons, and the
 * document coverage table.
 */
export class ContractReporter implements Listener {
  constructor(
    /** Where the suite's files write their coverage of their documents (one table, in this order). */
    private readonly coverageFile: string | readonly string[] | undefined,
    private readonly print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {}

  onSuiteEnd(suite: SuiteResult): void {
    const count = (state: string) => suite.tests.filter((t) => t.state === state).length;
    const failed = count('failed');
    this.print(`${failed ? ICON.failed : ICON.passed} ${suite.name.padEnd(36)} ${count('passed')} passed, ${failed} failed, ${count('skipped')} skipped`);
  }

  onRunEnd({ files, unhandled }: RunResult): void {
    const tests = files.flatMap((file) => file.tests);
    const failures = tests.filter((t) => t.state === 'failed');
    // Each file of the run may fail to load for the same reason (an --operation in no document): said once.
    for (const message of new Set(files.flatMap((file) => file.errors).map((error) => error.message))) this.print(`\n✗ ${message}`);
    for (const error of unhandled) this.print(`\n✗ unhandled: ${error.message}`);
    if (failures.length) this.print('\nFailures:');
    for (const test of failures) {
      this.print(`\n✗ ${test.fullName}`);
      for (const error of test.errors) this.print(indent(error.message));
    }

    const skips = new Map<string, number>();
    for (const test of tests) if (test.state === 'skipped') skips.set(test.note ?? 'skipped', (skips.get(test.note ?? 'skipped') ?? 0) + 1);
    if (skips.size) {
      this.print('\nSkipped (not passed):');
      for (const [note, n] of skips) this.print(`  ${String(n).padStart(3)} × ${note}`);
    }

    const coverageFiles = [this.coverageFile ?? []].flat().filter((file) => existsSync(file));
    if (coverageFiles.length) this.printCoverage(coverageFiles.flatMap((file) => JSON.parse(readFileSync(file, 'utf8')) as PairResult[]));
    const passed = tests.filter((t) => t.state === 'passed').length;
    this.print(`\n${passed} passed, ${failures.length} failed, ${skips.size ? [...skips.values()].reduce((a, b) => a + b) : 0} skipped`);
  }

  private printCoverage(pairs: PairResult[]): void {
    this.print('\nDocumented responses:');
    for (const operationId of new Set(pairs.map((p) => p.operationId))) {
      const results = pairs.filter((p) => p.operationId === operationId);
      const cells = results.map((r) => `${r.status} ${r.failed ? `✗${r.failed}` : r.exercised ? `✓${r.exercised}` : '·'}`);
      this.print(`  ${operationId.padEnd(24)} ${cells.join('  ')}`);
    }
    const missing = coverageGaps(pairs).filter((gap) => gap.endsWith('never exercised')).length;
    this.print(`  (✓n passed n times, ✗n failed n times, · not exercised: ${missing} of ${pairs.length} missing; of responses marked one-of, one is enough)`);
  }
}

const indent = (text: string) =>
  text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
