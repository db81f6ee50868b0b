/**
 * `npm run bench:eval`: local evaluation of one string flag (1 rule + a 3-way split) in ns per
 * evaluation, for Switchboard, a hand-written baseline and the peers, each engine in its own
 * process, one after the other. Prints the table, writes `results/eval.json`, and exits non-zero
 * when an engine serves a wrong distribution (a missed budget is printed, not fatal).
 *
 *   npm run bench:eval -- --engines switchboard,baseline   run a subset
 *   npm run bench:eval -- --users 100000                   fewer users, for a quick look
 *   npm run bench:eval -- --rounds 5                       more rounds on a noisy machine
 */
import { fork } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ENGINE_NAMES, type EngineName, isEngineName } from './engine-registry.js';
import type { EngineReport } from './engine-report.js';
import { SPLIT, VARIANTS } from './flag.js';
import { MEASURED_RUNS, WARMUP_RUNS } from './measure.js';
import {
  distributionProblems,
  fmt,
  median,
  roundedRow,
  servedShare,
  splitShare,
  targetChecks,
  toRows,
} from './summary.js';
import { textTable } from './text-table.js';
import { USER_COUNT } from './users.js';

const BENCH_DIRECTORY = fileURLToPath(new URL('..', import.meta.url));
const WORKER = fileURLToPath(new URL('./engine-worker.ts', import.meta.url));
const RESULTS_FILE = fileURLToPath(new URL('../results/eval.json', import.meta.url));

/** Rounds of the whole engine sequence: timings on shared machines drift by up to 2x between runs. */
const DEFAULT_ROUNDS = 3;

function parseOptions(): { engines: EngineName[]; users: number; rounds: number } {
  const { values } = parseArgs({
    options: { engines: { type: 'string' }, users: { type: 'string' }, rounds: { type: 'string' } },
  });
  const engines = values.engines ? values.engines.split(',').map((name) => name.trim()) : [...ENGINE_NAMES];
  const unknown = engines.filter((name) => !isEngineName(name));
  if (unknown.length > 0)
    throw new Error(`unknown engine(s) ${unknown.join(', ')}; known: ${ENGINE_NAMES.join(', ')}`);
  const users = values.users ? Number(values.users) : USER_COUNT;
  if (!Number.isInteger(users) || users < 1000) throw new Error('--users must be an integer ≥ 1000');
  const rounds = values.rounds ? Number(values.rounds) : DEFAULT_ROUNDS;
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds must be a positive integer');
  return { engines: ENGINE_NAMES.filter((name) => engines.includes(name)), users, rounds };
}

function runEngine(name: EngineName, users: number): Promise<EngineReport> {
  return new Promise((resolve, reject) => {
    const child = fork(WORKER, [name, String(users)], {
      cwd: BENCH_DIRECTORY,
      execArgv: ['--conditions=switchboard-source', '--import', 'tsx', '--expose-gc'],
      // What a production server runs with; some peers skip debug work under it.
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let report: EngineReport | undefined;
    child.on('message', (message) => {
      report = message as EngineReport;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (report) resolve(report);
      else reject(new Error(`engine ${name} exited (${signal ?? code}) without a report`));
    });
  });
}

function percent(share: number): string {
  return `${(share * 100).toFixed(2)}%`;
}

const options = parseOptions();
console.log(
  `Local evaluation of 'llm-model' (1 rule + ${SPLIT.length}-way split): ${options.users.toLocaleString('en')} users, ` +
    `${options.rounds} rounds of every engine (order rotated), each the median of ${MEASURED_RUNS} runs after ` +
    `${WARMUP_RUNS} warm-up runs, one process per engine; the figure is the median of the rounds. Node ${process.version}\n`,
);

const roundsByEngine = new Map<EngineName, EngineReport[]>();
const failedEngines = new Set<string>();
for (let round = 0; round < options.rounds; round++) {
  // Rotating the order spreads any drift of the machine over all engines.
  const order = options.engines.map(
    (_, i) => options.engines[(i + round) % options.engines.length] as EngineName,
  );
  for (const name of order) {
    if (failedEngines.has(name)) continue;
    process.stderr.write(`round ${round + 1}/${options.rounds}: ${name}...\n`);
    try {
      const report = await runEngine(name, options.users);
      roundsByEngine.set(name, [...(roundsByEngine.get(name) ?? []), report]);
    } catch (error) {
      failedEngines.add(name);
      console.error(`${name} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
const reports: EngineReport[] = options.engines
  .filter((name) => !failedEngines.has(name) && roundsByEngine.has(name))
  .map((name) => mergeRounds(roundsByEngine.get(name) as EngineReport[]));

/** One report for all rounds of an engine: every run kept (and checked), each round's median beside. */
function mergeRounds(rounds: EngineReport[]): EngineReport {
  const first = rounds[0] as EngineReport;
  return {
    ...first,
    runsNs: rounds.flatMap((r) => r.runsNs),
    runChecksums: rounds.flatMap((r) => r.runChecksums),
    roundMediansNs: rounds.map((r) => median(r.runsNs)),
  };
}

const rows = toRows(reports);
console.log(
  textTable(
    ['engine', 'version', 'ns/eval median', 'min', 'max', '× switchboard', 'timed call'],
    rows.map((row, index) => [
      row.engine,
      row.version,
      fmt(row.nsPerEval),
      fmt(row.minNs),
      fmt(row.maxNs),
      row.ratioToSwitchboard === null ? '-' : row.ratioToSwitchboard.toFixed(2),
      reports[index]?.call ?? '',
    ]),
  ),
);

console.log('\nWhat each engine served (the split columns count only users the rule does not match):');
const problemsByEngine = reports.map((report) => ({
  engine: report.engine,
  problems: distributionProblems(report),
}));
console.log(
  textTable(
    [
      'engine',
      ...VARIANTS.map((variant) => `all: ${variant}`),
      'rule users → claude-sonnet',
      ...SPLIT.map(({ variant, percent: weight }) => `split: ${variant} (${weight}%)`),
      'distribution',
    ],
    reports.map((report, index) => [
      report.engine,
      ...VARIANTS.map((variant) => percent(servedShare(report, variant))),
      `${report.distribution.ruleUsersServedRule}/${report.distribution.ruleUsers}`,
      ...SPLIT.map(({ variant }) => percent(splitShare(report, variant))),
      problemsByEngine[index]?.problems.length === 0 ? 'ok' : 'WRONG',
    ]),
  ),
);
for (const { engine, problems } of problemsByEngine) {
  for (const problem of problems) console.log(`  ${engine}: ${problem}`);
}

console.log('\nBudgets (DESIGN.md §8):');
for (const check of targetChecks(rows)) {
  const verdict = check.passed === null ? 'SKIP' : check.passed ? 'PASS' : 'FAIL';
  console.log(`  ${verdict}  ${check.name}: ${check.detail}`);
}

await mkdir(dirname(RESULTS_FILE), { recursive: true });
await writeFile(RESULTS_FILE, `${JSON.stringify(rows.map(roundedRow), null, 2)}\n`);
console.log(`\nwrote ${RESULTS_FILE}`);

const wrong = problemsByEngine.filter(({ problems }) => problems.length > 0).map(({ engine }) => engine);
if (wrong.length > 0 || failedEngines.size > 0) {
  console.error(
    `\nFAILED: ${[...wrong.map((e) => `${e} (distribution)`), ...[...failedEngines].map((e) => `${e} (did not run)`)].join(', ')}`,
  );
  process.exitCode = 1;
}
