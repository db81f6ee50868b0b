/**
 * The in-process half of the ingestion bench, in a process of its own on the server core (started by
 * run.ts with a {@link DirectJob} as its argument): the built server's app on a fresh embedded store in
 * a temporary directory,
 * the bench flag created through the app, then `services.events.ingest` called by `callers` concurrent
 * loops for `durationMs` (as the route handler calls it for concurrent requests): what ingestion costs
 * without HTTP. Then the rollups are read back through `rollupsFor`. Prints one JSON line, a
 * {@link DirectReport}.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Server from '../../apps/server/src/index.js';
import { countedEvents, DISTINCT_BATCHES, eventBatches } from './event-batches.js';

export interface DirectJob {
  flag: string;
  variants: string[];
  batchSize: number;
  callers: number;
  durationMs: number;
}

export interface DirectReport {
  batches: number;
  accepted: number;
  rejected: number;
  rolledUp: number;
  elapsedMs: number;
}

/** Batches ingested before timing starts (JIT, caches, the store's first pages). */
const WARM_UP_BATCHES = 100;

/** The built server (run.ts builds it first): what `switchboard start` runs. */
const SERVER_DIST = new URL('../../apps/server/dist/index.js', import.meta.url).href;

const job = JSON.parse(process.argv[2] ?? '{}') as DirectJob;
const { createApp, loadConfig } = (await import(SERVER_DIST)) as typeof Server;
const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-bench-direct-'));
const app = await createApp(loadConfig({}, { dataDir, logLevel: 'warn' }));
try {
  const admin = { authorization: `Bearer ${app.bootstrapAdminKey}` };
  const created = await app.http.inject({
    method: 'POST',
    url: '/api/v1/flags',
    headers: admin,
    payload: { key: job.flag, kind: 'string', variants: job.variants.map((key) => ({ key, value: key })) },
  });
  if (created.statusCode !== 201) throw new Error(`creating the flag: ${created.statusCode} ${created.body}`);
  const ref = await app.services.snapshots.resolve('default', 'production');
  const snapshot = await app.services.snapshots.get(ref);
  const batches = eventBatches(job.flag, job.variants, DISTINCT_BATCHES, job.batchSize);
  const report: DirectReport = { batches: 0, accepted: 0, rejected: 0, rolledUp: 0, elapsedMs: 0 };
  let warmAccepted = 0;
  for (let i = 0; i < WARM_UP_BATCHES; i++) {
    warmAccepted += (
      await app.services.events.ingest(snapshot, `warm-${i}`, batches[i % batches.length] ?? [])
    ).accepted;
  }
  const start = performance.now();
  const until = start + job.durationMs;
  let next = 0;
  const caller = async () => {
    while (performance.now() < until) {
      const i = next++;
      const result = await app.services.events.ingest(
        snapshot,
        `batch-${i}`,
        batches[i % batches.length] ?? [],
      );
      report.batches += 1;
      report.accepted += result.accepted;
      report.rejected += result.rejected.length;
    }
  };
  await Promise.all(Array.from({ length: job.callers }, caller));
  report.elapsedMs = performance.now() - start;
  const rollups = await app.services.events.rollupsFor({
    environmentId: ref.environmentId,
    flagKey: job.flag,
  });
  const counts = new Map<string, number>();
  for (const variant of Object.values(rollups)) {
    for (const [metric, aggregate] of Object.entries(variant.metrics)) {
      counts.set(metric, (counts.get(metric) ?? 0) + aggregate.count);
    }
  }
  report.rolledUp = countedEvents(counts) - warmAccepted;
  console.log(JSON.stringify(report));
} finally {
  await app.close();
  await rm(dataDir, { recursive: true, force: true });
}
