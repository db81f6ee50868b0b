/**
 * `npm run bench:sdk-memory`: what one SDK client costs with a large snapshot. A server (from source, on
 * the server core, embedded store) gets 1,000 flags through its API, each with a rule and a split (the
 * flag of bench:eval: `tier == enterprise and region in [eu, us]` serves claude-sonnet, the rest is
 * split 90/5/5); a fresh process on the load core (memory-probe.ts, `--expose-gc`) connects one client
 * and reports heap and RSS after garbage collection, before and after the snapshot is loaded, and the
 * time per evaluation. Prints a table and writes `results/sdk-memory.json`.
 *
 *   npm run bench:sdk-memory -- -- --flags 200      fewer flags, for a quick look
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SWITCHBOARD_TARGETING, SWITCHBOARD_VARIANTS } from '../eval/switchboard-flag.js';
import { textTable } from '../eval/text-table.js';
import { jsonRequest } from '../server/bench-target.js';
import { buildWorkspaces } from '../server/built-workspaces.js';
import { LOAD_CORE, requireTaskset, SERVER_CORE, spawnPinned } from '../server/pinned-process.js';
import { startSwitchboardProcess } from '../server/switchboard-process.js';
import type { ProbeJob, ProbeReport } from './memory-probe.js';

const BENCH_DIRECTORY = fileURLToPath(new URL('..', import.meta.url));
const PROBE = fileURLToPath(new URL('./memory-probe.ts', import.meta.url));
const RESULTS_FILE = fileURLToPath(new URL('../results/sdk-memory.json', import.meta.url));
const ENVIRONMENT = 'production';
/** Flags created at once: the API is the bottleneck either way. */
const CONCURRENCY = 8;
const PROBE_TIMEOUT_MS = 300_000;

const { values } = parseArgs({
  options: {
    flags: { type: 'string', default: '1000' },
    evaluations: { type: 'string', default: '1000000' },
  },
});
const flagCount = Number(values.flags);
const evaluations = Number(values.evaluations);
if (!Number.isInteger(flagCount) || flagCount < 1) throw new Error('--flags must be a positive integer');
if (!Number.isInteger(evaluations) || evaluations < 1)
  throw new Error('--evaluations must be a positive integer');
requireTaskset();
await buildWorkspaces();

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const log = (line: string) => process.stderr.write(`${line}\n`);

