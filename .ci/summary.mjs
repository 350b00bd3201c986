// Prints "N passed, N failed" from vitest's JSON report, plus the Docker step's
// counts when given (a file holding "PASSED FAILED"), and exits non-zero if either failed.
// A run that stopped before vitest (type check or lint failed) counts as one failure;
// so does a Docker step that left no counts.
import { existsSync, readFileSync } from 'node:fs';

const [file, statusArg, dockerFile, dockerStatusArg] = process.argv.slice(2);
const status = Number(statusArg);
let passed = 0;
let failed = 1;
let skipped = 0;
if (existsSync(file)) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed = report.numPassedTests;
  failed = report.numFailedTests + (status !== 0 && report.numFailedTests === 0 ? 1 : 0);
  skipped = report.numPendingTests + report.numTodoTests;
}
let exitCode = status || (failed ? 1 : 0);
if (dockerFile) {
  console.log(`npm test: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  const dockerStatus = Number(dockerStatusArg);
  const [dPassed, dFailed] = existsSync(dockerFile) ? readFileSync(dockerFile, 'utf8').trim().split(/\s+/).map(Number) : [0, 1];
  passed += dPassed || 0;
  failed += (dFailed || 0) + (dockerStatus !== 0 && !dFailed ? 1 : 0);
  exitCode ||= dockerStatus || (failed ? 1 : 0);
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(exitCode);
