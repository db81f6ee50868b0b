import type { Clock } from '@switchboard/llm';

/**
 * A clock on which every wait is over at once, moving the time forward by its length: simulated
 * requests run in no real time with the timings they would have had. The demo writes its history
 * with it, one request after another (concurrent waits would add up).
 */
export class InstantClock implements Clock {
  constructor(private time: number) {}

  now(): number {
    return this.time;
  }

  /** Moves the time to `ms`; never backwards. */
  moveTo(ms: number): void {
    this.time = Math.max(this.time, ms);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.time += Math.max(0, ms);
    return Promise.resolve();
  }
}
