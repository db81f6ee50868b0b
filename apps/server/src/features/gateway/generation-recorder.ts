import { randomUUID } from 'node:crypto';
import type { GenerationEvent } from '@switchboard/core';
import type { EnvironmentSnapshot } from '../evaluation/snapshot-service.js';
import type { IngestResult } from '../events/event-service.js';

/** Where recorded generations go: `EventService.ingest`. */
export type GenerationSink = (
  scope: EnvironmentSnapshot,
  idempotencyKey: string,
  events: readonly GenerationEvent[],
) => Promise<IngestResult>;

/** Options of {@link GenerationRecorder}. */
export interface GenerationRecorderOptions {
  /** How long a generation may wait before its batch is written; 200 ms unless given. */
  flushIntervalMs?: number;
  /** Generations written per batch at most; a full batch is written at once. 500 unless given. */
  batchSize?: number;
  /** Generations held at most while the store is slow; beyond, new ones are dropped and counted. */
  maxBuffered?: number;
  /** Told of batches the store refused, in part or whole. */
  onProblem?: (message: string, detail: unknown) => void;
}

const FLUSH_INTERVAL_MS = 200;
const BATCH_SIZE = 500;
const MAX_BUFFERED = 50_000;

/**
 * Records the gateway's generations off the request path: each is buffered and written with the
 * others of its environment in one ingestion batch (one transaction) every `flushIntervalMs` or
 * `batchSize` generations. Recording never fails a request: a refused batch is reported and dropped.
 */
export class GenerationRecorder {
  private readonly pending = new Map<string, { scope: EnvironmentSnapshot; events: GenerationEvent[] }>();
  private readonly writing = new Set<Promise<void>>();
  private buffered = 0;
  private droppedCount = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly sink: GenerationSink,
    private readonly options: GenerationRecorderOptions = {},
  ) {}

  /** Generations dropped because the buffer was full. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Buffers one generation of the environment of `scope`. */
  record(scope: EnvironmentSnapshot, event: GenerationEvent): void {
    if (this.buffered >= (this.options.maxBuffered ?? MAX_BUFFERED)) {
      this.droppedCount++;
      return;
    }
    let entry = this.pending.get(scope.environmentId);
    if (entry === undefined) {
      entry = { scope, events: [] };
      this.pending.set(scope.environmentId, entry);
    }
    // The newest snapshot knows every flag and variant an older one did, and any added since.
    if (scope.version > entry.scope.version) entry.scope = scope;
    entry.events.push(event);
    this.buffered++;
    if (entry.events.length >= (this.options.batchSize ?? BATCH_SIZE)) this.write(scope.environmentId);
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        for (const id of [...this.pending.keys()]) this.write(id);
      }, this.options.flushIntervalMs ?? FLUSH_INTERVAL_MS);
      this.timer.unref();
    }
  }

  /** Writes everything buffered and waits for every write under way. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const id of [...this.pending.keys()]) this.write(id);
    await Promise.all([...this.writing]);
  }

  private write(environmentId: string): void {
    const entry = this.pending.get(environmentId);
    if (entry === undefined) return;
    this.pending.delete(environmentId);
    this.buffered -= entry.events.length;
    const writing = this.sink(entry.scope, `gateway-${randomUUID()}`, entry.events).then(
      (result) => {
        if (result.rejected.length > 0)
          this.options.onProblem?.('the store refused gateway generations', result.rejected);
      },
      (error: unknown) => this.options.onProblem?.('recording gateway generations failed', error),
    );
    this.writing.add(writing);
    void writing.finally(() => this.writing.delete(writing));
  }
}
