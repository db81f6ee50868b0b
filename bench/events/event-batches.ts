/**
 * The events the ingestion bench sends, generated the same way in every process: batches of one flag's
 * events, per 20 events 8 exposures, 8 generations (one in 20 shadow, one in 33 failing, one in 50
 * answered by a fallback), 3 feedback (one in 5 from a judge) and 1 custom metric. Units come from a
 * pool, each assigned one variant as a split would; `ts` is left to the server (the time of receipt).
 */

/** Units the events name: each is assigned one variant, by its index. */
export const UNIT_POOL = 100_000;

/** Batches generated once and sent in rotation (each post has its own idempotency key). */
export const DISTINCT_BATCHES = 64;

/** The metrics of the rollups that count each accepted event exactly once (see event-metrics.ts). */
export const ONE_PER_EVENT_METRICS = [
  'exposures',
  'generations',
  'shadow.generations',
  'feedback.score',
  'feedback.judge_score',
] as const;
/** And every custom metric (`metric:<name>`): the bench's all name the flag, so all are rolled up. */
export const CUSTOM_METRIC_PREFIX = 'metric:';

/** A small deterministic generator (mulberry32): the same batches in every run and process. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** `count` batches of `size` events of `flag`, whose variants are `variants`. */
export function eventBatches(
  flag: string,
  variants: readonly string[],
  count: number,
  size: number,
): object[][] {
  const next = random(0x5eed);
  const batches: object[][] = [];
  for (let b = 0; b < count; b++) {
    const events: object[] = [];
    for (let i = 0; i < size; i++) {
      const u = Math.floor(next() * UNIT_POOL);
      const unit = `user-${u}`;
      const variant = variants[u % variants.length] as string;
      const slot = i % 20;
      if (slot < 8) {
        events.push({ kind: 'exposure', flag, variant, unit });
      } else if (slot < 16) {
        const latencyMs = Math.round(200 + next() * next() * 4_000);
        const error = next() < 0.03 ? 'rate_limit' : undefined;
        events.push({
          kind: 'generation',
          flag,
          variant,
          unit,
          provider: 'openai',
          model: next() < 0.02 ? 'gpt-4o-mini' : 'gpt-4o',
          latencyMs,
          ttftMs: Math.round(latencyMs * 0.2),
          inputTokens: 200 + Math.floor(next() * 1_000),
          outputTokens: error === undefined ? 50 + Math.floor(next() * 500) : 0,
          ...(next() < 0.02 ? { fallbackUsed: true } : {}),
          ...(next() < 0.05 ? { shadow: true } : {}),
          ...(error === undefined ? {} : { error }),
        });
      } else if (slot < 19) {
        events.push(
          next() < 0.2
            ? {
                kind: 'feedback',
                flag,
                variant,
                unit,
                score: Math.round(next() * 100) / 100,
                source: 'judge',
              }
            : { kind: 'feedback', flag, variant, unit, thumbs: next() < 0.7 ? 'up' : 'down' },
        );
      } else {
        events.push({
          kind: 'metric',
          name: 'task_completed',
          value: next() < 0.4 ? 1 : 0,
          flag,
          variant,
          unit,
        });
      }
    }
    batches.push(events);
  }
  return batches;
}

/** Events counted by the rollups, from their counts by metric. */
export function countedEvents(countsByMetric: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const [metric, count] of countsByMetric) {
    if (
      (ONE_PER_EVENT_METRICS as readonly string[]).includes(metric) ||
      metric.startsWith(CUSTOM_METRIC_PREFIX)
    )
      total += count;
  }
  return total;
}
