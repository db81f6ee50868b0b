/** The load a load helper (load-helper.ts) generates, and what it reports, over IPC. */

/** The kinds of request a load helper sends. */
export type LoadKind =
  /** `POST /api/v1/client/evaluate` with a client key, a new targetingKey each time. */
  | 'evaluate'
  /** `POST /ofrep/v1/evaluate/flags/{flag}` with a client key. */
  | 'ofrep'
  /** `POST /api/v1/events` with a server key: a batch of exposures under a fresh Idempotency-Key. */
  | 'events'
  /** Reads the flag's version in production and turns it on or off with it (admin key). */
  | 'flag-edit'
  /** Opens an SDK stream (server key), waits for its first event, and hangs up. */
  | 'stream-churn';

/** One loop of requests of one kind. */
export interface LoadLoop {
  kind: LoadKind;
  /** A name for the report (several loops may share a kind); the kind by default. */
  name?: string;
  /** The key the requests carry. */
  key: string;
  /** Requests in flight at once. */
  concurrency: number;
  /** Requests per second across the loop's workers, at most; as fast as answered when unset. */
  ratePerSecond?: number;
  /** Events per batch (`events`). */
  batchSize?: number;
}

/** What a load helper is started with (JSON in its argv). */
export interface LoadSetup {
  url: string;
  /** The flag evaluated, exposed and edited. */
  flag: string;
  durationMs: number;
  loops: LoadLoop[];
}

/** One loop's figures. */
export interface LoopReport {
  name: string;
  kind: LoadKind;
  requests: number;
  /** Responses by HTTP status ("error" for a request that got none). */
  statuses: Record<string, number>;
  /** 429s that came without a Retry-After header. */
  missingRetryAfter: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** A few bodies of unexpected answers, for the failure message. */
  samples: string[];
}

export type ToLoadHelper = { type: 'stop' };

export type FromLoadHelper = { type: 'done'; reports: LoopReport[] } | { type: 'failed'; error: string };
