/**
 * The SDK's footprint, in a fresh process of its own (`node --expose-gc`, started by run.ts with a
 * {@link ProbeJob} as its argument): heap and RSS after a full garbage collection, before and after one
 * client has loaded the server's snapshot; then the time per evaluation over that snapshot; then the
 * memory again, with the exposure cache and the event buffer filled by those evaluations. Prints one
 * JSON line, a {@link ProbeReport}.
 */
import { compileSnapshot, evaluate, type Snapshot } from '@switchboard/core';
import { createClient } from '@switchboard/sdk';
import { generateUsers } from '../eval/users.js';

export interface ProbeJob {
  url: string;
  sdkKey: string;
  flagKeys: string[];
  evaluations: number;
}

export interface Memory {
  heapUsed: number;
  rss: number;
}

export interface ProbeReport {
  before: Memory;
  loaded: Memory;
  afterEvaluations: Memory;
  /** Flags in the snapshot the client holds. */
  flags: number;
  /** Median ns per `client.evaluate(flag, context)` on (unit, flag) pairs the exposure cache holds. */
  nsPerEvaluateSeen: number;
  /** The same on pairs never seen: every split evaluation is a new exposure (cache eviction, event queued or dropped). */
  nsPerEvaluateNew: number;
  /** Median ns per `client.killSwitch(flag, context)` (no exposure). */
  nsPerKillSwitch: number;
  /** Median ns per core `evaluate(compiled, flag, context)` on the same snapshot: the SDK's own cost is the difference. */
  nsPerCoreEvaluate: number;
  /** Median ms to compile the whole snapshot: what the client spends on a full `put` (connect, resync). */
  compileMs: number;
  /**
   * Median µs for the client to apply one flag's `patch` stream event (parse, apply, compile the changed
   * flag, check, `change`): what it spends on an ordinary change.
   */
  patchUs: number;
  eventStats: { queued: number; sent: number; dropped: number; failed: number };
}

const RUNS = 5;
const WARMUP_RUNS = 2;
const COMPILES = 20;
const PATCHES = 2_000;
/** A prime number of users, so that users and flags rotate independently: ~10 M distinct pairs. */
const USERS = 10_007;
/** Pairs the exposure cache (10,000) holds: user i with flag i, for i below this. */
const SEEN_PAIRS = 1_000;

const job = JSON.parse(process.argv[2] ?? '') as ProbeJob;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

function settle(): Memory {
  for (let i = 0; i < 3; i++) gc?.();
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Median ns per call of `call(i)` over `count` calls, after warm-up runs; returns a checksum too. */
function time(count: number, call: (i: number) => number): number {
  const runs: number[] = [];
  let checksum = 0;
  for (let run = 0; run < WARMUP_RUNS + RUNS; run++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < count; i++) checksum += call(i);
    const ns = Number(process.hrtime.bigint() - started) / count;
    if (run >= WARMUP_RUNS) runs.push(ns);
  }
  if (checksum === -1) console.error('unreachable');
  return median(runs);
}

// Everything the measurement itself needs is built before the baseline.
const contexts = generateUsers(USERS).map((u) => ({
  targetingKey: u.userId,
  tier: u.tier,
  region: u.region,
}));
const flagKeys = job.flagKeys;
const before = settle();

const client = createClient({ url: job.url, sdkKey: job.sdkKey });
const state = await client.ready({ timeoutMs: 30_000 });
if (state.source !== 'server') throw new Error(`no server snapshot: ${state.error}`);
await new Promise((resolve) => setTimeout(resolve, 500));
const loaded = settle();

const snapshot = (client as unknown as { snapshot: Snapshot }).snapshot;
const compileRuns: number[] = [];
for (let i = 0; i < COMPILES; i++) {
  const started = process.hrtime.bigint();
  compileSnapshot(snapshot);
  compileRuns.push(Number(process.hrtime.bigint() - started) / 1e6);
}

const flagOf = (i: number) => flagKeys[i % flagKeys.length] as string;
const length = (value: unknown) => (typeof value === 'string' ? value.length : 0);
const nsPerEvaluateSeen = time(job.evaluations, (i) =>
  length(client.evaluate(flagOf(i % SEEN_PAIRS), contexts[i % SEEN_PAIRS]).value),
);
const nsPerKillSwitch = time(job.evaluations, (i) =>
  client.killSwitch(flagOf(i), contexts[i % USERS]) === null ? 1 : 0,
);
const compiled = compileSnapshot(snapshot);
const nsPerCoreEvaluate = time(job.evaluations, (i) =>
  length(evaluate(compiled, flagOf(i), contexts[i % USERS] ?? {}).value),
);
// Last: it fills the exposure cache and the event buffer with pairs never seen.
const nsPerEvaluateNew = time(job.evaluations, (i) =>
  length(client.evaluate(flagOf(i), contexts[i % USERS]).value),
);
const afterEvaluations = settle();
const eventStats = client.eventStats();

// Last, so it disturbs neither the memory figures nor the evaluations: one flag's change as the
// stream brings it, through the client's own handler of stream events.
const applyEvent = (client as unknown as { onStreamEvent(event: { event: string; data: string }): void })
  .onStreamEvent;
const patchRuns: number[] = [];
let environmentVersion = (snapshot as { version?: number }).version ?? 0;
const firstVersion = (snapshot.flags[0] as Snapshot['flags'][number]).version;
for (let i = 0; i < PATCHES; i++) {
  const held = (client as unknown as { snapshot: Snapshot }).snapshot.flags[0] as Snapshot['flags'][number];
  const value = { ...held, enabled: !held.enabled, version: held.version + 1 };
  const data = JSON.stringify({ version: ++environmentVersion, kind: 'flag', key: held.key, value });
  const started = process.hrtime.bigint();
  applyEvent.call(client, { event: 'patch', data });
  patchRuns.push(Number(process.hrtime.bigint() - started) / 1e3);
}
const patched = (client as unknown as { snapshot: Snapshot }).snapshot;
if (patched.flags.length !== snapshot.flags.length || patched.flags[0]?.version !== firstVersion + PATCHES)
  throw new Error('the patches were not all applied in place');

const report: ProbeReport = {
  before,
  loaded,
  afterEvaluations,
  flags: snapshot.flags.length,
  nsPerEvaluateSeen,
  nsPerEvaluateNew,
  nsPerKillSwitch,
  nsPerCoreEvaluate,
  compileMs: median(compileRuns),
  patchUs: median(patchRuns),
  eventStats,
};
process.stdout.write(`${JSON.stringify(report)}\n`);
// The events are not what is measured: close() would first send the full buffer.
process.exit(0);
