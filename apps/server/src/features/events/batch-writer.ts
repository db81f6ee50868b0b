import type { Database } from '../../db/database.js';
import type { Executor } from '../../db/store-helpers.js';
import { BatchRollup } from './batch-rollup.js';
import type { EventStore, NewEventBatch, UnitSighting } from './event-store.js';
import { KnownUnits } from './known-units.js';

/** A validated batch, ready to record: its record and its contribution to the rollups. */
export interface PreparedBatch {
  record: NewEventBatch;
  rollup: BatchRollup;
}

/** The response recorded with the key earlier (a replay), or undefined when this batch was recorded now. */
export type WriteOutcome = string | undefined;

/** Batches recorded in one transaction at most. */
const MAX_GROUP_BATCHES = 32;
/** And at most this many events: a transaction stays short, whatever the batch sizes. */
const MAX_GROUP_EVENTS = 20_000;
/**
 * While batches keep coming (a group was just written), the next group waits up to this long for
 * this many events before it is written: a few milliseconds more per request, for far fewer
 * transactions under load (each costs about as much as a few thousand events' rollups).
 */
const GROUP_LINGER_MS = 2;
const GROUP_TARGET_EVENTS = 4_000;

interface Pending {
  batch: PreparedBatch;
  resolve(outcome: WriteOutcome): void;
  reject(error: unknown): void;
}

/**
 * Records batches, grouping the ones that arrive while a transaction is running into the next one
 * (group commit). Each batch stays atomic and idempotent: its record, its new units and its rollups
 * commit together, and a batch whose key is already recorded changes nothing. A group touches each
 * rollup row once however many batches it holds, and commits once: on the embedded store, which runs
 * one transaction at a time, that is what sustained ingestion needs. Should a group fail, each of its
 * batches is tried alone, so that one batch cannot fail the others.
 */
export class BatchWriter {
  private readonly queue: Pending[] = [];
  private queuedEvents = 0;
  private running = 0;
  /** Ends the current linger early, once enough events are queued. */
  private wake: (() => void) | undefined;
  private readonly knownUnits = new KnownUnits();
  /** Every write not settled yet (see {@link idle}). */
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly database: Database,
    private readonly store: EventStore,
    /** Transactions run side by side: 1 on SQLite (one connection); a few on PostgreSQL. */
    private readonly concurrency: number,
  ) {}

  /** Whether a unit of an environment is known to be recorded (see {@link BatchRollup}). */
  knownUnitsOf(environmentId: string): (flag: string, variant: string, unit: string) => boolean {
    return this.knownUnits.checker(environmentId);
  }

  /** Records a batch (with whatever batches are waiting beside it). */
  write(batch: PreparedBatch): Promise<WriteOutcome> {
    const written = new Promise<WriteOutcome>((resolve, reject) => {
      this.queue.push({ batch, resolve, reject });
      this.queuedEvents += batch.record.eventCount;
      if (this.queuedEvents >= GROUP_TARGET_EVENTS) this.wake?.();
      if (this.running < this.concurrency) void this.drain();
    });
    const settled = written.then(
      () => undefined,
      () => undefined,
    );
    this.pending.add(settled);
    void settled.then(() => this.pending.delete(settled));
    return written;
  }

  /**
   * Resolves once every batch handed to {@link write} so far is committed or failed: a server that
   * stops waits for it before closing the store, so that no request's write is cut off.
   */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }

  private async drain(): Promise<void> {
    this.running += 1;
    try {
      for (let group = await this.next(false); group.length > 0; group = await this.next(true)) {
        try {
          const outcomes = await this.writeGroup(group.map((p) => p.batch));
          for (const [i, p] of group.entries()) p.resolve(outcomes[i]);
        } catch (error) {
          if (group.length === 1) (group[0] as Pending).reject(error);
          else await this.writeAlone(group);
        }
      }
    } finally {
      this.running -= 1;
    }
  }

  private async writeAlone(group: Pending[]): Promise<void> {
    for (const p of group) {
      try {
        p.resolve((await this.writeGroup([p.batch]))[0]);
      } catch (error) {
        p.reject(error);
      }
    }
  }

  private async next(busy: boolean): Promise<Pending[]> {
    // SQLite runs a transaction without yielding to the event loop (the driver is synchronous): let
    // the requests that arrived meanwhile queue their batches first, or every group would hold one.
    await new Promise((resolve) => setImmediate(resolve));
    if (busy && this.queue.length > 0 && this.queuedEvents < GROUP_TARGET_EVENTS) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, GROUP_LINGER_MS);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    return this.take();
  }

  private take(): Pending[] {
    let events = 0;
    let n = 0;
    while (n < this.queue.length && n < MAX_GROUP_BATCHES) {
      events += (this.queue[n] as Pending).batch.record.eventCount;
      if (n > 0 && events > MAX_GROUP_EVENTS) break;
      n += 1;
    }
    const group = this.queue.splice(0, n);
    for (const p of group) this.queuedEvents -= p.batch.record.eventCount;
    return group;
  }

  /** Records the batches of one environment or several in one transaction; one outcome per batch. */
  private async writeGroup(batches: PreparedBatch[]): Promise<WriteOutcome[]> {
    const outcomes: WriteOutcome[] = [];
    const recorded: PreparedBatch[] = [];
    const sightings = new Map<string, UnitSighting[]>();
    await this.database.db.transaction().execute(async (tx) => {
      const isNew = await this.store.insertBatches(
        tx,
        batches.map((b) => b.record),
      );
      for (const [i, batch] of batches.entries()) {
        if (isNew[i] === true) recorded.push(batch);
        outcomes.push(
          isNew[i] === true
            ? undefined
            : await this.store.responseOf(tx, batch.record.environmentId, batch.record.idempotencyKey),
        );
      }
      const byEnvironment = new Map<string, BatchRollup>();
      for (const batch of recorded) {
        const id = batch.record.environmentId;
        if (batches.length === 1) {
          byEnvironment.set(id, batch.rollup);
          continue;
        }
        // Copied, not shared: should the group fail, each batch is written again from its own.
        const combined = byEnvironment.get(id) ?? new BatchRollup();
        combined.absorb(batch.rollup);
        byEnvironment.set(id, combined);
      }
      for (const [environmentId, combined] of byEnvironment) {
        await this.recordRollups(tx, environmentId, combined, sightings);
      }
    });
    for (const [environmentId, units] of sightings) this.knownUnits.remember(environmentId, units);
    return outcomes;
  }

  private async recordRollups(
    tx: Executor,
    environmentId: string,
    rollup: BatchRollup,
    sightings: Map<string, UnitSighting[]>,
  ): Promise<void> {
    const unknown = this.knownUnits.unknown(environmentId, rollup.units());
    if (unknown.length > 0) rollup.addNewUnits(await this.store.insertUnits(tx, environmentId, unknown));
    sightings.set(environmentId, unknown);
    await this.store.addToRollups(tx, environmentId, rollup.rows());
  }
}
