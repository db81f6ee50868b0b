import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  EventStore,
  NewEventBatch,
  RollupDelta,
  UnitSighting,
} from '../../src/features/events/event-store.js';
import { SketchBuilder } from '../../src/features/events/sketch-builder.js';
import {
  type ContractOptions,
  inTransaction,
  partition,
  raceTransactions,
  type StoreFactory,
  type StoreUnderTest,
} from './store-contract-support.js';

const HOUR = '2026-03-01T10:00:00.000Z';
const NEXT_HOUR = '2026-03-01T11:00:00.000Z';

function batch(overrides: Partial<NewEventBatch> = {}): NewEventBatch {
  const events = [{ kind: 'exposure', flag: 'f', variant: 'a', unit: 'u1' }];
  return {
    environmentId: 'env-1',
    idempotencyKey: 'key-1',
    receivedAt: '2026-03-01T10:15:00.000Z',
    response: JSON.stringify({ accepted: 1, rejected: [] }),
    events: deflateRawSync(JSON.stringify(events)),
    eventCount: 1,
    ...overrides,
  };
}

function sighting(unit: string, overrides: Partial<UnitSighting> = {}): UnitSighting {
  return { flagKey: 'f', variantKey: 'a', unit, hour: HOUR, ...overrides };
}

function delta(metric: string, values: number[], overrides: Partial<RollupDelta> = {}): RollupDelta {
  const d: RollupDelta = {
    flagKey: 'f',
    hour: HOUR,
    variantKey: 'a',
    metric,
    count: values.length,
    sum: values.reduce((a, b) => a + b, 0),
    sumSquares: values.reduce((a, b) => a + b * b, 0),
    ...overrides,
  };
  if (metric.endsWith('_ms')) {
    d.sketch = new SketchBuilder();
    for (const v of values) d.sketch.accept(v);
  }
  return d;
}

/** The values a stored sketch holds, by count, and its median. */
function sketchOf(bytes: Uint8Array | null) {
  if (bytes === null) return undefined;
  const builder = new SketchBuilder();
  builder.addEncoded(bytes);
  const sketch = builder.toSketch();
  return { count: sketch.count, p50: sketch.getValueAtQuantile(0.5) };
}

/**
 * The contract of {@link EventStore}: idempotent batch records, exactly-once unit sightings, rollups
 * that add up under concurrent writers, and raw batches read back in order and purged by age.
 */
