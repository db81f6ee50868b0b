/**
 * `npm run bench:events`: event ingestion into the embedded store (DESIGN.md §8: ≥ 100,000 events/s,
 * none lost).
 *
 * (a) Over HTTP: the built `switchboard start` alone on core 0 with a fresh data directory; the bench
 *     flag (three variants) and a server key made through its API; then a sender process on core 1
 *     posts batches (`--batch`, 500 events) to `POST /api/v1/events` from `--senders` concurrent loops
 *     for `--duration` seconds. The server is stopped and its store opened: the rollups must count
 *     every accepted event once, and the raw batches must hold them all.
 * (b) In process: the built service alone (`services.events.ingest`, no HTTP), on a fresh embedded
 *     store in a process on core 0, called by as many concurrent loops as there were senders, for the
 *     same time; its rollups read back through `rollupsFor`.
 *
 * (c) Results: on a fresh embedded store in a process on core 0, `--results-events` (10 M) events
 *     ingested through the service over a week of hours, then `GET /api/v1/flags/{key}/results` timed
 *     end to end (budget ≤ 50 ms).
 *
 * All run the built packages (`dist/`, brought up to date first), as users run them.
 *
 * Prints a table and writes `results/events.json`; exits non-zero when an event is lost.
 *
 *   npm run bench:events -- -- --duration 3      shorter runs, for a quick look
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openDatabase } from '../../apps/server/src/db/database.js';
import { FLAG_KEY, VARIANTS } from '../eval/flag.js';
import { SWITCHBOARD_VARIANTS } from '../eval/switchboard-flag.js';
import { textTable } from '../eval/text-table.js';
import { jsonRequest } from '../server/bench-target.js';
import { buildWorkspaces } from '../server/built-workspaces.js';
import { LOAD_CORE, requireTaskset, SERVER_CORE, spawnPinned } from '../server/pinned-process.js';
import { startSwitchboardProcess } from '../server/switchboard-process.js';
import type { DirectJob, DirectReport } from './direct-ingest.js';
import { countedEvents } from './event-batches.js';
import type { SenderJob, SenderReport } from './http-sender.js';
import type { ResultsJob, ResultsReport } from './results-time.js';

const BENCH_DIRECTORY = fileURLToPath(new URL('..', import.meta.url));
const SENDER = fileURLToPath(new URL('./http-sender.ts', import.meta.url));
const DIRECT = fileURLToPath(new URL('./direct-ingest.ts', import.meta.url));
const RESULTS = fileURLToPath(new URL('./results-time.ts', import.meta.url));
const RESULTS_FILE = fileURLToPath(new URL('../results/events.json', import.meta.url));
const ENVIRONMENT = 'production';
const BUDGET_EVENTS_PER_SEC = 100_000;
/** USER_HZ: what /proc counts CPU time in, 100 on every Linux this runs on. */
const CLOCK_TICKS_PER_SECOND = 100;
/** Time a child gets beyond its run to start, report and stop. */
const CHILD_SLACK_MS = 120_000;

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    senders: { type: 'string', default: '16' },
    batch: { type: 'string', default: '500' },
    'results-events': { type: 'string', default: '10000000' },
  },
});
const positive = (name: string, text: string) => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
};
const durationMs = positive('duration', values.duration) * 1000;
const senders = positive('senders', values.senders);
const batchSize = positive('batch', values.batch);
const resultsEvents = positive('results-events', values['results-events']);
const BUDGET_RESULTS_MS = 50;
/** A week of hourly rollups, as a rollout's experiment runs. */
const RESULTS_HOURS = 168;
const RESULTS_REPEATS = 20;
requireTaskset();
if (availableParallelism() < 2) throw new Error('needs 2 cores: the server on core 0, the senders on core 1');
const log = (line: string) => process.stderr.write(`${line}\n`);
const variants = [...VARIANTS];
log('building the workspaces...');
await buildWorkspaces();
const loadBefore = loadavg()[0] ?? 0;

