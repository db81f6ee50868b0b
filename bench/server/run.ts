/**
 * `npm run bench:server`: remote evaluation over HTTP. Each server runs alone on core 0 (taskset),
 * autocannon on core 1, one endpoint after the other: Switchboard's client evaluation and SDK snapshot
 * (full and 304), then the peer unleash-server's frontend API. Prints the table, checks the budget of
 * DESIGN.md §8 (≥ 15,000 req/s and p99 ≤ 20 ms on client evaluation), writes `results/server.json`,
 * and exits non-zero when a server serves the flag wrongly or does not run.
 *
 *   npm run bench:server -- -- --engines switchboard     Switchboard only (no PostgreSQL needed)
 *   npm run bench:server -- -- --duration 5              shorter runs, for a quick look
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { textTable } from '../eval/text-table.js';
import type { BenchTarget } from './bench-target.js';
import { buildWorkspaces } from './built-workspaces.js';
import { runLoad } from './load.js';
import { requireTaskset } from './pinned-process.js';
import { BODY_COUNT } from './request-bodies.js';
import { rowProblem, type ServerRow, serverChecks, toRow } from './server-summary.js';
import { startSwitchboard } from './switchboard-target.js';
import { startUnleash } from './unleash-target.js';

const RESULTS_FILE = fileURLToPath(new URL('../results/server.json', import.meta.url));
const ENGINES: Record<string, () => Promise<BenchTarget>> = {
  switchboard: startSwitchboard,
  'unleash-server': startUnleash,
};

function parseOptions() {
  const { values } = parseArgs({
    options: {
      engines: { type: 'string', default: Object.keys(ENGINES).join(',') },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '50' },
      warmup: { type: 'string', default: '3' },
    },
  });
  const engines = values.engines.split(',').map((name) => name.trim());
  const unknown = engines.filter((name) => !(name in ENGINES));
  if (unknown.length > 0)
    throw new Error(`unknown engine(s) ${unknown.join(', ')}; known: ${Object.keys(ENGINES).join(', ')}`);
  const positive = (name: string, text: string) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
    return value;
  };
  return {
    engines,
    durationSeconds: positive('duration', values.duration),
    connections: positive('connections', values.connections),
    warmupSeconds: positive('warmup', values.warmup),
  };
}

const options = parseOptions();
requireTaskset();
await buildWorkspaces();
if (availableParallelism() < 2) throw new Error('needs 2 cores: the server on core 0, autocannon on core 1');
console.log(
  `Remote evaluation: each server alone on core 0, autocannon on core 1; per endpoint ${options.warmupSeconds} s warm-up, ` +
    `then ${options.durationSeconds} s with ${options.connections} connections; evaluation bodies rotate through ` +
    `${BODY_COUNT.toLocaleString('en')} users. Node ${process.version}\n`,
);

const rows: ServerRow[] = [];
const failed: string[] = [];
const notes: string[] = [];
for (const engine of options.engines) {
  process.stderr.write(`${engine}: starting...\n`);
  let target: BenchTarget | undefined;
  try {
    target = await (ENGINES[engine] as () => Promise<BenchTarget>)();
    notes.push(...target.notes.map((note) => `${engine}: ${note}`));
    for (const { endpoint, request, expectedStatus } of target.endpoints) {
      process.stderr.write(`${engine}: ${endpoint}...\n`);
      const result = await runLoad({ ...request, ...options });
      rows.push(toRow(target.engine, target.version, endpoint, expectedStatus, result));
    }
  } catch (error) {
    failed.push(engine);
    console.error(`${engine} did not run: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await target?.stop();
  }
}

console.log(
  textTable(
    ['engine', 'version', 'endpoint', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'non-2xx', 'unexpected status'],
    rows.map((row) => [
      row.engine,
      row.version,
      row.endpoint,
      row.requests === 0 ? '-' : row.reqPerSec.toLocaleString('en'),
      String(row.p50Ms ?? '-'),
      String(row.p99Ms ?? '-'),
      String(row.errors),
      String(row.non2xx),
      String(row.unexpectedStatus),
    ]),
  ),
);
if (rows.some((row) => row.endpoint.includes('If-None-Match'))) {
  console.log('(the If-None-Match row expects 304 Not Modified: its non-2xx count is every answer)');
}
for (const note of notes) console.log(`note: ${note}`);

console.log('\nBudget (DESIGN.md §8):');
for (const check of serverChecks(rows)) {
  const verdict = check.info ? 'INFO' : check.passed === null ? 'SKIP' : check.passed ? 'PASS' : 'FAIL';
  console.log(`  ${verdict}  ${check.name}: ${check.detail}`);
}

await mkdir(dirname(RESULTS_FILE), { recursive: true });
await writeFile(RESULTS_FILE, `${JSON.stringify(rows, null, 2)}\n`);
console.log(`\nwrote ${RESULTS_FILE}`);

const broken = rows.flatMap((row) => {
  const problem = rowProblem(row);
  return problem === undefined ? [] : [`${row.engine} ${row.endpoint} (${problem})`];
});
if (failed.length > 0 || broken.length > 0) {
  console.error(`\nFAILED: ${[...failed.map((e) => `${e} (did not run)`), ...broken].join(', ')}`);
  process.exitCode = 1;
}
