/**
 * The load generator, run on its own core by load.ts:
 * `taskset -c 1 node --import tsx server/load-runner.ts '<LoadJob JSON>'`. Runs autocannon (a warm-up,
 * then the measured run) and prints one JSON line, a {@link LoadResult}.
 */
import autocannon from 'autocannon';
import type { LoadJob, LoadResult } from './load.js';
import { requestBodies } from './request-bodies.js';

const job = JSON.parse(process.argv[2] ?? '') as LoadJob;

// Bodies are serialized before the run; each request takes the next one, so users rotate.
const bodies = job.bodies === undefined ? [] : requestBodies(job.bodies).bodies;
let next = 0;
const requests =
  bodies.length === 0
    ? undefined
    : [
        {
          setupRequest: (request: { body?: string | Buffer }) => {
            request.body = bodies[next] as string;
            next = (next + 1) % bodies.length;
            return request;
          },
        },
      ];

const result = await autocannon({
  url: job.url,
  method: job.method,
  headers: job.headers,
  connections: job.connections,
  duration: job.durationSeconds,
  warmup: { connections: job.connections, duration: job.warmupSeconds },
  ...(requests === undefined ? {} : { requests }),
});

// Timeouts are counted under an "undefined" status: they are errors, not answers.
const statusCounts = Object.fromEntries(
  Object.entries(result.statusCodeStats ?? {})
    .filter(([status]) => /^\d{3}$/.test(status))
    .map(([status, { count }]) => [status, Number(count)]),
);
const report: LoadResult = {
  reqPerSec: result.requests.average,
  p50Ms: result.latency.p50,
  p99Ms: result.latency.p99,
  errors: result.errors,
  timeouts: result.timeouts,
  non2xx: result.non2xx,
  statusCounts,
  total: Object.values(statusCounts).reduce((sum, count) => sum + count, 0),
};
process.stdout.write(`${JSON.stringify(report)}\n`);
