/**
 * `npm run bench:llm`: what the LLM layer costs (DESIGN.md §8).
 *
 * (a) SDK: the overhead of `tracker.track(call)` over `call()` per generation (budget ≤ 20 µs), in a
 *     process of its own on core 0 (track-overhead.ts).
 * (b) Gateway: the built `switchboard start` on core 0 with `OPENAI_BASE_URL`/`ANTHROPIC_BASE_URL`
 *     pointing at a fake provider on core 1 (fake-upstream.ts); an ai-config flag serving one variant.
 *     The same requests are sent one at a time, alternately, straight to the fake and through the
 *     gateway (`model: "flag:..."`), non-streaming and streaming (bodies read to the end), OpenAI and
 *     Anthropic protocols; added latency = gateway − direct at p50 and p99 (budget: ≤ 1 ms at p50).
 * (c) Shadow mode: the served request's latency through the gateway with shadow off and on, same run,
 *     alternating between twin flags (one without a shadow, one shadowing every request): a shadow
 *     model answering 250 ms late (at most SWITCHBOARD_SHADOW_MAX_CONCURRENCY run, the rest are
 *     skipped), and one as fast as the served model (every request also makes a shadow call, in the
 *     gateway's process).
 *
 * Prints a table, writes `results/llm.json`, exits non-zero when a request failed.
 *
 *   npm run bench:llm -- -- --requests 500     fewer requests, for a quick look
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { textTable } from '../eval/text-table.js';
import { jsonRequest } from '../server/bench-target.js';
import { buildWorkspaces } from '../server/built-workspaces.js';
import { LOAD_CORE, requireTaskset, SERVER_CORE, spawnPinned } from '../server/pinned-process.js';
import { startSwitchboardProcess } from '../server/switchboard-process.js';
import type { TrackReport } from './track-overhead.js';

const BENCH_DIRECTORY = fileURLToPath(new URL('..', import.meta.url));
const RESULTS_FILE = fileURLToPath(new URL('../results/llm.json', import.meta.url));
const FAKE = fileURLToPath(new URL('./fake-upstream.ts', import.meta.url));
const TRACK = fileURLToPath(new URL('./track-overhead.ts', import.meta.url));
const BUDGET_TRACK_US = 20;
const BUDGET_GATEWAY_P50_MS = 1;
const UPSTREAM_KEY = 'sk-bench';
const FLAG = 'bench-llm';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '500' },
  },
});
const requests = Number(values.requests);
const warmup = Number(values.warmup);
if (!Number.isInteger(requests) || requests < 10) throw new Error('--requests must be an integer ≥ 10');
if (!Number.isInteger(warmup) || warmup < 0) throw new Error('--warmup must be an integer ≥ 0');
requireTaskset();
if (availableParallelism() < 2)
  throw new Error('needs 2 cores: the gateway on core 0, the fake upstream on core 1');
const log = (line: string) => process.stderr.write(`${line}\n`);
log('building the workspaces...');
await buildWorkspaces();

/** Runs a bench script pinned to a core (built packages) and returns the first JSON line it prints. */
async function startChild(core: number, script: string, timeoutMs: number) {
  const child = spawnPinned(
    core,
    ['--import', 'tsx', script],
    { ...process.env, NODE_ENV: 'production' },
    BENCH_DIRECTORY,
  );
  const [line] = await child.waitFor(/^\{.*\}$/m, timeoutMs);
  return { child, report: JSON.parse(line) as Record<string, unknown> };
}

log(`(a) SDK tracking overhead on core ${SERVER_CORE}...`);
const tracking = await startChild(SERVER_CORE, TRACK, 600_000);
await tracking.child.stop();
const track = tracking.report as unknown as TrackReport;

log(`(b) gateway on core ${SERVER_CORE}, fake upstream on core ${LOAD_CORE}...`);
const fake = await startChild(LOAD_CORE, FAKE, 60_000);
const fakeUrl = String(fake.report.url);

interface Case {
  name: string;
  direct: { url: string; headers: Record<string, string>; body: object };
  gateway: { url: string; headers: Record<string, string>; body: object };
}

interface CaseResult {
  name: string;
  directP50: number;
  directP99: number;
  gatewayP50: number;
  gatewayP99: number;
  addedP50: number;
  addedP99: number;
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

/** One request, its body read to the end; the time in ms. Throws unless 200. */
async function timed(target: Case['direct']): Promise<number> {
  const t0 = performance.now();
  const response = await fetch(target.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...target.headers },
    body: JSON.stringify(target.body),
  });
  await response.arrayBuffer();
  const elapsed = performance.now() - t0;
  if (response.status !== 200) throw new Error(`${target.url} answered ${response.status}`);
  return elapsed;
}

let results: CaseResult[] = [];

