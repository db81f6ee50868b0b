import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrations.js';
import { isUniqueViolation } from '../src/db/store-helpers.js';
import type { SegmentRecord, SegmentStore } from '../src/features/segments/segment-store.js';
import { SqlSegmentStore } from '../src/features/segments/sql-segment-store.js';
import { DIALECTS, openTestDatabase } from './harness.js';

const AT = '2026-01-31T12:00:00.000Z';
const LATER = '2026-02-01T08:30:00.000Z';

function segment(projectId: string, key: string, overrides: Partial<SegmentRecord> = {}): SegmentRecord {
  return {
    id: `${projectId}:${key}`,
    projectId,
    key,
    name: key,
    description: '',
    included: [],
    excluded: [],
    clauses: [],
    version: 1,
    createdAt: AT,
    updatedAt: AT,
    ...overrides,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(DIALECTS)('SegmentStore contract on %s', (dialect) => {
  let database: Database;
  let store: SegmentStore;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    await migrateToLatest(database.db as never, dialect);
    for (const id of ['p1', 'p2']) {
      await database.db.insertInto('projects').values({ id, key: id, name: id, created_at: AT }).execute();
    }
    store = new SqlSegmentStore(database.db);
  });
  afterAll(async () => {
    await database.close();
  });

  it('stores every field and reads it back as written', async () => {
    const written = segment('p1', 'beta', {
      name: 'Beta',
      description: 'Early users',
      included: ['u1', 'ü-2'],
      excluded: ['u3'],
      clauses: [
        { attribute: 'plan', op: 'in', values: ['pro', 1, true] },
        { attribute: '', op: 'inSegment', values: ['other'], negate: true },
      ],
      version: 7,
    });
    await store.insert(database.db, written);
    expect(await store.find('p1', 'beta')).toEqual(written);
    expect(await store.find('p1', 'missing')).toBeUndefined();
    expect(await store.find('p2', 'beta')).toBeUndefined();
  });

  it('refuses a duplicate key in a project with a unique violation, and allows it in another', async () => {
    const duplicate = store.insert(database.db, segment('p1', 'beta', { id: 'another-id' }));
    await expect(duplicate).rejects.toSatisfy(isUniqueViolation);
    await store.insert(database.db, segment('p2', 'beta'));
    expect((await store.find('p2', 'beta'))?.id).toBe('p2:beta');
    expect((await store.find('p1', 'beta'))?.name).toBe('Beta');
  });

  it("lists a project's segments ordered by key", async () => {
    for (const key of ['zeta', 'alpha', 'm-1', 'm.0']) await store.insert(database.db, segment('p1', key));
    const keys = (await store.list('p1')).map((s) => s.key);
    expect(keys).toEqual(['alpha', 'beta', 'm-1', 'm.0', 'zeta']);
    expect((await store.list('p2')).map((s) => s.key)).toEqual(['beta']);
    expect(await store.list('nobody')).toEqual([]);
  });

  it('updates only at the expected version, by one, changing only what is given', async () => {
    const before = await store.find('p1', 'alpha');
    expect(before?.version).toBe(1);
    const id = before?.id ?? '';
    expect(await store.update(database.db, id, 2, { name: 'stale' }, LATER)).toBe(false);
    expect(await store.find('p1', 'alpha')).toEqual(before);
    const clauses = [{ attribute: 'tier', op: 'equals' as const, values: ['gold'] }];
    expect(await store.update(database.db, id, 1, { included: ['a', 'b'], clauses }, LATER)).toBe(true);
    expect(await store.find('p1', 'alpha')).toEqual({
      ...before,
      included: ['a', 'b'],
      clauses,
      version: 2,
      updatedAt: LATER,
    });
    expect(await store.update(database.db, id, 2, {}, LATER)).toBe(true);
    expect((await store.find('p1', 'alpha'))?.version).toBe(3);
    expect(await store.update(database.db, 'no-such-id', 1, { name: 'x' }, LATER)).toBe(false);
  });

  it('lets exactly one of concurrent updates at the same version apply', async () => {
    const { id, version } = (await store.find('p1', 'zeta')) as SegmentRecord;
    const applied = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        database.db
          .transaction()
          .execute((tx) => store.update(tx, id, version, { description: `edit ${i}` }, LATER)),
      ),
    );
    expect(applied.filter(Boolean)).toHaveLength(1);
    const winner = applied.indexOf(true);
    expect(await store.find('p1', 'zeta')).toMatchObject({
      description: `edit ${winner}`,
      version: version + 1,
    });
  });

  it('removes only at the expected version', async () => {
    const { id } = (await store.find('p1', 'm-1')) as SegmentRecord;
    expect(await store.remove(database.db, id, 2)).toBe(false);
    expect(await store.find('p1', 'm-1')).toBeDefined();
    expect(await store.remove(database.db, id, 1)).toBe(true);
    expect(await store.find('p1', 'm-1')).toBeUndefined();
    expect(await store.remove(database.db, id, 1)).toBe(false);
  });

  it('writes with the executor given, so a rolled-back transaction leaves nothing', async () => {
    const rollback = new Error('roll back');
    const attempt = database.db.transaction().execute(async (tx) => {
      await store.insert(tx, segment('p1', 'ghost'));
      const { id } = (await store.find('p1', 'alpha', tx)) as SegmentRecord;
      expect(await store.update(tx, id, 3, { name: 'inside' }, LATER)).toBe(true);
      expect((await store.list('p1', tx)).map((s) => s.key)).toContain('ghost');
      throw rollback;
    });
    await expect(attempt).rejects.toBe(rollback);
    expect(await store.find('p1', 'ghost')).toBeUndefined();
    expect((await store.find('p1', 'alpha'))?.name).toBe('alpha');
  });

  it('makes a second lockProject of the same project wait until the first transaction ends', async () => {
    const events: string[] = [];
    let locked: () => void = () => {};
    const firstLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const first = database.db.transaction().execute(async (tx) => {
      await store.lockProject(tx, 'p1');
      events.push('first locked');
      locked();
      await sleep(150);
      events.push('first ends');
    });
    await firstLocked;
    const second = database.db.transaction().execute(async (tx) => {
      await store.lockProject(tx, 'p1');
      events.push('second locked');
    });
    await Promise.all([first, second]);
    expect(events).toEqual(['first locked', 'first ends', 'second locked']);
    // The lock changes nothing.
    const project = await database.db.selectFrom('projects').selectAll().where('id', '=', 'p1').execute();
    expect(project).toEqual([{ id: 'p1', key: 'p1', name: 'p1', created_at: AT }]);
  });
});
