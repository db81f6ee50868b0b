import type { Kysely } from 'kysely';
import type { Executor } from '../../db/store-helpers.js';
import type { Tables } from '../../db/tables.js';
import type {
  EventStore,
  NewEventBatch,
  RollupDelta,
  RollupKey,
  RollupQuery,
  RollupRow,
  StoredEventBatch,
  UnitSighting,
} from './event-store.js';
import { SketchBuilder } from './sketch-builder.js';

/**
 * Rows per multi-row statement: 5 parameters each stays far below SQLite's 32,766 and PostgreSQL's
 * 65,535 bound parameters.
 */
const ROWS_PER_STATEMENT = 1_000;

const ROLLUP_KEY = ['environment_id', 'flag_key', 'hour', 'variant_key', 'metric'] as const;

export class SqlEventStore implements EventStore {
  constructor(private readonly db: Kysely<Tables>) {}

  async insertBatches(tx: Executor, batches: readonly NewEventBatch[]): Promise<boolean[]> {
    if (batches.length === 0) return [];
    // One statement, in key order: concurrent transactions holding keys in common then wait for each
    // other in one order (a key's second insert waits for the first to commit or roll back).
    const order = batches
      .map((b, i) => ({ b, i, key: `${b.environmentId}\u0000${b.idempotencyKey}` }))
      .sort((x, y) => compareText(x.key, y.key) || x.i - y.i);
    const rows = await tx
      .insertInto('event_batches')
      .values(
        order.map(({ b }) => ({
          environment_id: b.environmentId,
          idempotency_key: b.idempotencyKey,
          received_at: b.receivedAt,
          response: b.response,
          events: Buffer.from(b.events.buffer, b.events.byteOffset, b.events.byteLength),
          event_count: b.eventCount,
        })),
      )
      .onConflict((oc) => oc.columns(['environment_id', 'idempotency_key']).doNothing())
      .returning(['environment_id', 'idempotency_key'])
      .execute();
    const inserted = new Set(rows.map((r) => `${r.environment_id}\u0000${r.idempotency_key}`));
    const recorded = new Array<boolean>(batches.length).fill(false);
    for (const { i, key } of order) {
      // A key given twice is recorded once, for the first batch that gave it.
      if (inserted.delete(key)) recorded[i] = true;
    }
    return recorded;
  }

  async responseOf(tx: Executor, environmentId: string, idempotencyKey: string): Promise<string | undefined> {
    const row = await tx
      .selectFrom('event_batches')
      .select('response')
      .where('environment_id', '=', environmentId)
      .where('idempotency_key', '=', idempotencyKey)
      .executeTakeFirst();
    return row?.response;
  }

