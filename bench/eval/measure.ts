/**
 * The timing loop. Every engine runs the same loop over the same pre-built contexts: one call per
 * user, the served value's length added to a checksum so that the JIT cannot drop the work, and the
 * whole pass timed with `process.hrtime.bigint()`. A run is one pass over all users.
 */
import type { AnyEngine, AsyncEngine, SyncEngine } from './engine.js';
import type { Distribution } from './engine-report.js';
import { matchesRule, RULE } from './flag.js';
import type { User } from './users.js';

/** Passes run and thrown away before the timed ones. */
export const WARMUP_RUNS = 2;
/** Passes timed; the report's figure is their median. */
export const MEASURED_RUNS = 5;

export interface Run {
  nsPerEval: number;
  checksum: number;
}

function collectGarbage(): void {
  // Exposed by --expose-gc: starting each run with an empty young generation makes runs comparable.
  globalThis.gc?.();
}

function timeSync(engine: SyncEngine<unknown>, contexts: readonly unknown[]): Run {
  collectGarbage();
  const count = contexts.length;
  let checksum = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) checksum += engine.evaluate(contexts[i]).length;
  const elapsed = process.hrtime.bigint() - start;
  return { nsPerEval: Number(elapsed) / count, checksum };
}

async function timeAsync(engine: AsyncEngine<unknown>, contexts: readonly unknown[]): Promise<Run> {
  collectGarbage();
  const count = contexts.length;
  let checksum = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) checksum += (await engine.evaluate(contexts[i])).length;
  const elapsed = process.hrtime.bigint() - start;
  return { nsPerEval: Number(elapsed) / count, checksum };
}

/** Warm-up runs, then the measured runs, in order. */
export async function measure(engine: AnyEngine, contexts: readonly unknown[]): Promise<Run[]> {
  const runs: Run[] = [];
  for (let run = 0; run < WARMUP_RUNS + MEASURED_RUNS; run++) {
    const result = engine.kind === 'sync' ? timeSync(engine, contexts) : await timeAsync(engine, contexts);
    if (run >= WARMUP_RUNS) runs.push(result);
  }
  return runs;
}

function increment(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** One untimed pass, after the timed runs, that records what every user was served. */
export async function distributionOf(
  engine: AnyEngine,
  users: readonly User[],
  contexts: readonly unknown[],
): Promise<Distribution> {
  const distribution: Distribution = {
    users: users.length,
    served: {},
    ruleUsers: 0,
    ruleUsersServedRule: 0,
    splitUsers: 0,
    splitServed: {},
    checksum: 0,
  };
  for (const [index, user] of users.entries()) {
    const value: unknown = await engine.evaluate(contexts[index]);
    const key = typeof value === 'string' ? value : `(${typeof value}) ${JSON.stringify(value)}`;
    increment(distribution.served, key);
    distribution.checksum += typeof value === 'string' ? value.length : 0;
    if (matchesRule(user)) {
      distribution.ruleUsers++;
      if (value === RULE.serve) distribution.ruleUsersServedRule++;
    } else {
      distribution.splitUsers++;
      increment(distribution.splitServed, key);
    }
  }
  return distribution;
}
