import type { Executor } from '../../db/store-helpers.js';
import type { SketchBuilder } from './sketch-builder.js';

/** An accepted `POST /api/v1/events` as recorded. */
export interface NewEventBatch {
  environmentId: string;
  idempotencyKey: string;
  /** ISO-8601 UTC. */
  receivedAt: string;
  /** The answer given (`{ accepted, rejected }`), as JSON: a replay of the key gets it again. */
  response: string;
  /** The accepted events as a JSON array with their server-filled fields, deflated (raw DEFLATE). */
  events: Uint8Array;
  eventCount: number;
}

/** A recorded batch, as export reads it back. */
export interface StoredEventBatch {
  id: number;
  receivedAt: string;
  /** As recorded: deflated JSON. */
  events: Uint8Array;
  eventCount: number;
}

/** A unit named by an event under a flag's variant, in the UTC hour (ISO-8601) of that event. */
export interface UnitSighting {
  flagKey: string;
  variantKey: string;
  unit: string;
  hour: string;
}

/** Which rollup row: the environment is given beside it. */
export interface RollupKey {
  flagKey: string;
  /** ISO-8601 start of the UTC hour. */
  hour: string;
  variantKey: string;
  metric: string;
}

/** What one batch adds to one rollup row. */
export interface RollupDelta extends RollupKey {
  count: number;
  sum: number;
  sumSquares: number;
  /** The batch's values of a sketched metric. */
  sketch?: SketchBuilder;
}

/** A rollup row as stored. */
export interface RollupRow extends RollupKey {
  count: number;
  sum: number;
  sumSquares: number;
  /** A DDSketch in its protobuf encoding, for sketched metrics. */
  sketch: Uint8Array | null;
}

/** Which rollup rows to read: one flag of one environment, hours in `[fromHour, toHour)`. */
export interface RollupQuery {
  environmentId: string;
  flagKey: string;
  fromHour?: string | undefined;
  toHour?: string | undefined;
}

/**
 * Events: accepted batches (raw, for export, until purged), the first sighting of each unit, and
 * the rollups that results read. Writes take the executor of the caller's transaction, so a batch's
 * record, units and rollups commit together or not at all.
 *
 * - `insertBatches` MUST record each batch whose idempotency key its environment has not recorded (nor
 *   an earlier batch of the same call) and tell, per batch in the order given, whether it recorded it;
 *   a repeated key MUST NOT fail the transaction (on PostgreSQL a unique violation would abort it). Of
 *   concurrent inserts of one key, exactly one MUST record it.
 * - `responseOf` MUST return the response recorded with a key, or undefined.
 * - `insertUnits` MUST record the sightings of units not yet recorded for their environment, flag and
 *   variant (the first sighting of a unit within the call wins) and return exactly those; a unit
 *   recorded before, by this call or any concurrent transaction, MUST NOT be returned again.
 * - `addToRollups` MUST add each delta's count, sum and sum of squares to its row (creating it at
 *   zero) and merge its sketch into the row's, losing nothing when concurrent transactions update
 *   the same rows, and MUST NOT deadlock with them (rows are locked in key order).
 * - `rollups` MUST return the rows of one flag in `[fromHour, toHour)`, ordered by hour, variant,
 *   metric.
 * - `batches` MUST return an environment's batches with an id above `afterId` (and received at or
 *   after `receivedFrom`), in the order they were recorded, at most `limit`.
 * - `purge` MUST delete at most `limit` batches received before `receivedBefore`, oldest first, and
 *   return how many; it MUST NOT touch units or rollups.
 */
export interface EventStore {
  insertBatches(tx: Executor, batches: readonly NewEventBatch[]): Promise<boolean[]>;
  responseOf(tx: Executor, environmentId: string, idempotencyKey: string): Promise<string | undefined>;
  insertUnits(tx: Executor, environmentId: string, units: readonly UnitSighting[]): Promise<UnitSighting[]>;
  addToRollups(tx: Executor, environmentId: string, deltas: readonly RollupDelta[]): Promise<void>;
  rollups(query: RollupQuery): Promise<RollupRow[]>;
  /**
   * The rows of `rollups(query)` summed over their hours where no sketch must be merged: one row per
   * variant and metric for the metrics not in `sketched` (its hour the first with data), and every row
   * of the `sketched` metrics as it is. Together with the first and last hour read. MUST give the same
   * totals as summing `rollups(query)`.
   */
  rollupTotals(
    query: RollupQuery,
    sketched: readonly string[],
  ): Promise<{ rows: RollupRow[]; firstHour: string | null; lastHour: string | null }>;
  batches(
    environmentId: string,
    afterId: number,
    receivedFrom: string | undefined,
    limit: number,
  ): Promise<StoredEventBatch[]>;
  purge(receivedBefore: string, limit: number): Promise<number>;
}