/** Served requests of a flag with a shadow against its twin without, alternately. */
interface ShadowRow {
  name: string;
  offP50: number;
  offP99: number;
  onP50: number;
  onP99: number;
  addedP50: number;
  addedP99: number;
}
let shadowRows: ShadowRow[] = [];
const server = await startSwitchboardProcess(SERVER_CORE, {
  OPENAI_BASE_URL: `${fakeUrl}/v1`,
  OPENAI_API_KEY: UPSTREAM_KEY,
  ANTHROPIC_BASE_URL: fakeUrl,
  ANTHROPIC_API_KEY: UPSTREAM_KEY,
});
try {
  const admin = server.admin as Record<string, string>;
  const variant = (provider: string, model: string) => ({
    provider,
    model,
    messages: [],
    params: {},
    tools: [],
    fallbacks: [],
  });
  await jsonRequest('POST', `${server.url}/api/v1/flags`, admin, {
    key: FLAG,
    kind: 'ai-config',
    variants: [
      { key: 'openai', value: variant('openai', 'gpt-4o') },
      { key: 'anthropic', value: variant('anthropic', 'claude-sonnet-4-6') },
    ],
  });
  await jsonRequest('PATCH', `${server.url}/api/v1/flags/${FLAG}/environments/production`, admin, {
    version: 0,
    enabled: true,
    fallthrough: { variant: 'openai' },
  });
  const { key: serverKey } = await jsonRequest<{ key: string }>('POST', `${server.url}/api/v1/keys`, admin, {
    name: 'llm bench',
    kind: 'server',
    environment: 'production',
  });
  const messages = [{ role: 'user', content: 'Summarise the return policy in one sentence.' }];
  const openAi = (stream: boolean): Case => ({
    name: `OpenAI chat completions${stream ? ', streaming' : ''}`,
    direct: {
      url: `${fakeUrl}/v1/chat/completions`,
      headers: { authorization: `Bearer ${UPSTREAM_KEY}` },
      body: { model: 'gpt-4o', messages, stream },
    },
    gateway: {
      url: `${server.url}/v1/chat/completions`,
      headers: { authorization: `Bearer ${serverKey}` },
      body: { model: `flag:${FLAG}`, messages, stream, user: 'user-1' },
    },
  });
  const anthropic = (stream: boolean): Case => ({
    name: `Anthropic messages${stream ? ', streaming' : ''}`,
    direct: {
      url: `${fakeUrl}/v1/messages`,
      headers: { 'x-api-key': UPSTREAM_KEY, 'anthropic-version': '2023-06-01' },
      body: { model: 'claude-sonnet-4-6', max_tokens: 256, messages, stream },
    },
    gateway: {
      url: `${server.url}/v1/messages`,
      headers: { 'x-api-key': serverKey, 'anthropic-version': '2023-06-01', 'x-switchboard-user': 'user-1' },
      body: { model: `flag:${FLAG}`, max_tokens: 256, messages, stream },
    },
  });
  // The Anthropic cases are served by the flag's Anthropic variant: one flag per protocol keeps both passthrough.
  await jsonRequest('POST', `${server.url}/api/v1/flags`, admin, {
    key: `${FLAG}-anthropic`,
    kind: 'ai-config',
    variants: [{ key: 'anthropic', value: variant('anthropic', 'claude-sonnet-4-6') }],
  });
  await jsonRequest('PATCH', `${server.url}/api/v1/flags/${FLAG}-anthropic/environments/production`, admin, {
    version: 0,
    enabled: true,
    fallthrough: { variant: 'anthropic' },
  });
  const cases = [openAi(false), openAi(true), anthropic(false), anthropic(true)].map((c) =>
    c.name.startsWith('Anthropic')
      ? { ...c, gateway: { ...c.gateway, body: { ...c.gateway.body, model: `flag:${FLAG}-anthropic` } } }
      : c,
  );
  for (const c of cases) {
    log(`  ${c.name}: ${warmup} warm-up pairs, ${requests} measured pairs...`);
    for (let i = 0; i < warmup; i++) {
      await timed(c.direct);
      await timed(c.gateway);
    }
    const direct: number[] = [];
    const gateway: number[] = [];
    for (let i = 0; i < requests; i++) {
      // Alternating, so that whatever else the machine does weighs on both alike.
      direct.push(await timed(c.direct));
      gateway.push(await timed(c.gateway));
    }
    direct.sort((a, b) => a - b);
    gateway.sort((a, b) => a - b);
    const row = {
      name: c.name,
      directP50: quantile(direct, 0.5),
      directP99: quantile(direct, 0.99),
      gatewayP50: quantile(gateway, 0.5),
      gatewayP99: quantile(gateway, 0.99),
      addedP50: 0,
      addedP99: 0,
    };
    row.addedP50 = row.gatewayP50 - row.directP50;
    row.addedP99 = row.gatewayP99 - row.directP99;
    results = [...results, row];
  }

  log(`(c) shadow mode: ${warmup} warm-up pairs, ${requests} measured pairs per case...`);
  const shadowFlags = [
    { key: `${FLAG}-shadow-off`, shadow: null },
    { key: `${FLAG}-shadow-slow`, shadow: { variant: 'slow', sampleRate: 1 } },
    { key: `${FLAG}-shadow-fast`, shadow: { variant: 'fast', sampleRate: 1 } },
  ];
  for (const { key, shadow } of shadowFlags) {
    await jsonRequest('POST', `${server.url}/api/v1/flags`, admin, {
      key,
      kind: 'ai-config',
      variants: [
        { key: 'control', value: variant('openai', 'gpt-4o') },
        { key: 'slow', value: variant('openai', 'bench-shadow-slow') },
        { key: 'fast', value: variant('openai', 'gpt-4o-mini') },
      ],
    });
    await jsonRequest('PATCH', `${server.url}/api/v1/flags/${key}/environments/production`, admin, {
      version: 0,
      enabled: true,
      fallthrough: { variant: 'control' },
      shadow,
    });
  }
  const base = openAi(false).gateway;
  const target = (key: string) => ({ ...base, body: { ...base.body, model: `flag:${key}` } });
  const off = target(`${FLAG}-shadow-off`);
  // One case at a time: shadow calls share the server's concurrency limit.
  for (const [name, key] of [
    ['shadow on, its model answers 250 ms late', `${FLAG}-shadow-slow`],
    ['shadow on, its model as fast as the served one', `${FLAG}-shadow-fast`],
  ] as const) {
    const on = target(key);
    for (let i = 0; i < warmup; i++) {
      await timed(off);
      await timed(on);
    }
    const offTimes: number[] = [];
    const onTimes: number[] = [];
    for (let i = 0; i < requests; i++) {
      // Alternating, so that whatever else the machine does (the shadows included) weighs on both alike.
      offTimes.push(await timed(off));
      onTimes.push(await timed(on));
    }
    offTimes.sort((a, b) => a - b);
    onTimes.sort((a, b) => a - b);
    shadowRows = [
      ...shadowRows,
      {
        name,
        offP50: quantile(offTimes, 0.5),
        offP99: quantile(offTimes, 0.99),
        onP50: quantile(onTimes, 0.5),
        onP99: quantile(onTimes, 0.99),
        addedP50: quantile(onTimes, 0.5) - quantile(offTimes, 0.5),
        addedP99: quantile(onTimes, 0.99) - quantile(offTimes, 0.99),
      },
    ];
  }
} finally {
  await server.stop();
  await fake.child.stop();
}