const server = await startSwitchboardProcess(SERVER_CORE);
try {
  const { url, admin } = server;
  if (admin === undefined) throw new Error('the server created no admin key');
  const flagKeys = Array.from({ length: flagCount }, (_, i) => `llm-model-${String(i).padStart(4, '0')}`);
  log(`creating ${flagCount} flags...`);
  let next = 0;
  const createFlags = async () => {
    for (let i = next++; i < flagKeys.length; i = next++) {
      const key = flagKeys[i] as string;
      await jsonRequest('POST', `${url}/api/v1/flags`, admin, {
        key,
        kind: 'string',
        variants: SWITCHBOARD_VARIANTS,
      });
      await jsonRequest('PATCH', `${url}/api/v1/flags/${key}/environments/${ENVIRONMENT}`, admin, {
        version: 0,
        enabled: true,
        ...SWITCHBOARD_TARGETING,
      });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, createFlags));
  const { key: sdkKey } = await jsonRequest<{ key: string }>('POST', `${url}/api/v1/keys`, admin, {
    name: 'sdk memory bench',
    kind: 'server',
    environment: ENVIRONMENT,
  });
  const snapshotBytes = (
    await (
      await fetch(`${url}/api/v1/sdk/snapshot`, { headers: { authorization: `Bearer ${sdkKey}` } })
    ).arrayBuffer()
  ).byteLength;

  log('measuring in a fresh process...');
  const job: ProbeJob = { url, sdkKey, flagKeys, evaluations };
  const probe = spawnPinned(
    LOAD_CORE,
    ['--expose-gc', '--conditions=switchboard-source', '--import', 'tsx', PROBE, JSON.stringify(job)],
    { ...process.env, NODE_ENV: 'production' },
    BENCH_DIRECTORY,
  );
  const [line] = await probe.waitFor(/^\{"before".*\}$/m, PROBE_TIMEOUT_MS);
  await probe.stop();
  const report = JSON.parse(line) as ProbeReport;
  if (report.flags !== flagCount) throw new Error(`the client holds ${report.flags} flags, not ${flagCount}`);

  const loadedHeap = report.loaded.heapUsed - report.before.heapUsed;
  const loadedRss = report.loaded.rss - report.before.rss;
  const afterHeap = report.afterEvaluations.heapUsed - report.before.heapUsed;
  const afterRss = report.afterEvaluations.rss - report.before.rss;
  console.log(
    `One SDK client (createClient, streaming) holding ${flagCount.toLocaleString('en')} flags, each with a rule and a 3-way split; ` +
      `snapshot ${(snapshotBytes / 1024).toFixed(0)} KiB of JSON. Heap and RSS after gc, relative to the same process before ` +
      `createClient (SDK modules already loaded). Node ${process.version}\n`,
  );
  console.log(
    textTable(
      ['state', 'heapUsed Δ MiB', 'RSS Δ MiB', 'per flag (heap)'],
      [
        [
          'snapshot loaded, stream open',
          mib(loadedHeap),
          mib(loadedRss),
          `${(loadedHeap / flagCount / 1024).toFixed(1)} KiB`,
        ],
        ['after the evaluations (caches full)', mib(afterHeap), mib(afterRss), '-'],
      ],
    ),
  );
  console.log(
    `\n  ns per call, median of ${evaluations.toLocaleString('en')}-call runs, flags rotating:\n` +
      `    client.evaluate, exposure already sent (cache hit)   ${report.nsPerEvaluateSeen.toFixed(0)}\n` +
      `    client.evaluate, new exposure every split result      ${report.nsPerEvaluateNew.toFixed(0)}\n` +
      `    client.killSwitch (no exposure)                       ${report.nsPerKillSwitch.toFixed(0)}\n` +
      `    core evaluate(compiled, ...), for reference           ${report.nsPerCoreEvaluate.toFixed(0)}`,
  );
  console.log(
    `  one flag's change (a patch stream event, through the client's handler): ${report.patchUs.toFixed(0)} µs ` +
      `(median of 2,000; only the changed flag is compiled again)\n` +
      `  compiling the whole ${flagCount.toLocaleString('en')}-flag snapshot (a put: on connect and resync): ${report.compileMs.toFixed(2)} ms`,
  );
  console.log(
    `  events after the evaluations: ${JSON.stringify(report.eventStats)} (millions of new exposures a second ` +
      'fill the buffer of 10,000 between flushes: the rest is dropped and counted, never blocking an evaluation)',
  );
  const row = {
    flags: flagCount,
    snapshotBytes,
    heapUsedDeltaBytes: loadedHeap,
    rssDeltaBytes: loadedRss,
    heapUsedDeltaAfterEvaluationsBytes: afterHeap,
    rssDeltaAfterEvaluationsBytes: afterRss,
    nsPerEvaluateSeen: Math.round(report.nsPerEvaluateSeen),
    nsPerEvaluateNew: Math.round(report.nsPerEvaluateNew),
    nsPerKillSwitch: Math.round(report.nsPerKillSwitch),
    nsPerCoreEvaluate: Math.round(report.nsPerCoreEvaluate),
    compileMs: Math.round(report.compileMs * 100) / 100,
    patchUs: Math.round(report.patchUs),
  };
  await mkdir(dirname(RESULTS_FILE), { recursive: true });
  await writeFile(RESULTS_FILE, `${JSON.stringify([row], null, 2)}\n`);
  console.log(`\nwrote ${RESULTS_FILE}`);
} finally {
  await server.stop();
}
