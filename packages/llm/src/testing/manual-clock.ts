import type { Clock } from '../clock.js';

interface Timer {
  at: number;
  resolve(): void;
}

/**
 * A clock that moves only when told: `advance(ms)` fires the sleeps that fall due, in order. With
 * `autoAdvance`, every sleep moves the clock forward at once instead (for code that only waits, such as
 * the simulated adapter, so a test runs instantly).
 *
 * @example
 * ```ts
 * const clock = new ManualClock();
 * const router = new FallbackRouter({ adapters, clock, breaker: { failureThreshold: 3, cooldownMs: 30_000 } });
 * await clock.advance(30_000); // the breaker's cooldown is over
 * ```
 */
export class ManualClock implements Clock {
  private time: number;
  private timers: Timer[] = [];

  constructor(
    start = Date.UTC(2026, 0, 1),
    private readonly options: { autoAdvance?: boolean } = {},
  ) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  /** How many sleeps are waiting. */
  get pending(): number {
    return this.timers.length;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.options.autoAdvance) {
      this.time += Math.max(0, ms);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const timer: Timer = {
        at: this.time + Math.max(0, ms),
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.timers = this.timers.filter((t) => t !== timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.push(timer);
    });
  }

  /** Moves time forward by `ms`, firing due sleeps in order and letting their continuations run. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = Math.max(this.time, due.at);
      due.resolve();
      await settle();
    }
    this.time = target;
    await settle();
  }
}

/** Lets pending promise continuations (and I/O callbacks already due) run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