const ms = (n: number) => n.toFixed(2);
console.log(`LLM layer overhead. Node ${process.version}\n`);
console.log(
  `SDK: tracker.track(call) − call() per generation: median ${track.trackOverheadUs.toFixed(2)} µs ` +
    `(min ${track.trackOverheadMinUs.toFixed(2)}, max ${track.trackOverheadMaxUs.toFixed(2)}); per chunk of a tracked stream ` +
    `${track.streamChunkUs.toFixed(3)} µs; aiConfig ${track.aiConfigUs.toFixed(2)} µs\n`,
);
console.log(
  textTable(
    [
      'gateway, loopback',
      'direct p50 ms',
      'direct p99 ms',
      'gateway p50 ms',
      'gateway p99 ms',
      'added p50 ms',
      'added p99 ms',
    ],
    results.map((r) => [
      r.name,
      ms(r.directP50),
      ms(r.directP99),
      ms(r.gatewayP50),
      ms(r.gatewayP99),
      ms(r.addedP50),
      ms(r.addedP99),
    ]),
  ),
);
console.log('');
console.log(
  textTable(
    [
      'served requests, gateway (OpenAI)',
      'off p50 ms',
      'off p99 ms',
      'on p50 ms',
      'on p99 ms',
      'added p50 ms',
      'added p99 ms',
    ],
    shadowRows.map((r) => [
      r.name,
      ms(r.offP50),
      ms(r.offP99),
      ms(r.onP50),
      ms(r.onP99),
      ms(r.addedP50),
      ms(r.addedP99),
    ]),
  ),
);
const headline = results[0] as CaseResult;
const worstP50 = Math.max(...results.map((r) => r.addedP50));
console.log('\nBudget (DESIGN.md §8):');
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
console.log(
  `  ${verdict(track.trackOverheadUs <= BUDGET_TRACK_US)}  tracking ≤ ${BUDGET_TRACK_US} µs per generation: ${track.trackOverheadUs.toFixed(2)} µs`,
);
console.log(
  `  ${verdict(worstP50 <= BUDGET_GATEWAY_P50_MS)}  gateway adds ≤ ${BUDGET_GATEWAY_P50_MS} ms at p50 (every case): worst ${ms(worstP50)} ms`,
);
const row = {
  trackOverheadUs: Math.round(track.trackOverheadUs * 100) / 100,
  gatewayAddedP50Ms: Math.round(headline.addedP50 * 100) / 100,
  gatewayAddedP99Ms: Math.round(headline.addedP99 * 100) / 100,
  cases: results.map((r) => ({ ...r })),
  shadow: shadowRows.map((r) => ({ ...r })),
  streamChunkUs: track.streamChunkUs,
  aiConfigUs: track.aiConfigUs,
  requests,
};
await mkdir(dirname(RESULTS_FILE), { recursive: true });
await writeFile(RESULTS_FILE, `${JSON.stringify([row], null, 2)}\n`);
console.log(`\nwrote ${RESULTS_FILE}`);
