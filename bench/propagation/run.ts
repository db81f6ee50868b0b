/**
 * `npm run bench:propagation`: the kill switch → every SDK (DESIGN.md §8). N real SDK clients
 * (`createClient`, each with its own SSE stream) in helper processes on the load core, connected to
 * one server on the server core, then to two replicas (one PostgreSQL database made for the run, one
 * Redis) with half the clients on each. The kill switch is toggled through the admin API, alternately
 * disable and enable; each client's latency is from just before the HTTP call to its `change` event,
 * on a clock shared by the processes (shared-clock.ts). Prints p50/p99/max per configuration beside
 * the peers' polling intervals, checks the budgets, writes `results/propagation.json`, and exits
 * non-zero when a client missed a toggle or a configuration did not run.
 *
 *   npm run bench:propagation -- -- --replicas 1          one server only (no PostgreSQL or Redis)
 *   npm run bench:propagation -- -- --clients 100,1000    several client counts
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { textTable } from '../eval/text-table.js';
import { jsonRequest } from '../server/bench-target.js';
import { buildWorkspaces } from '../server/built-workspaces.js';
import { LOAD_CORE, requireTaskset, SERVER_CORE } from '../server/pinned-process.js';
import { type SwitchboardProcess, startSwitchboardProcess } from '../server/switchboard-process.js';
import { createBenchDatabase } from './bench-database.js';
import { measurePropagation, type PropagationResult } from './measure-propagation.js';
import { budgetOf, measuredRow, PEERS, type PropagationRow, percentile } from './propagation-summary.js';
import { BENCH_REDIS_URL, fanoutPending } from './redis-fanout.js';

const RESULTS_FILE = fileURLToPath(new URL('../results/propagation.json', import.meta.url));
const FLAG_KEY = 'ai-agent';
const ENVIRONMENT = 'production';
const DATABASE = 'switchboard_propagation_bench';

function parseOptions() {
  const { values } = parseArgs({
    options: {
      clients: { type: 'string', default: '1000' },
      replicas: { type: 'string', default: '1,2' },
      helpers: { type: 'string', default: '4' },
      'client-cores': { type: 'string', default: String(LOAD_CORE) },
      toggles: { type: 'string', default: '20' },
      // The helpers start cold: V8 optimizes their code after a few thousand events per process, and
      // until then each SDK takes 2–4× the CPU. Those toggles are reported apart (cold), not budgeted.
      warmup: { type: 'string', default: '20' },
      'miss-after': { type: 'string', default: '5000' },
      pause: { type: 'string', default: '250' },
    },
  });
  const positive = (name: string, text: string, min = 1) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer ≥ ${min}`);
    return value;
  };
  const list = (name: string, text: string) => text.split(',').map((item) => positive(name, item.trim()));
  const replicas = list('replicas', values.replicas);
  if (replicas.some((r) => r > 2)) throw new Error('--replicas: 1 and/or 2');
  const clientCores = values['client-cores'];
  if (!/^\d+(,\d+)*$/.test(clientCores)) throw new Error('--client-cores: a list of cores, like 1 or 0,1');
  return {
    clientCores,
    clients: list('clients', values.clients),
    replicas,
    helpers: positive('helpers', values.helpers),
    toggles: positive('toggles', values.toggles),
    warmup: positive('warmup', values.warmup, 0),
    missAfterMs: positive('miss-after', values['miss-after']),
    pauseMs: positive('pause', values.pause, 0),
  };
}

const options = parseOptions();
requireTaskset();
await buildWorkspaces();
if (availableParallelism() < 2) throw new Error('needs 2 cores: servers on core 0, SDK clients on core 1');
const log = (line: string) => process.stderr.write(`${line}\n`);

/** A server key and the kill switch flag, on, created through the admin API. */
async function prepare(url: string, admin: Record<string, string>): Promise<string> {
  const { key } = await jsonRequest<{ key: string }>('POST', `${url}/api/v1/keys`, admin, {
    name: 'propagation bench',
    kind: 'server',
    environment: ENVIRONMENT,
  });
  await jsonRequest('POST', `${url}/api/v1/flags`, admin, {
    key: FLAG_KEY,
    kind: 'boolean',
    variants: [
      { key: 'on', value: true },
      { key: 'off', value: false },
    ],
  });
  await jsonRequest('POST', `${url}/api/v1/flags/${FLAG_KEY}/environments/${ENVIRONMENT}/enable`, admin, {
    version: 0,
  });
  return key;
}