/** Runs a bench script in a pinned process and returns the JSON line it prints. */
async function runChild<T>(
  core: number,
  script: string,
  job: object,
  timeoutMs = durationMs + CHILD_SLACK_MS,
): Promise<T> {
  // Without the switchboard-source condition: the workspaces resolve to their built dist/.
  const child = spawnPinned(
    core,
    ['--import', 'tsx', script, JSON.stringify(job)],
    { ...process.env, NODE_ENV: 'production' },
    BENCH_DIRECTORY,
  );
  try {
    const [line] = await child.waitFor(/^\{.*\}$/m, timeoutMs);
    return JSON.parse(line) as T;
  } finally {
    await child.stop();
  }
}

/** CPU time (user + system) a process has used so far, from /proc (Linux, as taskset is). */
async function cpuMsOf(pid: number | undefined): Promise<number> {
  if (pid === undefined) return Number.NaN;
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces, inside parentheses): utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** Rollup counts by metric and the events the raw batches hold, read from a stopped server's store. */
async function countStored(dataDir: string): Promise<{ rolledUp: number; raw: number }> {
  const database = await openDatabase({ dataDir });
  try {
    const rows = await database.db
      .selectFrom('event_rollups')
      .select((eb) => ['metric', eb.fn.sum<number>('count').as('n')])
      .groupBy('metric')
      .execute();
    const raw = await database.db
      .selectFrom('event_batches')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('event_count'), eb.lit(0)).as('n'))
      .executeTakeFirstOrThrow();
    return {
      rolledUp: countedEvents(new Map(rows.map((r) => [r.metric, Number(r.n)]))),
      raw: Number(raw.n),
    };
  } finally {
    await database.close();
  }
}

log(
  `(a) HTTP: server on core ${SERVER_CORE}, ${senders} senders on core ${LOAD_CORE}, batches of ${batchSize}...`,
);
const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-bench-events-'));
let http: SenderReport;
let stored: { rolledUp: number; raw: number };
let serverCpuMs = Number.NaN;
try {
  // A data directory of the bench's own, so that the store can be read once the server has stopped.
  const server = await startSwitchboardProcess(SERVER_CORE, { SWITCHBOARD_DATA_DIR: dataDir });
  try {
    const adminKey = (await readFile(join(dataDir, 'admin-key'), 'utf8')).trim();
    const admin = { authorization: `Bearer ${adminKey}` };
    await jsonRequest('POST', `${server.url}/api/v1/flags`, admin, {
      key: FLAG_KEY,
      kind: 'string',
      variants: SWITCHBOARD_VARIANTS,
    });
    const { key: serverKey } = await jsonRequest<{ key: string }>(
      'POST',
      `${server.url}/api/v1/keys`,
      admin,
      {
        name: 'events bench',
        kind: 'server',
        environment: ENVIRONMENT,
      },
    );
    const job: SenderJob = {
      url: server.url,
      serverKey,
      flag: FLAG_KEY,
      variants,
      batchSize,
      senders,
      durationMs,
    };
    const pid = server.process.child.pid;
    const cpuBefore = await cpuMsOf(pid);
    http = await runChild<SenderReport>(LOAD_CORE, SENDER, job);
    serverCpuMs = (await cpuMsOf(pid)) - cpuBefore;
  } finally {
    await server.stop();
  }
  stored = await countStored(dataDir);
} finally {
  await rm(dataDir, { recursive: true, force: true });
}

log(`(b) in process: the service alone on core ${SERVER_CORE}...`);
const directJob: DirectJob = { flag: FLAG_KEY, variants, batchSize, callers: senders, durationMs };
const direct = await runChild<DirectReport>(SERVER_CORE, DIRECT, directJob);

log(
  `(c) results over ${resultsEvents.toLocaleString('en')} events (ingested first, in process, over ${RESULTS_HOURS} hours)...`,
);
const resultsJob: ResultsJob = {
  flag: FLAG_KEY,
  variants,
  events: resultsEvents,
  batchSize,
  hours: RESULTS_HOURS,
  repeats: RESULTS_REPEATS,
};
// Ingesting 10 M events takes about a minute at the measured rate; allow for a busy machine.
const results = await runChild<ResultsReport>(SERVER_CORE, RESULTS, resultsJob, 20 * 60_000);

