// Sums what every CI step ran and prints one "N passed, N failed" line; exits
// non-zero if any step failed. Arguments, one step each: `vitest:FILE:STATUS`
// (vitest's JSON report and the step's exit status) or `counts:FILE:STATUS`
// (a file holding "PASSED FAILED", as the Docker step writes). A step that
// failed without counting a failure (type check, lint, a crash) counts as one.
import { existsSync, readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;
let exitCode = 0;
for (const step of process.argv.slice(2)) {
  const [kind, file, statusArg] = step.split(':');
  const status = Number(statusArg);
  let counts = { passed: 0, failed: 1, skipped: 0 };
  if (kind === 'vitest' && existsSync(file)) {
    const report = JSON.parse(readFileSync(file, 'utf8'));
    counts = { passed: report.numPassedTests, failed: report.numFailedTests, skipped: report.numPendingTests + report.numTodoTests };
  } else if (kind === 'counts' && existsSync(file)) {
    const [p, f] = readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
    counts = { passed: p || 0, failed: f || 0, skipped: 0 };
  }
  if (status !== 0 && counts.failed === 0) counts.failed = 1;
  console.log(`${file}: ${counts.passed} passed, ${counts.failed} failed${counts.skipped ? `, ${counts.skipped} skipped` : ''}`);
  passed += counts.passed;
  failed += counts.failed;
  skipped += counts.skipped;
  exitCode ||= status || (counts.failed ? 1 : 0);
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(exitCode);
