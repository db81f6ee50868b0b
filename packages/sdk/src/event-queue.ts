import { randomUUID } from 'node:crypto';
import type { Logger } from './logger.js';

/** How events are batched and sent. */
export interface EventQueueOptions {
  /** Sends one batch; throws when it could not be delivered. The key is the same on every retry. */
  send(events: readonly unknown[], idempotencyKey: string): Promise<void>;
  /** A batch is sent as soon as this many events wait. */
  batchSize: number;
  /** Events beyond this many waiting are dropped (and counted): memory stays bounded. */
  maxBuffer: number;
  flushIntervalMs: number;
  /** Attempts per batch before it is given up (and counted as failed). */
  maxAttempts: number;
  logger: Logger;
}

/** Counters of what happened to events, for the application's own monitoring. */
export interface EventQueueStats {
  queued: number;
  sent: number;
  dropped: number;
  failed: number;
}

interface Batch {
  events: unknown[];
  key: string;
  attempts: number;
}

/**
 * A bounded, batching event buffer. `push` never blocks and never throws; batches go out on size, on
 * an interval, and on `close()`, each with an idempotency key that its retries reuse so the server can
 * refuse to count a replay.
 */
export class EventQueue {
  private buffer: unknown[] = [];
  private retry: Batch | undefined;
  private flushing: Promise<void> | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private droppedSinceReport = 0;
  private closed = false;
  private readonly counters: EventQueueStats = { queued: 0, sent: 0, dropped: 0, failed: 0 };

  constructor(private readonly options: EventQueueOptions) {}

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  push(event: unknown): void {
    // After close() nothing would ever send it: counted as dropped.
    if (this.closed || this.buffer.length + (this.retry?.events.length ?? 0) >= this.options.maxBuffer) {
      this.counters.dropped++;
      this.droppedSinceReport++;
      return;
    }
    this.buffer.push(event);
    this.counters.queued++;
    if (this.buffer.length >= this.options.batchSize) void this.flush();
  }

  /** Sends everything waiting (one batch at a time); resolves when done, never rejects. */
  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  /** Stops the interval and sends what is left. */
  async close(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.closed = true;
    // A batch that fails gets its remaining attempts now. Every pass makes one attempt or more, each
    // batch has at most maxAttempts, and nothing is added once closed: the loop ends.
    do {
      await this.flush();
    } while (this.retry !== undefined || this.buffer.length > 0);
  }

  stats(): EventQueueStats {
    return { ...this.counters, queued: this.buffer.length + (this.retry?.events.length ?? 0) };
  }

  private async drain(): Promise<void> {
    if (this.droppedSinceReport > 0) {
      this.options.logger.warn(
        `dropped ${this.droppedSinceReport} events: the buffer of ${this.options.maxBuffer} was full`,
      );
      this.droppedSinceReport = 0;
    }
    for (;;) {
      const batch = this.retry ?? this.nextBatch();
      if (batch === undefined) return;
      this.retry = undefined;
      batch.attempts++;
      try {
        await this.options.send(batch.events, batch.key);
        this.counters.sent += batch.events.length;
      } catch (error) {
        if (batch.attempts < this.options.maxAttempts) {
          this.retry = batch;
          this.options.logger.warn(
            `sending ${batch.events.length} events failed (attempt ${batch.attempts}); will retry`,
            {
              error: String(error),
            },
          );
          return;
        }
        this.counters.failed += batch.events.length;
        this.options.logger.error(
          `gave up on ${batch.events.length} events after ${batch.attempts} attempts`,
          {
            error: String(error),
          },
        );
      }
    }
  }

  private nextBatch(): Batch | undefined {
    if (this.buffer.length === 0) return undefined;
    const events = this.buffer.slice(0, this.options.batchSize);
    this.buffer = this.buffer.slice(events.length);
    return { events, key: randomUUID(), attempts: 0 };
  }
}
