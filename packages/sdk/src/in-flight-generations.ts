import type { DrainTrigger } from './generation-drained-error.js';

/** What the registry needs of a tracked call. */
export interface DrainableCall {
  readonly flag: string;
  readonly variant: string | undefined;
  /** Whether a drain has already been scheduled for it (a call is drained once). */
  draining: boolean;
  /** Aborts the call's signal, once. */
  drain(trigger: DrainTrigger): void;
  /** The kill switch's Retry-After when a kill of its flag drains it now, else undefined. */
  killedFor(): number | undefined;
}

/** What a drain did: calls that finished within the timeout, and calls it aborted. */
export interface DrainResult {
  finished: number;
  aborted: number;
}

interface Waiter {
  remaining: Set<DrainableCall>;
  resolve: () => void;
}

/**
 * The tracked calls in flight, by flag, so that a kill or a rollback can abort them. Adding and removing
 * a call is a map lookup and a set operation; nothing is allocated per call.
 */
export class InFlightGenerations {
  private readonly byFlag = new Map<string, Set<DrainableCall>>();
  private readonly waiters = new Set<Waiter>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  add(call: DrainableCall): void {
    let calls = this.byFlag.get(call.flag);
    if (calls === undefined) {
      calls = new Set();
      this.byFlag.set(call.flag, calls);
    }
    calls.add(call);
  }

  delete(call: DrainableCall): void {
    const calls = this.byFlag.get(call.flag);
    if (calls === undefined || !calls.delete(call)) return;
    if (calls.size === 0) this.byFlag.delete(call.flag);
    if (this.waiters.size === 0) return;
    for (const waiter of this.waiters) {
      if (waiter.remaining.delete(call) && waiter.remaining.size === 0) waiter.resolve();
    }
  }

  /** Calls in flight under `flag`, or under every flag. */
  count(flag?: string): number {
    if (flag !== undefined) return this.byFlag.get(flag)?.size ?? 0;
    let total = 0;
    for (const calls of this.byFlag.values()) total += calls.size;
    return total;
  }

  /** The calls in flight under `flag` that `select` picks (a copy: draining changes the registry). */
  callsOf(flag: string, select: (call: DrainableCall) => boolean): DrainableCall[] {
    const calls = this.byFlag.get(flag);
    if (calls === undefined) return [];
    const picked: DrainableCall[] = [];
    for (const call of calls) if (!call.draining && select(call)) picked.push(call);
    return picked;
  }

  /**
   * Lets `calls` run on for `timeoutMs`, then aborts those still in flight. Resolves when every call
   * finished, or at the timeout once the rest are aborted.
   */
  drain(calls: readonly DrainableCall[], timeoutMs: number, trigger: DrainTrigger): Promise<DrainResult> {
    for (const call of calls) call.draining = true;
    if (calls.length === 0) return Promise.resolve({ finished: 0, aborted: 0 });
    if (timeoutMs <= 0) {
      for (const call of calls) call.drain(trigger);
      return Promise.resolve({ finished: 0, aborted: calls.length });
    }
    return new Promise((resolve) => {
      const remaining = new Set(calls);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waiter: Waiter = {
        remaining,
        resolve: () => {
          this.waiters.delete(waiter);
          if (timer !== undefined) {
            clearTimeout(timer);
            this.timers.delete(timer);
          }
          resolve({ finished: calls.length - remaining.size, aborted: 0 });
        },
      };
      this.waiters.add(waiter);
      timer = setTimeout(() => {
        this.timers.delete(timer as ReturnType<typeof setTimeout>);
        this.waiters.delete(waiter);
        const aborted = remaining.size;
        for (const call of remaining) call.drain(trigger);
        resolve({ finished: calls.length - aborted, aborted });
      }, timeoutMs);
      this.timers.add(timer);
    });
  }

  /** Cancels the drain timers (the client is closing); the calls they hold run on. */
  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const waiter of [...this.waiters]) waiter.resolve();
  }
}
