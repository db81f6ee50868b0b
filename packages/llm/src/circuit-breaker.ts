/** The breaker's states: `closed` lets calls through, `open` refuses them, `half-open` lets one probe through. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** When a breaker opens and for how long. */
export interface BreakerPolicy {
  /** Consecutive failures that open the breaker; 5 by default. */
  failureThreshold: number;
  /** How long it stays open before letting one probe through; 30 s by default. */
  cooldownMs: number;
}

/** The default {@link BreakerPolicy}: 5 consecutive failures open it for 30 s. */
export const DEFAULT_BREAKER_POLICY: BreakerPolicy = { failureThreshold: 5, cooldownMs: 30_000 };

/**
 * A circuit breaker for one provider: after `failureThreshold` consecutive failures it opens and calls
 * skip the provider; after `cooldownMs` one probe goes through (half-open); the probe's success closes
 * it, its failure opens it again for another cooldown. Time comes from the caller (`now`, epoch ms).
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | undefined;
  private probing = false;

  constructor(private readonly policy: BreakerPolicy = DEFAULT_BREAKER_POLICY) {}

  /** The state at `now`. */
  state(now: number): BreakerState {
    if (this.openedAt === undefined) return 'closed';
    return now - this.openedAt >= this.policy.cooldownMs ? 'half-open' : 'open';
  }

  /** When an open breaker lets its probe through (epoch ms); undefined unless open. */
  reopensAt(now: number): number | undefined {
    return this.state(now) === 'open' && this.openedAt !== undefined
      ? this.openedAt + this.policy.cooldownMs
      : undefined;
  }

  /**
   * Whether a call may go through now. In half-open state this takes the one probe: later calls are
   * refused until the probe reports back.
   */
  tryAcquire(now: number): boolean {
    const state = this.state(now);
    if (state === 'closed') return true;
    if (state === 'open' || this.probing) return false;
    this.probing = true;
    return true;
  }

  /** A call succeeded: the breaker closes. */
  recordSuccess(): void {
    this.failures = 0;
    this.openedAt = undefined;
    this.probing = false;
  }

  /** A call failed: a failed probe, or the threshold-th consecutive failure, opens the breaker. */
  recordFailure(now: number): void {
    this.failures++;
    if (this.probing || this.failures >= this.policy.failureThreshold) {
      this.openedAt = now;
      this.probing = false;
    }
  }

  /** A call ended without telling anything about the provider (the caller aborted it): frees the probe. */
  recordNeutral(): void {
    this.probing = false;
  }
}
