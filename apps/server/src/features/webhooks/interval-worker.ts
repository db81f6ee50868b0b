/** Where a worker reports a failed run; the app's logger fits. */
export interface WorkerLog {
  error(details: object, message: string): void;
}

/**
 * Runs a task every `intervalMs`, never two runs at once, until stopped. A failed run is logged and
 * the next one happens as planned. `kick()` asks for a run as soon as the current one ends (new work
 * arrived). The task reads time from the injected clock itself: this only paces it.
 *
 * @example
 * const worker = new IntervalWorker('webhook deliveries', () => webhooks.deliverDue(), log);
 * worker.start(1_000);
 * await worker.stop();
 */
export class IntervalWorker {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private intervalMs = 0;
  private started = false;
  private again = false;

  constructor(
    private readonly name: string,
    private readonly task: () => Promise<unknown>,
    private readonly log: WorkerLog,
  ) {}

  /** Starts the runs; 0 leaves the worker off (tests call the task themselves). */
  start(intervalMs: number): void {
    if (this.started || intervalMs <= 0) return;
    this.started = true;
    this.intervalMs = intervalMs;
    this.schedule(0);
  }

  /** A run soon, if the worker is started. */
  kick(): void {
    if (!this.started) return;
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  /** Stops the runs and waits for the one under way. */
  async stop(): Promise<void> {
    this.started = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), delayMs);
    // A worker alone never keeps the process alive.
    this.timer.unref();
  }

  private run(): void {
    this.timer = undefined;
    if (!this.started || this.running !== undefined) return;
    this.again = false;
    this.running = this.task()
      .then(
        () => undefined,
        (error: unknown) => this.log.error({ err: error }, `${this.name} failed`),
      )
      .finally(() => {
        this.running = undefined;
        if (this.started) this.schedule(this.again ? 0 : this.intervalMs);
      });
  }
}
