import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import type { ErrorResult, RunResult, TestResult } from './lib/harness.js';

/** Text for an XML attribute or element: the five entities escaped, characters XML 1.0 forbids removed. */
export function escapeXml(value: string): string {
  return (
    value
      // Control characters other than tab, newline and carriage return, lone surrogates, U+FFFE and U+FFFF.
      // eslint-disable-next-line no-control-regex
      .replace(/[\0-\x08\v\f\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);
const attrs = (values: Record<string, string | number>) =>
  Object.entries(values)
    .map(([name, value]) => `${name}="${escapeXml(String(value))}"`)
    .join(' ');

function testcase(lines: string[], classname: string, name: string, durationMs: number, body: string[]): void {
  const open = `    <testcase ${attrs({ classname, name, time: seconds(durationMs) })}`;
  if (!body.length) {
    lines.push(`${open}/>`);
    return;
  }
  lines.push(`${open}>`, ...body.map((line) => `      ${line}`), '    </testcase>');
}

const failure = (error: ErrorResult) => `<failure ${attrs({ message: error.message, type: error.name })}>${escapeXml(error.stack ?? error.message)}</failure>`;

function testBody(test: TestResult): string[] {
  if (test.state === 'skipped') return [`<skipped ${attrs({ message: test.note ?? 'skipped' })}/>`];
  return test.errors.map(failure);
}

/**
 * JUnit XML of a run: a testsuite per file of the suite, a testcase per test ("block > test"), failures with
 * their messages, skips with their notes. A file's errors outside its tests (loading it, afterAll) are one
 * failed testcase named after the file, as test runners report them.
 */
export function junitXml(result: RunResult): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const count = (tests: TestResult[], state: TestResult['state']) => tests.filter((t) => t.state === state).length;
  const all = result.files.flatMap((f) => f.tests);
  const fileErrors = result.files.filter((f) => f.errors.length).length;
  const total = result.files.reduce((ms, f) => ms + f.durationMs, 0);
  lines.push(
    `<testsuites ${attrs({
      name: 'phonebridge-contract',
      tests: all.length + fileErrors + (result.unhandled.length ? 1 : 0),
      failures: count(all, 'failed') + fileErrors + (result.unhandled.length ? 1 : 0),
      errors: 0,
      skipped: count(all, 'skipped'),
      time: seconds(total),
    })}>`,
  );
  for (const file of result.files) {
    const errors = file.errors.length ? 1 : 0;
    lines.push(
      `  <testsuite ${attrs({
        name: file.file,
        timestamp: new Date().toISOString(),
        hostname: hostname(),
        tests: file.tests.length + errors,
        failures: count(file.tests, 'failed') + errors,
        errors: 0,
        skipped: count(file.tests, 'skipped'),
        time: seconds(file.durationMs),
      })}>`,
    );
    for (const test of file.tests) testcase(lines, file.file, test.fullName, test.durationMs, testBody(test));
    if (errors) testcase(lines, file.file, file.file, 0, file.errors.map(failure));
    lines.push('  </testsuite>');
  }
  if (result.unhandled.length) {
    lines.push(`  <testsuite ${attrs({ name: 'unhandled errors', tests: 1, failures: 1, errors: 0, skipped: 0, time: seconds(0) })}>`);
    testcase(lines, 'unhandled errors', 'unhandled errors', 0, result.unhandled.map(failure));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

/** Writes the run's JUnit XML to `file` (its folder created if need be). */
export function writeJunit(file: string, result: RunResult): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, junitXml(result));
}
