/**
 * Sustained mixed load on one server process (embedded store): client evaluations, OFREP, event
 * ingestion, flag edits and stream churn, all at once from a load helper process, while the server's
 * memory is sampled from its /metrics. Measures the errors (none expected), the latency of each kind,
 * and how much memory grows once warmed up.
 */
import { fileURLToPath } from 'node:url';
import { type RunningServer, startServerProcess } from '../test/cli-process.js';
import { IpcChild } from './ipc-child.js';
import type { FromLoadHelper, LoadLoop, LoopReport, ToLoadHelper } from './load-protocol.js';
import { mb, type ServerMemory, serverMemory } from './server-probe.js';

const LOAD_HELPER = fileURLToPath(new URL('./load-helper.ts', import.meta.url));
const FLAG = 'stress-load';
/** Time the load helper gets beyond the load's duration to report. */
const REPORT_SLACK_MS = 60_000;

/** The size of one run. */
export interface SustainedScenarioOptions {
  durationMs: number;
  /** Samples taken before this are the warm-up: not compared. */
  warmupMs: number;
  sampleEveryMs: number;
  /** Multiplies every loop's concurrency and rate. */
  scale: number;
  log: (line: string) => void;
}

/** What one run measured. */
export interface SustainedScenarioResult {
  durationMs: number;
  warmupMs: number;
  loops: (LoopReport & { requestsPerSecond: number })[];
  /** Requests answered with anything but 2xx (and the deliberate 429s), or not answered. */
  failures: number;
  samples: number;
  /** Medians of the first and last fifth of the samples after warm-up. */
  rssAfterWarmupMb: number;
  rssAtEndMb: number;
  rssGrowthMb: number;
  rssPeakMb: number;
  heapAfterWarmupMb: number;
  heapAtEndMb: number;
  heapGrowthMb: number;
}

async function prepare(server: RunningServer): Promise<{ client: string; sdk: string }> {
  const variants = [
    { key: 'on', value: true },
    { key: 'off', value: false },
  ];
  await server.api('POST', '/api/v1/flags', { key: FLAG, kind: 'boolean', variants });
  const key = async (kind: string) => {
    const body = await server.api('POST', '/api/v1/keys', {
      name: `load ${kind}`,
      kind,
      environment: 'production',
    });
    if (typeof body.key !== 'string') throw new Error(`no ${kind} key: ${JSON.stringify(body)}`);
    return body.key as string;
  };
  return { client: await key('client'), sdk: await key('server') };
}

function loops(keys: { client: string; sdk: string; admin: string }, scale: number): LoadLoop[] {
  const n = (count: number) => Math.max(1, Math.round(count * scale));
  return [
    { kind: 'evaluate', key: keys.client, concurrency: n(4), ratePerSecond: n(400) },
    { kind: 'ofrep', key: keys.client, concurrency: n(2), ratePerSecond: n(200) },
    { kind: 'events', key: keys.sdk, concurrency: n(2), ratePerSecond: n(40), batchSize: 50 },
    { kind: 'flag-edit', key: keys.admin, concurrency: 1, ratePerSecond: 2 },
    { kind: 'stream-churn', key: keys.sdk, concurrency: n(2), ratePerSecond: n(20) },
  ];
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/** Runs the scenario on a fresh server process; everything it starts is stopped before it returns. */
export async function runSustainedScenario(
  options: SustainedScenarioOptions,
): Promise<SustainedScenarioResult> {
  // Evaluations are not rate limited here: this run is about load, rate-limit-abuse.e2e.test.ts about limits.
  const server = await startServerProcess({ env: { SWITCHBOARD_CLIENT_RATE_LIMIT: '100000000' } });
  let helper: IpcChild<FromLoadHelper, ToLoadHelper> | undefined;
  try {
    const keys = { ...(await prepare(server)), admin: server.adminKey };
    helper = new IpcChild(LOAD_HELPER, {
      url: server.url,
      flag: FLAG,
      durationMs: options.durationMs,
      loops: loops(keys, options.scale),
    });
    const started = Date.now();
    const samples: { atMs: number; memory: ServerMemory }[] = [];
    const done = helper.next('done', options.durationMs + REPORT_SLACK_MS);
    let finished = false;
    void done.then(
      () => {
        finished = true;
      },
      () => {
        finished = true;
      },
    );
    while (!finished && Date.now() - started < options.durationMs) {
      await new Promise((resolve) => setTimeout(resolve, options.sampleEveryMs));
      if (finished) break;
      samples.push({ atMs: Date.now() - started, memory: await serverMemory(server.url) });
    }
    const { reports } = await done;
    const warm = samples.filter((s) => s.atMs >= options.warmupMs);
    if (warm.length < 5) throw new Error(`only ${warm.length} samples after warm-up`);
    const fifth = Math.max(1, Math.floor(warm.length / 5));
    const first = warm.slice(0, fifth);
    const last = warm.slice(-fifth);
    const rss = (list: typeof warm) => median(list.map((s) => s.memory.rssBytes));
    const heap = (list: typeof warm) => median(list.map((s) => s.memory.heapUsedBytes));
    const failures = reports.reduce(
      (sum, r) =>
        sum +
        Object.entries(r.statuses)
          .filter(([status]) => !/^2\d\d$/.test(status) && status !== '429')
          .reduce((s, [, count]) => s + count, 0),
      0,
    );
    const result: SustainedScenarioResult = {
      durationMs: options.durationMs,
      warmupMs: options.warmupMs,
      loops: reports.map((r) => ({
        ...r,
        requestsPerSecond: Math.round((r.requests * 1000) / options.durationMs),
      })),
      failures,
      samples: samples.length,
      rssAfterWarmupMb: mb(rss(first)),
      rssAtEndMb: mb(rss(last)),
      rssGrowthMb: mb(rss(last) - rss(first)),
      rssPeakMb: mb(Math.max(...samples.map((s) => s.memory.rssBytes))),
      heapAfterWarmupMb: mb(heap(first)),
      heapAtEndMb: mb(heap(last)),
      heapGrowthMb: mb(heap(last) - heap(first)),
    };
    for (const r of reports)
      options.log(
        `  ${r.name}: ${r.requests} requests ${JSON.stringify(r.statuses)}, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms`,
      );
    options.log(
      `  rss ${result.rssAfterWarmupMb} → ${result.rssAtEndMb} MB (peak ${result.rssPeakMb}), heap ${result.heapAfterWarmupMb} → ${result.heapAtEndMb} MB`,
    );
    return result;
  } finally {
    await helper?.stop();
    await server.stop();
  }
}