  async insertUnits(
    tx: Executor,
    environmentId: string,
    units: readonly UnitSighting[],
  ): Promise<UnitSighting[]> {
    // One row per unit (the first sighting), in key order: concurrent transactions then wait for each
    // other's new rows in one order, never in a cycle.
    const first = new Map<string, UnitSighting>();
    for (const u of units) {
      const key = `${u.flagKey}\u0000${u.variantKey}\u0000${u.unit}`;
      if (!first.has(key)) first.set(key, u);
    }
    const sorted = [...first.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, u]) => u);
    const inserted: UnitSighting[] = [];
    for (let i = 0; i < sorted.length; i += ROWS_PER_STATEMENT) {
      const rows = await tx
        .insertInto('event_units')
        .values(
          sorted.slice(i, i + ROWS_PER_STATEMENT).map((u) => ({
            environment_id: environmentId,
            flag_key: u.flagKey,
            variant_key: u.variantKey,
            unit: u.unit,
            first_hour: u.hour,
          })),
        )
        .onConflict((oc) => oc.columns(['environment_id', 'flag_key', 'variant_key', 'unit']).doNothing())
        .returning(['flag_key', 'variant_key', 'unit', 'first_hour'])
        .execute();
      for (const r of rows) {
        inserted.push({ flagKey: r.flag_key, variantKey: r.variant_key, unit: r.unit, hour: r.first_hour });
      }
    }
    return inserted;
  }

  async addToRollups(tx: Executor, environmentId: string, deltas: readonly RollupDelta[]): Promise<void> {
    if (deltas.length === 0) return;
    // Key order within each statement, rows without a sketch first, then those with one (disjoint
    // sets of rows): concurrent batches lock shared rows in one global order, so never in a cycle.
    const sorted = [...deltas].sort(compareRollupKeys);
    const sketched = sorted.filter((d) => d.sketch !== undefined);
    await this.addNumbers(
      tx,
      environmentId,
      sorted.filter((d) => d.sketch === undefined),
    );
    if (sketched.length === 0) return;
    // The sketch is left alone by that statement and returned as it was, to be merged here while the
    // row stays locked (PostgreSQL) until the transaction ends.
    const stored = await this.addNumbers(tx, environmentId, sketched);
    const merged = sketched.map((d) => {
      const builder = new SketchBuilder();
      const before = stored.get(keyOf(d.flagKey, d.hour, d.variantKey, d.metric));
      if (before !== undefined) builder.addEncoded(before);
      if (d.sketch !== undefined) builder.addBuilder(d.sketch);
      const bytes = builder.encode();
      return {
        environment_id: environmentId,
        flag_key: d.flagKey,
        hour: d.hour,
        variant_key: d.variantKey,
        metric: d.metric,
        // Never inserted: the statement above created every row and holds its lock.
        count: 0,
        sum: 0,
        sum_squares: 0,
        sketch: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      };
    });
    await tx
      .insertInto('event_rollups')
      .values(merged)
      .onConflict((oc) => oc.columns(ROLLUP_KEY).doUpdateSet((eb) => ({ sketch: eb.ref('excluded.sketch') })))
      .execute();
  }

  /**
   * Adds the numbers of sorted deltas to their rows, atomically in SQL (creating them at zero); for
   * deltas with a sketch, returns the rows' stored sketches by key.
   */
  private async addNumbers(
    tx: Executor,
    environmentId: string,
    deltas: readonly RollupDelta[],
  ): Promise<Map<string, Uint8Array>> {
    const stored = new Map<string, Uint8Array>();
    for (let i = 0; i < deltas.length; i += ROWS_PER_STATEMENT) {
      const chunk = deltas.slice(i, i + ROWS_PER_STATEMENT);
      const upsert = tx
        .insertInto('event_rollups')
        .values(
          chunk.map((d) => ({
            environment_id: environmentId,
            flag_key: d.flagKey,
            hour: d.hour,
            variant_key: d.variantKey,
            metric: d.metric,
            count: d.count,
            sum: d.sum,
            sum_squares: d.sumSquares,
            sketch: null,
          })),
        )
        .onConflict((oc) =>
          oc.columns(ROLLUP_KEY).doUpdateSet((eb) => ({
            count: eb('event_rollups.count', '+', eb.ref('excluded.count')),
            sum: eb('event_rollups.sum', '+', eb.ref('excluded.sum')),
            sum_squares: eb('event_rollups.sum_squares', '+', eb.ref('excluded.sum_squares')),
          })),
        );
      if (chunk[0]?.sketch === undefined) {
        await upsert.execute();
        continue;
      }
      const rows = await upsert.returning(['flag_key', 'hour', 'variant_key', 'metric', 'sketch']).execute();
      for (const r of rows) {
        if (r.sketch !== null)
          stored.set(keyOf(r.flag_key, r.hour, r.variant_key, r.metric), bytesOf(r.sketch));
      }
    }
    return stored;
  }

  async rollups(q: RollupQuery): Promise<RollupRow[]> {
    let query = this.db
      .selectFrom('event_rollups')
      .select(['flag_key', 'hour', 'variant_key', 'metric', 'count', 'sum', 'sum_squares', 'sketch'])
      .where('environment_id', '=', q.environmentId)
      .where('flag_key', '=', q.flagKey);
    if (q.fromHour !== undefined) query = query.where('hour', '>=', q.fromHour);
    if (q.toHour !== undefined) query = query.where('hour', '<', q.toHour);
    const rows = await query.orderBy('hour').orderBy('variant_key').orderBy('metric').execute();
    return rows.map((r) => ({
      flagKey: r.flag_key,
      hour: r.hour,
      variantKey: r.variant_key,
      metric: r.metric,
      count: Number(r.count),
      sum: Number(r.sum),
      sumSquares: Number(r.sum_squares),
      sketch: r.sketch === null ? null : bytesOf(r.sketch),
    }));
  }

  async rollupTotals(
    q: RollupQuery,
    sketched: readonly string[],
  ): Promise<{ rows: RollupRow[]; firstHour: string | null; lastHour: string | null }> {
    // Summed in the database: results over a week read one row per variant and metric, not one per
    // hour (the rows that hold sketches still come one by one: their merge is ours).
    let totals = this.db
      .selectFrom('event_rollups')
      .select((eb) => [
        'variant_key',
        'metric',
        eb.fn.min('hour').as('first_hour'),
        eb.fn.max('hour').as('last_hour'),
        eb.fn.sum<number>('count').as('count'),
        eb.fn.sum<number>('sum').as('sum'),
        eb.fn.sum<number>('sum_squares').as('sum_squares'),
      ])
      .where('environment_id', '=', q.environmentId)
      .where('flag_key', '=', q.flagKey);
    let sketchRows = this.db
      .selectFrom('event_rollups')
      .select(['flag_key', 'hour', 'variant_key', 'metric', 'count', 'sum', 'sum_squares', 'sketch'])
      .where('environment_id', '=', q.environmentId)
      .where('flag_key', '=', q.flagKey);
    if (q.fromHour !== undefined) {
      totals = totals.where('hour', '>=', q.fromHour);
      sketchRows = sketchRows.where('hour', '>=', q.fromHour);
    }
    if (q.toHour !== undefined) {
      totals = totals.where('hour', '<', q.toHour);
      sketchRows = sketchRows.where('hour', '<', q.toHour);
    }
    if (sketched.length > 0) {
      totals = totals.where('metric', 'not in', [...sketched]);
      sketchRows = sketchRows.where('metric', 'in', [...sketched]);
    }
    const [summed, each] = await Promise.all([
      totals.groupBy(['variant_key', 'metric']).execute(),
      sketched.length > 0 ? sketchRows.execute() : Promise.resolve([]),
    ]);
    let firstHour: string | null = null;
    let lastHour: string | null = null;
    const rows: RollupRow[] = [];
    for (const r of summed) {
      const first = String(r.first_hour);
      const last = String(r.last_hour);
      if (firstHour === null || first < firstHour) firstHour = first;
      if (lastHour === null || last > lastHour) lastHour = last;
      rows.push({
        flagKey: q.flagKey,
        hour: first,
        variantKey: r.variant_key,
        metric: r.metric,
        count: Number(r.count),
        sum: Number(r.sum),
        sumSquares: Number(r.sum_squares),
        sketch: null,
      });
    }
    for (const r of each) {
      if (firstHour === null || r.hour < firstHour) firstHour = r.hour;
      if (lastHour === null || r.hour > lastHour) lastHour = r.hour;
      rows.push({
        flagKey: r.flag_key,
        hour: r.hour,
        variantKey: r.variant_key,
        metric: r.metric,
        count: Number(r.count),
        sum: Number(r.sum),
        sumSquares: Number(r.sum_squares),
        sketch: r.sketch === null ? null : bytesOf(r.sketch),
      });
    }
    return { rows, firstHour, lastHour };
  }

  async batches(
    environmentId: string,
    afterId: number,
    receivedFrom: string | undefined,
    limit: number,
  ): Promise<StoredEventBatch[]> {
    let query = this.db
      .selectFrom('event_batches')
      .select(['id', 'received_at', 'events', 'event_count'])
      .where('environment_id', '=', environmentId)
      .where('id', '>', afterId);
    if (receivedFrom !== undefined) query = query.where('received_at', '>=', receivedFrom);
    const rows = await query.orderBy('id').limit(limit).execute();
    return rows.map((r) => ({
      id: Number(r.id),
      receivedAt: r.received_at,
      events: bytesOf(r.events),
      eventCount: Number(r.event_count),
    }));
  }

  async purge(receivedBefore: string, limit: number): Promise<number> {
    const result = await this.db
      .deleteFrom('event_batches')
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('event_batches')
          .select('id')
          .where('received_at', '<', receivedBefore)
          .orderBy('id')
          .limit(limit),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

/** A blob as the driver returns it: a Buffer (pg), or an ArrayBuffer (libsql). */
function bytesOf(blob: Uint8Array | ArrayBuffer): Uint8Array {
  return blob instanceof ArrayBuffer ? new Uint8Array(blob) : blob;
}

function keyOf(flagKey: string, hour: string, variantKey: string, metric: string): string {
  return `${flagKey}\u0000${hour}\u0000${variantKey}\u0000${metric}`;
}

/** The order of the rollup table's key (after the environment, which one call shares). */
function compareRollupKeys(a: RollupKey, b: RollupKey): number {
  return (
    compareText(a.flagKey, b.flagKey) ||
    compareText(a.hour, b.hour) ||
    compareText(a.variantKey, b.variantKey) ||
    compareText(a.metric, b.metric)
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
