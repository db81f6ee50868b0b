import { deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/harness.js';
import { BatchRollup } from './batch-rollup.js';
import { BatchWriter } from './batch-writer.js';
import { SqlEventStore } from './sql-event-store.js';

describe('BatchWriter.idle', () => {
  let t: TestApp;
  let environmentId: string;

  beforeAll(async () => {
    t = await startTestApp('sqlite');
    const row = await t.database.db.selectFrom('environments').select('id').executeTakeFirstOrThrow();
    environmentId = row.id;
  });
  afterAll(() => t?.destroy());

  it('resolves only once every batch handed to write() is committed: a closing server waits on it', async () => {
    const writer = new BatchWriter(t.database, new SqlEventStore(t.database.db), 1);
    await writer.idle();
    const settled: string[] = [];
    for (let i = 0; i < 5; i++) {
      const key = `idle-${i}`;
      void writer
        .write({
          record: {
            environmentId,
            idempotencyKey: key,
            receivedAt: new Date().toISOString(),
            response: JSON.stringify({ accepted: 0, rejected: [] }),
            events: deflateRawSync('[]'),
            eventCount: 0,
          },
          rollup: new BatchRollup(),
        })
        .then(() => settled.push(key));
    }
    expect(settled).toEqual([]);
    await writer.idle();
    expect(settled).toHaveLength(5);
    const stored = await t.database.db
      .selectFrom('event_batches')
      .select('idempotency_key')
      .where('idempotency_key', 'like', 'idle-%')
      .execute();
    expect(stored).toHaveLength(5);
  });
});