/** Starts the servers of one configuration; the first creates the admin key. */
async function startServers(
  replicas: number,
): Promise<{ servers: SwitchboardProcess[]; cleanup: () => Promise<void> }> {
  const servers: SwitchboardProcess[] = [];
  let drop: (() => Promise<void>) | undefined;
  const cleanup = async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await drop?.();
  };
  try {
    if (replicas === 1) {
      servers.push(await startSwitchboardProcess(SERVER_CORE));
    } else {
      const database = await createBenchDatabase(DATABASE);
      drop = database.drop;
      // A channel of its own: other runs may share this Redis (a server without the setting ignores it).
      const env = {
        DATABASE_URL: database.url,
        REDIS_URL: BENCH_REDIS_URL,
        SWITCHBOARD_REDIS_CHANNEL: `switchboard:bench-propagation:${process.pid}`,
      };
      // One after the other: the first migrates the new database and creates the admin key.
      for (let i = 0; i < replicas; i++) servers.push(await startSwitchboardProcess(SERVER_CORE, env));
    }
    return { servers, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

async function runConfiguration(
  clients: number,
  replicas: number,
): Promise<{ row: PropagationRow; result?: PropagationResult }> {
  if (replicas > 1) {
    const pending = await fanoutPending();
    if (pending !== undefined) {
      log(`${clients} clients, ${replicas} replicas: pending (${pending})`);
      const row: PropagationRow = {
        clients,
        replicas,
        p50Ms: null,
        p99Ms: null,
        maxMs: null,
        toggles: 0,
        missed: 0,
        status: 'pending',
        note: pending,
      };
      return { row };
    }
  }
  log(`${clients} clients, ${replicas} replica(s): starting...`);
  const { servers, cleanup } = await startServers(replicas);
  try {
    const admin = servers[0]?.admin;
    if (admin === undefined) throw new Error('the first server created no admin key');
    const urls = servers.map((server) => server.url);
    const sdkKey = await prepare(urls[0] as string, admin);
    const result = await measurePropagation({
      urls,
      admin,
      sdkKey,
      flagKey: FLAG_KEY,
      environment: ENVIRONMENT,
      clients,
      helpers: Math.min(options.helpers, clients),
      clientCores: options.clientCores,
      toggles: options.toggles,
      warmup: options.warmup,
      missAfterMs: options.missAfterMs,
      pauseMs: options.pauseMs,
      log,
    });
    return { row: measuredRow(clients, replicas, options.toggles, options.warmup, result), result };
  } finally {
    await cleanup();
  }
}

console.log(
  `Kill switch propagation: SDK clients (createClient, one SSE stream each) in ${options.helpers} helper processes on core(s) ${options.clientCores}, ` +
    `servers on core 0; ${options.toggles} toggles (disable/enable alternately, after ${options.warmup} cold ones reported apart) through the ` +
    `admin API of the first server; latency from just before the HTTP call to each client's change event. Node ${process.version}\n`,
);

const rows: PropagationRow[] = [];
const details: string[] = [];
for (const replicas of options.replicas) {
  for (const clients of options.clients) {
    try {
      const { row, result } = await runConfiguration(clients, replicas);
      rows.push(row);
      if (result !== undefined) {
        const perReplica = result.byReplica
          .map(
            (latencies, i) =>
              `replica ${i + 1}: p50 ${percentile(latencies, 0.5).toFixed(1)} / p99 ${percentile(latencies, 0.99).toFixed(1)} ms`,
          )
          .join('; ');
        details.push(
          `${clients} clients, ${replicas} replica(s): admin call (commit included) p50 ${percentile(result.apiMs, 0.5).toFixed(1)} ms; ` +
            `first client p50 ${percentile(result.firstMs, 0.5).toFixed(1)} ms; ` +
            `CPU of all SDKs per toggle p50 ${percentile(result.clientCpuMs, 0.5).toFixed(1)} ms ` +
            `(${((percentile(result.clientCpuMs, 0.5) * 1000) / clients).toFixed(0)} µs per SDK; ` +
            `${result.coldClientCpuMs.length === 0 ? 'no cold toggles' : `cold ${((percentile(result.coldClientCpuMs, 0.5) * 1000) / clients).toFixed(0)} µs`}); ` +
            `${replicas > 1 ? `${perReplica}; ` : ''}stream drops ${result.streamDrops}; clock offset ≤ ` +
            `${(Math.abs(result.clock.offsetMs) + result.clock.uncertaintyMs).toFixed(3)} ms` +
            (result.warmupMissed > 0 ? `; ${result.warmupMissed} missed during warm-up` : '') +
            (result.clientsMissing > 0 ? `; ${result.clientsMissing} clients missed a toggle` : ''),
        );
      }
    } catch (error) {
      const note = error instanceof Error ? error.message : String(error);
      log(`${clients} clients, ${replicas} replica(s) did not run: ${note}`);
      rows.push({
        clients,
        replicas,
        p50Ms: null,
        p99Ms: null,
        maxMs: null,
        toggles: 0,
        missed: 0,
        status: 'did not run',
        note,
      });
    }
  }
}

const ms = (value: number | null) => (value === null ? '-' : value.toFixed(1));
const verdict = (row: PropagationRow) => {
  if (row.status !== 'measured') return row.status.toUpperCase();
  return row.missed === 0 && row.p99Ms !== null && row.p99Ms <= budgetOf(row.replicas) ? 'PASS' : 'FAIL';
};
console.log(
  textTable(
    ['what', 'clients', 'replicas', 'p50 ms', 'p99 ms', 'max ms', 'missed', 'p99 budget', 'verdict'],
    [
      ...rows.flatMap((row) => [
        [
          'switchboard (SSE stream)',
          row.clients.toLocaleString('en'),
          String(row.replicas),
          ms(row.p50Ms),
          ms(row.p99Ms),
          ms(row.maxMs),
          row.status === 'measured' ? String(row.missed) : '-',
          `≤ ${budgetOf(row.replicas)} ms`,
          verdict(row),
        ],
        ...(row.coldP99Ms === undefined || row.coldP99Ms === null
          ? []
          : [
              [
                `  same, first ${row.warmupToggles} toggles (cold)`,
                row.clients.toLocaleString('en'),
                String(row.replicas),
                ms(row.coldP50Ms ?? null),
                ms(row.coldP99Ms),
                ms(row.coldMaxMs ?? null),
                '-',
                '-',
                'reported',
              ],
            ]),
      ]),
      ...PEERS.map((peer) => [
        peer.name,
        '-',
        '-',
        ms(peer.intervalMs * 0.5),
        ms(peer.intervalMs * 0.99),
        ms(peer.intervalMs),
        '-',
        '-',
        'derived',
      ]),
    ],
  ),
);
for (const detail of details) console.log(`  ${detail}`);
for (const row of rows.filter((r) => r.note !== undefined))
  console.log(`  ${row.replicas} replica(s): ${row.status}: ${row.note}`);
if (rows.some((row) => row.coldP99Ms !== undefined && row.coldP99Ms !== null))
  console.log(
    '  cold: the toggles right after the helpers connected, while V8 still interprets their code. Each helper\n' +
      '    hosts hundreds of SDKs on the one client core, so their cold CPU adds up in a queue that the last SDK\n' +
      '    waits through; a real SDK is alone in its process and pays its cold cost (the µs per SDK above) on its\n' +
      '    own CPU. The budget is checked on the toggles after them; both are in results/propagation.json.',
  );
console.log(
  '  peers (derived, not measured): a poller sees a change at its next poll, uniform within the interval;',
);
for (const peer of PEERS) console.log(`    ${peer.name}: ${peer.source}`);

console.log('\nBudget (DESIGN.md §8):');
for (const row of rows) {
  const name = `kill switch → ${row.clients.toLocaleString('en')} SDKs, ${row.replicas === 1 ? 'one server' : `${row.replicas} replicas`}: p99 ≤ ${budgetOf(row.replicas)} ms, none missed`;
  const detail =
    row.status === 'measured' ? `p99 ${ms(row.p99Ms)} ms, ${row.missed} missed` : (row.note ?? '');
  console.log(`  ${verdict(row)}  ${name}: ${detail}`);
}

await mkdir(dirname(RESULTS_FILE), { recursive: true });
await writeFile(RESULTS_FILE, `${JSON.stringify(rows, null, 2)}\n`);
console.log(`\nwrote ${RESULTS_FILE}`);

const broken = rows.filter((row) => row.status === 'did not run' || row.missed > 0);
if (broken.length > 0) {
  console.error(
    `\nFAILED: ${broken.map((r) => `${r.clients} clients × ${r.replicas} replica(s) (${r.status === 'measured' ? `${r.missed} missed` : r.status})`).join(', ')}`,
  );
  process.exitCode = 1;
}
