/**
 * The results half of the events bench, in a process of its own on the server core (started by run.ts
 * with a {@link ResultsJob}): the built server's app on a fresh embedded store, the bench flag with its
 * variants split evenly in production, `events` events ingested through `services.events.ingest`
 * spread over the past `hours` hours (so the results read one rollup row per hour, variant and metric,
 * as a week-long experiment does), then `GET /api/v1/flags/{key}/results` timed end to end (routing,
 * auth, rollup read, sketch merge, statistics, verdict, JSON) over `repeats` calls. Prints one JSON
 * line, a {@link ResultsReport}.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Server from '../../apps/server/src/index.js';
import { DISTINCT_BATCHES, eventBatches } from './event-batches.js';

export interface ResultsJob {
  flag: string;
  variants: string[];
  events: number;
  batchSize: number;
  hours: number;
  repeats: number;
}

export interface ResultsReport {
  events: number;
  ingestMs: number;
  /** Median of the timed calls. */
  resultsMs: number;
  resultsMinMs: number;
  resultsMaxMs: number;
  /** Rollup rows the results read. */
  rollupRows: number;
  /** Requests the results reported, as a check that they read everything. */
  requests: number;
}

const HOUR_MS = 3_600_000;
const SERVER_DIST = new URL('../../apps/server/dist/index.js', import.meta.url).href;

const job = JSON.parse(process.argv[2] ?? '{}') as ResultsJob;
const { createApp, loadConfig } = (await import(SERVER_DIST)) as typeof Server;
const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-bench-results-'));
const app = await createApp(loadConfig({}, { dataDir, logLevel: 'warn' }));
try {
  const admin = { authorization: `Bearer ${app.bootstrapAdminKey}` };
  const inject = async (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) => {
    const response = await app.http.inject({ method, url, headers: admin, ...(payload ? { payload } : {}) });
    if (response.statusCode >= 300)
      throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
    return response;
  };
  await inject('POST', '/api/v1/flags', {
    key: job.flag,
    kind: 'string',
    variants: job.variants.map((key) => ({ key, value: key })),
  });
  const weight = Math.floor(100_000 / job.variants.length);
  await inject('PATCH', `/api/v1/flags/${job.flag}/environments/production`, {
    version: 0,
    enabled: true,
    fallthrough: {
      split: job.variants.map((variant, i) => ({
        variant,
        weight: i === 0 ? 100_000 - weight * (job.variants.length - 1) : weight,
      })),
    },
  });
  const ref = await app.services.snapshots.resolve('default', 'production');
  const snapshot = await app.services.snapshots.get(ref);
  const batches = eventBatches(job.flag, job.variants, DISTINCT_BATCHES, job.batchSize);
  const total = Math.ceil(job.events / job.batchSize);
  const now = Date.now();
  const started = performance.now();
  let next = 0;
  const caller = async () => {
    for (let i = next++; i < total; i = next++) {
      // Oldest hour first, as events arrive; each batch stamped within its hour.
      const hour = Math.floor((i * job.hours) / total);
      const ts = new Date(now - (job.hours - hour) * HOUR_MS + 60_000).toISOString();
      const events = (batches[i % batches.length] ?? []).map((e) => ({ ...e, ts }));
      const result = await app.services.events.ingest(snapshot, `results-${i}`, events);
      if (result.rejected.length > 0) throw new Error(JSON.stringify(result.rejected[0]));
    }
  };
  await Promise.all(Array.from({ length: 16 }, caller));
  const ingestMs = performance.now() - started;

  const url = `/api/v1/flags/${job.flag}/results?env=production`;
  const times: number[] = [];
  let requests = 0;
  for (let i = 0; i < job.repeats + 3; i++) {
    const t0 = performance.now();
    const response = await inject('GET', url);
    const elapsed = performance.now() - t0;
    // The first calls warm the JIT and the page cache: not timed.
    if (i >= 3) times.push(elapsed);
    requests = (JSON.parse(response.body) as { variants: { requests: number }[] }).variants.reduce(
      (sum, v) => sum + v.requests,
      0,
    );
  }
  times.sort((a, b) => a - b);
  const rows = await app.database.db
    .selectFrom('event_rollups')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const report: ResultsReport = {
    events: total * job.batchSize,
    ingestMs,
    resultsMs: times[Math.floor(times.length / 2)] ?? Number.NaN,
    resultsMinMs: times[0] ?? Number.NaN,
    resultsMaxMs: times[times.length - 1] ?? Number.NaN,
    rollupRows: Number(rows.n),
    requests,
  };
  console.log(JSON.stringify(report));
} finally {
  await app.close();
  await rm(dataDir, { recursive: true, force: true });
}
