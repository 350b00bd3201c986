// Prints "N passed, N failed" from vitest's JSON report and exits with the test command's status.
// A run that stopped before vitest (type check or lint failed) counts as one failure.
import { existsSync, readFileSync } from 'node:fs';

const [file, statusArg] = process.argv.slice(2);
const status = Number(statusArg);
if (!existsSync(file)) {
  console.log('0 passed, 1 failed');
  process.exit(status || 1);
}
const report = JSON.parse(readFileSync(file, 'utf8'));
const failed = report.numFailedTests + (status !== 0 && report.numFailedTests === 0 ? 1 : 0);
const skipped = report.numPendingTests + report.numTodoTests;
console.log(`${report.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(status);
