/**
 * The load side of the HTTP ingestion bench, in a process of its own on the load core (started by
 * run.ts with a {@link SenderJob} as its argument): `senders` loops post batches to
 * `POST /api/v1/events` for `durationMs`, each with its own idempotency key, and count what the server
 * accepted. Prints one JSON line, a {@link SenderReport}.
 */
import { DISTINCT_BATCHES, eventBatches } from './event-batches.js';

export interface SenderJob {
  url: string;
  serverKey: string;
  flag: string;
  variants: string[];
  batchSize: number;
  senders: number;
  durationMs: number;
}

export interface SenderReport {
  posts: number;
  accepted: number;
  rejected: number;
  failedPosts: number;
  firstFailure: string | undefined;
  elapsedMs: number;
  /** CPU time the senders used: well below the elapsed time, or the senders were the bottleneck. */
  cpuMs: number;
}

const job = JSON.parse(process.argv[2] ?? '{}') as SenderJob;
const bodies = eventBatches(job.flag, job.variants, DISTINCT_BATCHES, job.batchSize).map((events) =>
  JSON.stringify({ events }),
);
const report: SenderReport = {
  posts: 0,
  accepted: 0,
  rejected: 0,
  failedPosts: 0,
  firstFailure: undefined,
  elapsedMs: 0,
  cpuMs: 0,
};
const start = performance.now();
const until = start + job.durationMs;

async function sender(id: number): Promise<void> {
  for (let i = 0; performance.now() < until; i++) {
    const response = await fetch(`${job.url}/api/v1/events`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${job.serverKey}`,
        'content-type': 'application/json',
        'idempotency-key': `bench-${id}-${i}`,
      },
      body: bodies[(id * 7 + i) % bodies.length] as string,
    });
    const text = await response.text();
    report.posts += 1;
    if (!response.ok) {
      report.failedPosts += 1;
      report.firstFailure ??= `${response.status} ${text.slice(0, 300)}`;
      continue;
    }
    const answer = JSON.parse(text) as { accepted: number; rejected: unknown[]; duplicate: boolean };
    if (answer.duplicate) throw new Error(`the server took bench-${id}-${i} for a replay`);
    report.accepted += answer.accepted;
    report.rejected += answer.rejected.length;
  }
}

await Promise.all(Array.from({ length: job.senders }, (_, id) => sender(id)));
report.elapsedMs = performance.now() - start;
const cpu = process.cpuUsage();
report.cpuMs = (cpu.user + cpu.system) / 1000;
console.log(JSON.stringify(report));
