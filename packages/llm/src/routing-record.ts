import type { GenerationErrorKind } from '@switchboard/core';
import type { ProviderModel } from './ai-config.js';
import type { ProviderError } from './provider-error.js';

/** Why a link of the chain was not tried. */
export type SkipReason = 'circuit-open' | 'retry-after' | 'no-adapter';

/** One link of the chain, tried or skipped. */
export interface RoutingAttempt {
  provider: string;
  model: string;
  /** `ok`: it answered; `error`: it failed; `skipped`: not tried; `aborted`: the caller aborted it. */
  outcome: 'ok' | 'error' | 'skipped' | 'aborted';
  /** Why it failed (outcome `error`). */
  error?: GenerationErrorKind;
  /** The HTTP status of the failure, when there was one. */
  status?: number;
  /** Why it was skipped (outcome `skipped`). */
  skipped?: SkipReason;
  /** Time spent on it: to the answer, or for a stream to its first chunk; 0 when skipped. */
  latencyMs: number;
}

/**
 * How a request went through its chain: what the variant assigned, what served it, and every link
 * tried. For a stream it is complete once the stream has been read (a failure after the first chunk is
 * recorded on the serving attempt).
 */
export interface RoutingRecord {
  /** The chain's first link: what the variant asked for. */
  assigned: ProviderModel;
  /** What answered; undefined when nothing did. */
  served: ProviderModel | undefined;
  /** True when something other than the assigned provider and model answered. */
  fallbackUsed: boolean;
  attempts: RoutingAttempt[];
  /** From the start to the answer (for a stream, to its end). */
  latencyMs: number;
  /** For a stream: from the start (fallbacks included) to the first token. */
  ttftMs?: number;
  /** Why the request failed, when it did. */
  error?: GenerationErrorKind;
}

/** The request failed: every link failed or was skipped, or one failed in a way no fallback fixes. */
export class RoutingError extends Error {
  override name = 'RoutingError';
  constructor(
    message: string,
    readonly kind: GenerationErrorKind,
    readonly record: RoutingRecord,
    /** The last provider failure (the one to forward, for a gateway). */
    readonly lastError: ProviderError | undefined,
    /** When the earliest link becomes available again (Retry-After, breaker cooldown), if known. */
    readonly retryAfterMs: number | undefined,
  ) {
    super(message, lastError === undefined ? undefined : { cause: lastError });
  }
}