const eventsPerSec = Math.round(http.accepted / (http.elapsedMs / 1000));
const eventsPerSecDirect = Math.round(direct.accepted / (direct.elapsedMs / 1000));
const lostHttp = http.accepted - stored.rolledUp;
const lostRaw = http.accepted - stored.raw;
const lostDirect = direct.accepted - direct.rolledUp;
const lost = Math.abs(lostHttp) + Math.abs(lostRaw) + Math.abs(lostDirect);

console.log(
  `Event ingestion into the embedded store (SQLite), one flag with ${variants.length} variants, batches of ${batchSize} ` +
    `(per 20 events: 8 exposures, 8 generations, 3 feedback, 1 custom metric; ${(100_000).toLocaleString('en')} units). ` +
    `Node ${process.version}\n`,
);
console.log(
  textTable(
    ['path', 'events/s', 'events accepted', 'rejected', 'rolled up', 'raw kept', 'failed posts'],
    [
      [
        `HTTP, ${senders} senders`,
        eventsPerSec.toLocaleString('en'),
        http.accepted.toLocaleString('en'),
        String(http.rejected),
        stored.rolledUp.toLocaleString('en'),
        stored.raw.toLocaleString('en'),
        String(http.failedPosts),
      ],
      [
        `service, in process, ${senders} callers`,
        eventsPerSecDirect.toLocaleString('en'),
        direct.accepted.toLocaleString('en'),
        String(direct.rejected),
        direct.rolledUp.toLocaleString('en'),
        '-',
        '-',
      ],
    ],
  ),
);
if (http.firstFailure !== undefined) console.log(`first failed post: ${http.firstFailure}`);
console.log(
  `\nResults (GET /api/v1/flags/${FLAG_KEY}/results, in process, end to end) over ${results.events.toLocaleString('en')} events ` +
    `in ${RESULTS_HOURS} hourly rollups (${results.rollupRows.toLocaleString('en')} rollup rows; ingested in ${Math.round(results.ingestMs / 1000)} s): ` +
    `median ${results.resultsMs.toFixed(1)} ms, min ${results.resultsMinMs.toFixed(1)}, max ${results.resultsMaxMs.toFixed(1)} over ${RESULTS_REPEATS} calls; ` +
    `requests reported: ${results.requests.toLocaleString('en')}`,
);
const eventsPerServerCpuSec = Math.round(http.accepted / (serverCpuMs / 1000));
console.log(
  `over HTTP the server used ${Math.round(serverCpuMs).toLocaleString('en')} ms of CPU in ${Math.round(http.elapsedMs).toLocaleString('en')} ms ` +
    `(${eventsPerServerCpuSec.toLocaleString('en')} events per CPU-second), the senders ${Math.round(http.cpuMs).toLocaleString('en')} ms; ` +
    `load average before the run: ${loadBefore.toFixed(2)}. A server below a full core was waiting: on the senders or on a ` +
    'busy neighbour (rerun when the load average is above 1).',
);
console.log('\nBudget (DESIGN.md §8):');
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
console.log(
  `  ${verdict(eventsPerSec >= BUDGET_EVENTS_PER_SEC)}  ingestion over HTTP ≥ ${BUDGET_EVENTS_PER_SEC.toLocaleString('en')} events/s: ${eventsPerSec.toLocaleString('en')}`,
);
console.log(`  ${verdict(lost === 0)}  none lost: counted in = counted out (rollups and raw): ${lost} lost`);
console.log(
  `  ${verdict(results.resultsMs <= BUDGET_RESULTS_MS)}  results over ${results.events.toLocaleString('en')} events ≤ ${BUDGET_RESULTS_MS} ms: ${results.resultsMs.toFixed(1)} ms`,
);

const row = {
  eventsPerSec,
  eventsPerSecDirect,
  events: http.accepted,
  lost,
  eventsPerServerCpuSec,
  resultsMs: Math.round(results.resultsMs * 10) / 10,
  resultsEvents: results.events,
  batchSize,
  senders,
};
await mkdir(dirname(RESULTS_FILE), { recursive: true });
await writeFile(RESULTS_FILE, `${JSON.stringify([row], null, 2)}\n`);
console.log(`\nwrote ${RESULTS_FILE}`);
if (results.requests === 0) process.exitCode = 1;
if (lost !== 0 || http.failedPosts > 0 || http.rejected > 0 || direct.rejected > 0) process.exitCode = 1;
