// Prints the closing line of .ci/run from Vitest's JSON report: "N passed, N failed[, N skipped]".
// A test file that fails to load counts as a failure; so does every failed non-test step (lint,
// type-check); a run with no test at all fails. Exits non-zero unless everything passed.
import { existsSync, readFileSync } from 'node:fs';

const [reportPath, failedStepsArg = '0'] = process.argv.slice(2);
const failedSteps = Number(failedStepsArg);
if (!reportPath || !existsSync(reportPath)) {
  console.log('the test run wrote no report');
  console.log(`0 passed, ${failedSteps + 1} failed`);
  process.exit(1);
}
const report = JSON.parse(readFileSync(reportPath, 'utf8'));
const brokenFiles = report.testResults.filter(
  (file) => file.status === 'failed' && !file.assertionResults.some((a) => a.status === 'failed'),
).length;
for (const file of report.testResults.filter((f) => f.status === 'failed')) {
  console.log(`failed: ${file.name}${file.message ? ` — ${file.message.split('\n')[0]}` : ''}`);
}
const passed = report.numPassedTests;
const failed = report.numFailedTests + brokenFiles + failedSteps + (report.numTotalTests === 0 ? 1 : 0);
const skipped = report.numPendingTests + report.numTodoTests;
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 ? 0 : 1);
