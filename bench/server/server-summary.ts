/** Rows of the server benchmark and the budget checks of DESIGN.md §8. */
import type { LoadResult } from './load.js';

/** Remote evaluation budget: client evaluation on one server core. */
export const MIN_EVALUATE_REQ_PER_SEC = 15_000;
export const MAX_EVALUATE_P99_MS = 20;
export const EVALUATE_ENDPOINT = 'POST /api/v1/client/evaluate';
const PEER_EVALUATE_ENDPOINT = 'POST /api/frontend';

/** One row of the table and of `results/server.json`. */
export interface ServerRow {
  engine: string;
  version: string;
  endpoint: string;
  reqPerSec: number;
  /** Answers received in the measured run. */
  requests: number;
  /** null when nothing answered. */
  p50Ms: number | null;
  p99Ms: number | null;
  non2xx: number;
  errors: number;
  /** Answers whose status is not the one expected (200, or 304 on the If-None-Match row). */
  unexpectedStatus: number;
}

export function toRow(
  engine: string,
  version: string,
  endpoint: string,
  expectedStatus: number,
  result: LoadResult,
): ServerRow {
  const answered = result.total > 0;
  return {
    engine,
    version,
    endpoint,
    // Autocannon counts timed-out requests in its rates and latencies: a row without answers has none.
    reqPerSec: answered ? Math.round(result.reqPerSec) : 0,
    requests: result.total,
    p50Ms: answered ? result.p50Ms : null,
    p99Ms: answered ? result.p99Ms : null,
    non2xx: result.non2xx,
    errors: result.errors,
    unexpectedStatus: result.total - (result.statusCounts[String(expectedStatus)] ?? 0),
  };
}

/** Why a row cannot be trusted: no answers, connection errors, or answers of another status. */
export function rowProblem(row: ServerRow): string | undefined {
  if (row.requests === 0) return 'no answers';
  if (row.errors > 0) return `${row.errors} connection errors`;
  if (row.unexpectedStatus > 0) return `${row.unexpectedStatus} answers of an unexpected status`;
  return undefined;
}

export interface Check {
  name: string;
  /** null: not checked (a server did not run), or a figure to read with no threshold (`info`). */
  passed: boolean | null;
  detail: string;
  info?: boolean;
}

export function serverChecks(rows: readonly ServerRow[]): Check[] {
  const evaluate = rows.find((row) => row.engine === 'switchboard' && row.endpoint === EVALUATE_ENDPOINT);
  const peer = rows.find((row) => row.endpoint === PEER_EVALUATE_ENDPOINT);
  const budget = `≥ ${MIN_EVALUATE_REQ_PER_SEC.toLocaleString('en')} req/s and p99 ≤ ${MAX_EVALUATE_P99_MS} ms`;
  return [
    evaluate === undefined
      ? { name: `client evaluation ${budget}`, passed: null, detail: 'switchboard did not run' }
      : {
          name: `client evaluation ${budget}`,
          passed:
            evaluate.reqPerSec >= MIN_EVALUATE_REQ_PER_SEC &&
            evaluate.p99Ms !== null &&
            evaluate.p99Ms <= MAX_EVALUATE_P99_MS,
          detail: `${evaluate.reqPerSec.toLocaleString('en')} req/s, p99 ${evaluate.p99Ms} ms`,
        },
    evaluate === undefined || peer === undefined
      ? { name: 'beside unleash-server frontend API', passed: null, detail: 'a server did not run' }
      : {
          name: 'beside unleash-server frontend API',
          passed: null,
          info: true,
          detail: `switchboard ${(evaluate.reqPerSec / peer.reqPerSec).toFixed(2)}× its req/s (${peer.reqPerSec.toLocaleString('en')} req/s, p99 ${peer.p99Ms} ms)`,
        },
  ];
}
