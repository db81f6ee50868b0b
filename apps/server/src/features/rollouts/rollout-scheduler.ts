import type { DecisionReport, RolloutService } from './rollout-service.js';
import type { RolloutStore } from './rollout-store.js';
import type { SchedulerLeadership } from './scheduler-leadership.js';

/** What one tick did. */
export interface TickReport {
  /** False when another replica held the lock (or a tick was still running here): nothing was done. */
  leader: boolean;
  decisions: DecisionReport[];
  /** Plans whose evaluation failed (the store away, a bug); they are tried again next tick. */
  failures: { planId: string; error: string }[];
}

/** Where the scheduler reports what it does; both optional. */
export interface SchedulerHooks {
  onDecision?(decision: DecisionReport): void;
  /** A plan's evaluation failed (its id), or the whole tick did (undefined). */
  onError?(planId: string | undefined, error: unknown): void;
}

/**
 * Evaluates every active rollout plan on an interval (`SWITCHBOARD_ROLLOUT_INTERVAL_MS`). Its state is
 * the store's: a restarted server resumes each plan in the stage it was in, and its stage's time and
 * data count from when the stage began. One replica acts per tick (see {@link SchedulerLeadership}).
 * Tests and simulations call {@link tick} with their own clock.
 */
export class RolloutScheduler {
  private timer: ReturnType<typeof setInterval> | undefined;
  private current: Promise<TickReport> | undefined;

  constructor(
    private readonly rollouts: RolloutService,
    private readonly store: RolloutStore,
    /** Who acts on a tick; tests hold it to see another replica skip. */
    readonly leadership: SchedulerLeadership,
    private readonly hooks: SchedulerHooks = {},
  ) {}

  /** Ticks every `intervalMs` (0: never; tests tick by hand). The timer never keeps a process alive. */
  start(intervalMs: number): void {
    if (intervalMs <= 0 || this.timer !== undefined) return;
    this.timer = setInterval(() => {
      // The store away (or the lock's connection): reported, tried again next tick.
      this.tick().catch((error: unknown) => this.hooks.onError?.(undefined, error));
    }, intervalMs);
    this.timer.unref();
  }

  /** Stops the interval and waits for a tick in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.current?.catch(() => undefined);
  }

  /** Evaluates every active plan once, if this replica leads this tick. */
  async tick(): Promise<TickReport> {
    const tick = this.leadership
      .run(async () => {
        const decisions: DecisionReport[] = [];
        const failures: TickReport['failures'] = [];
        for (const plan of await this.store.listActive()) {
          try {
            const decision = await this.rollouts.evaluate(plan);
            decisions.push(decision);
            this.hooks.onDecision?.(decision);
          } catch (error) {
            failures.push({ planId: plan.id, error: error instanceof Error ? error.message : String(error) });
            this.hooks.onError?.(plan.id, error);
          }
        }
        return { decisions, failures };
      })
      .then((led) =>
        led.leader ? { leader: true, ...led.value } : { leader: false, decisions: [], failures: [] },
      );
    this.current = tick;
    return tick;
  }
}