export function describeEventStore(
  name: string,
  makeStore: StoreFactory<EventStore>,
  options: ContractOptions = {},
): void {
  describe(name, () => {
    let t: StoreUnderTest<EventStore>;
    beforeEach(async () => {
      t = await makeStore();
    });
    afterEach(async () => {
      await t.close();
    });
    const concurrent = options.concurrentTransactions === true;
    const insertOne = async (tx: Parameters<EventStore['insertBatches']>[0], b: NewEventBatch) =>
      (await t.store.insertBatches(tx, [b]))[0];

    describe('batches', () => {
      it('records a key once per environment, and a repeated key neither records nor fails the transaction', async () => {
        const outcome = await inTransaction(t.db, async (tx) => {
          const first = await insertOne(tx, batch());
          const again = await insertOne(tx, batch({ response: '{"other":true}' }));
          // Still usable: a failed statement would have aborted a PostgreSQL transaction.
          const response = await t.store.responseOf(tx, 'env-1', 'key-1');
          const elsewhere = await insertOne(tx, batch({ environmentId: 'env-2' }));
          return { first, again, response, elsewhere };
        });
        expect(outcome).toEqual({
          first: true,
          again: false,
          response: JSON.stringify({ accepted: 1, rejected: [] }),
          elsewhere: true,
        });
        expect(await inTransaction(t.db, (tx) => t.store.responseOf(tx, 'env-1', 'missing'))).toBeUndefined();
      });

      it('tells, batch by batch, which of one call it recorded: a key repeated in the call only once', async () => {
        await inTransaction(t.db, (tx) => insertOne(tx, batch({ idempotencyKey: 'old' })));
        const recorded = await inTransaction(t.db, (tx) =>
          t.store.insertBatches(tx, [
            batch({ idempotencyKey: 'k2', response: 'second' }),
            batch({ idempotencyKey: 'k1', response: 'first' }),
            batch({ idempotencyKey: 'k2', response: 'again' }),
            batch({ idempotencyKey: 'old' }),
            batch({ idempotencyKey: 'k2', environmentId: 'env-2' }),
          ]),
        );
        expect(recorded).toEqual([true, true, false, false, true]);
        expect(await inTransaction(t.db, (tx) => t.store.responseOf(tx, 'env-1', 'k2'))).toBe('second');
        expect(await t.store.insertBatches(t.db, [])).toEqual([]);
      });

      it('records exactly one of concurrent batches with the same key', async () => {
        const { values, errors } = partition(
          await raceTransactions(
            t.db,
            6,
            concurrent,
            async () => undefined,
            (tx, i) => insertOne(tx, batch({ response: `{"writer":${i}}` })),
          ),
        );
        expect(errors).toEqual([]);
        expect(values.filter(Boolean)).toHaveLength(1);
        const winner = values.indexOf(true);
        expect(await inTransaction(t.db, (tx) => t.store.responseOf(tx, 'env-1', 'key-1'))).toBe(
          `{"writer":${winner}}`,
        );
      });

      it('reads batches back in the order recorded, after an id, from a time, per environment, by pages', async () => {
        const times = ['10:00', '10:05', '10:10', '10:15', '10:20'].map((hm) => `2026-03-01T${hm}:00.000Z`);
        for (const [i, receivedAt] of times.entries()) {
          await inTransaction(t.db, (tx) =>
            insertOne(tx, batch({ idempotencyKey: `k${i}`, receivedAt, eventCount: i })),
          );
          await inTransaction(t.db, (tx) =>
            insertOne(tx, batch({ environmentId: 'env-2', idempotencyKey: `k${i}`, receivedAt })),
          );
        }
        const all = await t.store.batches('env-1', 0, undefined, 100);
        expect(all.map((b) => b.eventCount)).toEqual([0, 1, 2, 3, 4]);
        expect(all.map((b) => b.receivedAt)).toEqual(times);
        expect(JSON.parse(inflateRawSync(all[0]?.events ?? new Uint8Array()).toString())).toEqual([
          { kind: 'exposure', flag: 'f', variant: 'a', unit: 'u1' },
        ]);
        const ids = all.map((b) => b.id);
        expect([...ids].sort((a, b) => a - b)).toEqual(ids);
        const page = await t.store.batches('env-1', ids[1] as number, undefined, 2);
        expect(page.map((b) => b.eventCount)).toEqual([2, 3]);
        const recent = await t.store.batches('env-1', 0, times[3], 100);
        expect(recent.map((b) => b.eventCount)).toEqual([3, 4]);
        expect(await t.store.batches('env-3', 0, undefined, 100)).toEqual([]);
      });

      it('purges at most the limit of batches received before a time, oldest first, leaving units and rollups', async () => {
        for (let i = 0; i < 5; i++) {
          await inTransaction(t.db, (tx) =>
            insertOne(
              tx,
              batch({
                idempotencyKey: `k${i}`,
                receivedAt: `2026-03-0${i + 1}T00:00:00.000Z`,
                eventCount: i,
              }),
            ),
          );
        }
        await inTransaction(t.db, async (tx) => {
          await t.store.insertUnits(tx, 'env-1', [sighting('u1')]);
          await t.store.addToRollups(tx, 'env-1', [delta('exposures', [1])]);
        });
        expect(await t.store.purge('2026-03-04T00:00:00.000Z', 2)).toBe(2);
        expect((await t.store.batches('env-1', 0, undefined, 10)).map((b) => b.eventCount)).toEqual([
          2, 3, 4,
        ]);
        expect(await t.store.purge('2026-03-04T00:00:00.000Z', 2)).toBe(1);
        expect(await t.store.purge('2026-03-04T00:00:00.000Z', 2)).toBe(0);
        expect((await t.store.batches('env-1', 0, undefined, 10)).map((b) => b.eventCount)).toEqual([3, 4]);
        expect(await t.store.rollups({ environmentId: 'env-1', flagKey: 'f' })).toHaveLength(1);
        expect(await inTransaction(t.db, (tx) => t.store.insertUnits(tx, 'env-1', [sighting('u1')]))).toEqual(
          [],
        );
      });
    });

    describe('units', () => {
      it('returns only the units not recorded before, each once, with its first sighting', async () => {
        const first = await inTransaction(t.db, (tx) =>
          t.store.insertUnits(tx, 'env-1', [
            sighting('u1'),
            sighting('u2'),
            sighting('u1', { hour: NEXT_HOUR }),
            sighting('u1', { variantKey: 'b' }),
          ]),
        );
        const sort = (units: UnitSighting[]) =>
          [...units].sort((a, b) => `${a.variantKey}${a.unit}`.localeCompare(`${b.variantKey}${b.unit}`));
        expect(sort(first)).toEqual([sighting('u1'), sighting('u2'), sighting('u1', { variantKey: 'b' })]);
        const second = await inTransaction(t.db, (tx) =>
          t.store.insertUnits(tx, 'env-1', [sighting('u2'), sighting('u3', { hour: NEXT_HOUR })]),
        );
        expect(second).toEqual([sighting('u3', { hour: NEXT_HOUR })]);
        const elsewhere = await inTransaction(t.db, (tx) =>
          t.store.insertUnits(tx, 'env-2', [sighting('u1')]),
        );
        expect(elsewhere).toEqual([sighting('u1')]);
      });

      it('records up to thousands of units in one call', async () => {
        const units = Array.from({ length: 2_500 }, (_, i) => sighting(`unit-${i}`));
        const inserted = await inTransaction(t.db, (tx) => t.store.insertUnits(tx, 'env-1', units));
        expect(inserted).toHaveLength(2_500);
        const again = await inTransaction(t.db, (tx) => t.store.insertUnits(tx, 'env-1', units));
        expect(again).toEqual([]);
      });

      it('gives each unit to exactly one of concurrent transactions', async () => {
        const { values, errors } = partition(
          await raceTransactions(
            t.db,
            6,
            concurrent,
            async () => undefined,
            // Overlapping sets, in different orders.
            (tx, i) =>
              t.store.insertUnits(
                tx,
                'env-1',
                Array.from({ length: 40 }, (_, j) => sighting(`u${(i * 7 + (i % 2 ? 39 - j : j)) % 60}`)),
              ),
          ),
        );
        expect(errors).toEqual([]);
        const all = values.flat().map((u) => u.unit);
        expect(new Set(all).size).toBe(all.length);
        const everything = new Set<string>();
        for (let i = 0; i < 6; i++) for (let j = 0; j < 40; j++) everything.add(`u${(i * 7 + j) % 60}`);
        expect(new Set(all)).toEqual(everything);
      });

      it('writes with the executor given, so a rolled-back transaction records no unit', async () => {
        const rollback = new Error('roll back');
        await expect(
          inTransaction(t.db, async (tx) => {
            await t.store.insertUnits(tx, 'env-1', [sighting('ghost')]);
            throw rollback;
          }),
        ).rejects.toBe(rollback);
        expect(
          await inTransaction(t.db, (tx) => t.store.insertUnits(tx, 'env-1', [sighting('ghost')])),
        ).toEqual([sighting('ghost')]);
      });
    });

    describe('rollups', () => {
      it('creates rows at zero and adds counts, sums, sums of squares; merges sketches', async () => {
        await inTransaction(t.db, (tx) =>
          t.store.addToRollups(tx, 'env-1', [
            delta('exposures', [1, 1]),
            delta('latency_ms', [100, 200, 300]),
          ]),
        );
        await inTransaction(t.db, (tx) =>
          t.store.addToRollups(tx, 'env-1', [delta('latency_ms', [400]), delta('exposures', [1])]),
        );
        const rows = await t.store.rollups({ environmentId: 'env-1', flagKey: 'f' });
        expect(rows.map(({ sketch, ...r }) => ({ ...r, sketch: sketchOf(sketch)?.count }))).toEqual([
          { flagKey: 'f', hour: HOUR, variantKey: 'a', metric: 'exposures', count: 3, sum: 3, sumSquares: 3 },
          {
            flagKey: 'f',
            hour: HOUR,
            variantKey: 'a',
            metric: 'latency_ms',
            count: 4,
            sum: 1_000,
            sumSquares: 300_000,
            sketch: 4,
          },
        ]);
        const p50 = sketchOf(rows[1]?.sketch ?? null)?.p50 ?? Number.NaN;
        expect(Math.abs(p50 - 200) / 200).toBeLessThanOrEqual(0.01);
      });

      it('reads one flag of one environment, hours in [from, to), ordered by hour, variant and metric', async () => {
        await inTransaction(t.db, (tx) =>
          t.store.addToRollups(tx, 'env-1', [
            delta('generations', [1], { hour: NEXT_HOUR, variantKey: 'b' }),
            delta('generations', [1], { hour: NEXT_HOUR }),
            delta('exposures', [1], { hour: NEXT_HOUR }),
            delta('exposures', [1]),
            delta('exposures', [1], { flagKey: 'other' }),
          ]),
        );
        await inTransaction(t.db, (tx) => t.store.addToRollups(tx, 'env-2', [delta('exposures', [1])]));
        const key = (r: { hour: string; variantKey: string; metric: string }) =>
          `${r.hour.slice(11, 13)} ${r.variantKey} ${r.metric}`;
        const all = await t.store.rollups({ environmentId: 'env-1', flagKey: 'f' });
        expect(all.map(key)).toEqual([
          '10 a exposures',
          '11 a exposures',
          '11 a generations',
          '11 b generations',
        ]);
        const later = await t.store.rollups({ environmentId: 'env-1', flagKey: 'f', fromHour: NEXT_HOUR });
        expect(later.map(key)).toEqual(['11 a exposures', '11 a generations', '11 b generations']);
        const earlier = await t.store.rollups({ environmentId: 'env-1', flagKey: 'f', toHour: NEXT_HOUR });
        expect(earlier.map(key)).toEqual(['10 a exposures']);
        expect(await t.store.rollups({ environmentId: 'env-3', flagKey: 'f' })).toEqual([]);

        // The same rows summed over their hours, but for the sketched metrics, which come as they are.
        const totals = await t.store.rollupTotals({ environmentId: 'env-1', flagKey: 'f' }, ['generations']);
        expect(totals.firstHour?.slice(11, 13)).toBe('10');
        expect(totals.lastHour?.slice(11, 13)).toBe('11');
        const summed = totals.rows.map((r) => `${r.variantKey} ${r.metric} ${r.count}`).sort();
        expect(summed).toEqual(['a exposures 2', 'a generations 1', 'b generations 1']);
        expect(totals.rows.find((r) => r.metric === 'exposures')?.hour.slice(11, 13)).toBe('10');
        const window = await t.store.rollupTotals(
          { environmentId: 'env-1', flagKey: 'f', toHour: NEXT_HOUR },
          [],
        );
        expect(window.rows.map((r) => `${r.variantKey} ${r.metric} ${r.count}`)).toEqual(['a exposures 1']);
        expect(await t.store.rollupTotals({ environmentId: 'env-3', flagKey: 'f' }, ['generations'])).toEqual(
          {
            rows: [],
            firstHour: null,
            lastHour: null,
          },
        );
      });

      it('loses nothing when concurrent transactions add to the same rows, in any order', async () => {
        const writers = 8;
        const metrics = ['exposures', 'generations', 'latency_ms', 'ttft_ms', 'cost_usd'];
        const { errors } = partition(
          await raceTransactions(
            t.db,
            writers,
            concurrent,
            async () => undefined,
            (tx, i) => {
              const deltas = metrics.flatMap((m) => [
                delta(m, [i + 1, 2 * (i + 1)]),
                delta(m, [i + 1], { variantKey: 'b' }),
              ]);
              // Each writer hands its rows over in another order: the store orders its locks.
              return t.store.addToRollups(tx, 'env-1', i % 2 ? deltas.reverse() : deltas);
            },
          ),
        );
        expect(errors).toEqual([]);
        const rows = await t.store.rollups({ environmentId: 'env-1', flagKey: 'f' });
        expect(rows).toHaveLength(metrics.length * 2);
        const total = (writers * (writers + 1)) / 2;
        for (const row of rows) {
          const expected =
            row.variantKey === 'a' ? { count: 2 * writers, sum: 3 * total } : { count: writers, sum: total };
          expect({ count: row.count, sum: row.sum }, `${row.variantKey} ${row.metric}`).toEqual(expected);
          if (row.metric.endsWith('_ms')) expect(sketchOf(row.sketch)?.count).toBe(expected.count);
          else expect(row.sketch).toBeNull();
        }
      });

      it('writes with the executor given, so a rolled-back transaction adds nothing', async () => {
        await inTransaction(t.db, (tx) => t.store.addToRollups(tx, 'env-1', [delta('latency_ms', [5])]));
        const rollback = new Error('roll back');
        await expect(
          inTransaction(t.db, async (tx) => {
            await t.store.addToRollups(tx, 'env-1', [delta('latency_ms', [7, 8]), delta('units', [1])]);
            throw rollback;
          }),
        ).rejects.toBe(rollback);
        const rows = await t.store.rollups({ environmentId: 'env-1', flagKey: 'f' });
        expect(rows.map((r) => [r.metric, r.count, sketchOf(r.sketch)?.count])).toEqual([
          ['latency_ms', 1, 1],
        ]);
      });
    });
  });
}
