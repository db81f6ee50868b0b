/** Runs one autocannon load (load-runner.ts) on the load core and reads its result. */
import { fileURLToPath } from 'node:url';
import { LOAD_CORE, spawnPinned } from './pinned-process.js';
import type { BodyFormat } from './request-bodies.js';

const BENCH_DIRECTORY = fileURLToPath(new URL('..', import.meta.url));
const RUNNER = fileURLToPath(new URL('./load-runner.ts', import.meta.url));

/** One load: where, what, how hard and how long. */
export interface LoadJob {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  /** POST bodies rotating through BODY_COUNT users, in this server's shape; none for GET. */
  bodies?: BodyFormat;
  durationSeconds: number;
  connections: number;
  warmupSeconds: number;
}

/** What autocannon measured. Latencies are autocannon's, in whole milliseconds. */
export interface LoadResult {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Connection errors, timeouts included. */
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCounts: Record<string, number>;
  total: number;
}

export async function runLoad(job: LoadJob): Promise<LoadResult> {
  const runner = spawnPinned(
    LOAD_CORE,
    ['--import', 'tsx', RUNNER, JSON.stringify(job)],
    { ...process.env, NODE_ENV: 'production' },
    BENCH_DIRECTORY,
  );
  const budgetMs = (job.durationSeconds + job.warmupSeconds + 60) * 1000;
  const [line] = await runner.waitFor(/^\{"reqPerSec".*\}$/m, budgetMs);
  await runner.stop();
  return JSON.parse(line) as LoadResult;
}
