/** Rows of the propagation benchmark, the peers printed beside them, and the budgets of DESIGN.md §8. */
import type { PropagationResult } from './measure-propagation.js';

/** p99 budgets: kill switch to every SDK on one server, and across replicas (through Redis). */
export const MAX_P99_MS_ONE_SERVER = 50;
export const MAX_P99_MS_REPLICAS = 100;

/** One row of `results/propagation.json`. */
export interface PropagationRow {
  clients: number;
  replicas: number;
  /** Latencies from just before the toggle's HTTP call to each client's `change` event; null if not measured. */
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  /** Measured toggles. */
  toggles: number;
  /** Unmeasured toggles before them, while V8 optimizes the helpers' code, and their latencies (reported, not budgeted). */
  warmupToggles?: number;
  coldP50Ms?: number | null;
  coldP99Ms?: number | null;
  coldMaxMs?: number | null;
  /** (toggle, client) pairs never seen; must be 0. */
  missed: number;
  status: 'measured' | 'pending' | 'did not run';
  note?: string;
}

/** The nearest-rank percentile `p` (0..1) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
}

const round = (ms: number) => Math.round(ms * 100) / 100;

export function measuredRow(
  clients: number,
  replicas: number,
  toggles: number,
  warmupToggles: number,
  result: PropagationResult,
): PropagationRow {
  const seen = result.latenciesMs;
  const cold = result.coldLatenciesMs;
  const figure = (values: number[], compute: (values: number[]) => number) =>
    values.length === 0 ? null : round(compute(values));
  return {
    clients,
    replicas,
    p50Ms: figure(seen, (v) => percentile(v, 0.5)),
    p99Ms: figure(seen, (v) => percentile(v, 0.99)),
    maxMs: figure(seen, (v) => v.reduce((a, b) => Math.max(a, b))),
    toggles,
    missed: result.missed,
    status: 'measured',
    warmupToggles,
    coldP50Ms: figure(cold, (v) => percentile(v, 0.5)),
    coldP99Ms: figure(cold, (v) => percentile(v, 0.99)),
    coldMaxMs: figure(cold, (v) => v.reduce((a, b) => Math.max(a, b))),
  };
}

export function budgetOf(replicas: number): number {
  return replicas === 1 ? MAX_P99_MS_ONE_SERVER : MAX_P99_MS_REPLICAS;
}

/**
 * Peers, for context. Not measured: a poller sees a change at its next poll, which falls uniformly
 * within its interval, so p50 is half the interval, p99 99% of it and the worst case all of it.
 */
export const PEERS: { name: string; intervalMs: number; source: string }[] = [
  {
    name: 'Unleash SDKs (poll, 15 s default)',
    intervalMs: 15_000,
    source: "refreshInterval 15 s, unleash-client's default",
  },
  {
    name: 'seed: cached kill switch, 5 s TTL',
    intervalMs: 5_000,
    source: 'CachedFeatureFlagStore of the seed article: each process re-reads after its cache entry expires',
  },
];
