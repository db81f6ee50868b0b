import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  AuditEntry,
  AuditQuery,
  AuditStore,
  NewAuditEntry,
} from '../../src/features/audit/audit-store.js';
import {
  type ContractOptions,
  inTransaction,
  raceTransactions,
  type StoreFactory,
  type StoreUnderTest,
  timestamps,
} from './store-contract-support.js';

function entry(overrides: Partial<NewAuditEntry> = {}): NewAuditEntry {
  return {
    at: '2026-03-01T00:00:00.000Z',
    actor: 'key:ci#1234abcd',
    action: 'flag.update',
    resourceType: 'flag',
    resourceKey: 'checkout',
    project: 'default',
    environment: null,
    flag: 'checkout',
    before: { name: 'old' },
    after: { name: 'new' },
    ...overrides,
  };
}

/**
 * The contract of {@link AuditStore}: append-only (the database itself refuses updates and deletes),
 * written with the executor of the change so both commit or roll back together, and read newest
 * first with every filter of {@link AuditQuery}.
 */
export function describeAuditStore(
  name: string,
  makeStore: StoreFactory<AuditStore>,
  options: ContractOptions = {},
): void {
  describe(name, () => {
    let t: StoreUnderTest<AuditStore>;
    beforeEach(async () => {
      t = await makeStore();
    });
    afterEach(async () => {
      await t.close();
    });

    const append = (e: NewAuditEntry) => inTransaction(t.db, (tx) => t.store.append(tx, e));
    const list = (query: Partial<AuditQuery> = {}) => t.store.list({ limit: 1000, ...query });
    const withoutIds = (entries: AuditEntry[]) => entries.map(({ id: _id, ...rest }) => rest);

    /** Twelve entries over three flags, two actors, three actions and two projects, one second apart. */
    async function appendHistory(): Promise<NewAuditEntry[]> {
      const at = timestamps(12);
      const history = at.map((time, i) =>
        entry({
          at: time,
          actor: i % 3 === 0 ? 'system' : 'key:ci#1234abcd',
          action: ['flag.create', 'flag.update', 'flag.environment.enable'][i % 3] ?? 'flag.update',
          flag: ['alpha', 'beta', 'gamma'][i % 4 === 3 ? 2 : i % 2] ?? null,
          resourceKey: `r${i}`,
          project: i < 8 ? 'default' : 'other',
          environment: i % 2 === 0 ? 'production' : null,
          after: { i },
        }),
      );
      for (const e of history) await append(e);
      return history;
    }

    it('starts empty', async () => {
      expect(await list()).toEqual([]);
    });

    it('returns an entry as appended, with before and after as documents and absent ones as null', async () => {
      const full = entry({
        environment: 'production',
        before: { enabled: false, nested: [1, { a: 'ü' }] },
        after: { enabled: true, nested: [] },
      });
      const bare = entry({
        action: 'project.create',
        resourceType: 'project',
        resourceKey: 'shop',
        project: 'shop',
        flag: null,
        before: null,
        after: undefined,
      });
      await append(full);
      await append(bare);
      const [newest, oldest] = await list();
      expect(oldest).toEqual({ ...full, id: expect.any(Number) });
      expect(newest).toEqual({ ...bare, after: null, id: expect.any(Number) });
    });

    it('returns entries newest first, with increasing ids in the order they were appended', async () => {
      const history = await appendHistory();
      const entries = await list();
      expect(withoutIds(entries)).toEqual(withoutIds([...history].reverse().map((e) => ({ ...e, id: 0 }))));
      const ids = entries.map((e) => e.id);
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      expect(new Set(ids).size).toBe(ids.length);
    });

    it('pages with limit and the id cursor, newest first, with no gaps or repeats', async () => {
      await appendHistory();
      const everything = await list();
      const pages: number[][] = [];
      let before: number | undefined;
      for (;;) {
        const page = await list({ limit: 5, before });
        if (page.length === 0) break;
        expect(page.length).toBeLessThanOrEqual(5);
        pages.push(page.map((e) => e.id));
        before = page[page.length - 1]?.id;
      }
      expect(pages.map((p) => p.length)).toEqual([5, 5, 2]);
      expect(pages.flat()).toEqual(everything.map((e) => e.id));
    });

    it('filters by project, flag, actor and action, each alone and together', async () => {
      const history = await appendHistory();
      const newestFirst = [...history].reverse();
      const expectFilter = async (query: Partial<AuditQuery>, keep: (e: NewAuditEntry) => boolean) => {
        const expected = newestFirst.filter(keep);
        expect(expected.length).toBeGreaterThan(0);
        expect(withoutIds(await list(query))).toEqual(expected);
      };
      await expectFilter({ project: 'other' }, (e) => e.project === 'other');
      await expectFilter({ flag: 'gamma' }, (e) => e.flag === 'gamma');
      await expectFilter({ actor: 'system' }, (e) => e.actor === 'system');
      await expectFilter({ action: 'flag.update' }, (e) => e.action === 'flag.update');
      await expectFilter(
        { project: 'default', flag: 'alpha', actor: 'system' },
        (e) => e.project === 'default' && e.flag === 'alpha' && e.actor === 'system',
      );
      expect(await list({ flag: 'nope' })).toEqual([]);
      expect(await list({ project: 'other', flag: 'alpha', action: 'flag.create' })).toEqual([]);
    });

    it('filters by time, from inclusive and to exclusive', async () => {
      const history = await appendHistory();
      const at = history.map((e) => e.at);
      const from = at[3] ?? '';
      const to = at[7] ?? '';
      expect((await list({ from, to })).map((e) => e.at)).toEqual(at.slice(3, 7).reverse());
      expect((await list({ from: at[11] })).map((e) => e.at)).toEqual([at[11]]);
      expect((await list({ to: at[0] })).map((e) => e.at)).toEqual([]);
      expect((await list({ from: '2999-01-01T00:00:00.000Z' })).map((e) => e.at)).toEqual([]);
      const combined = await list({ from, to, actor: 'system', limit: 1 });
      expect(combined.map((e) => e.at)).toEqual([at[6]]);
    });

    it('commits an entry with the change it records, and rolls it back with it', async () => {
      await expect(
        inTransaction(t.db, async (tx) => {
          await t.store.append(tx, entry({ resourceKey: 'rolled-back' }));
          throw new Error('abandoned');
        }),
      ).rejects.toThrow('abandoned');
      expect(await list()).toEqual([]);
      await inTransaction(t.db, async (tx) => {
        await t.store.append(tx, entry({ resourceKey: 'committed' }));
        await t.store.append(tx, entry({ resourceKey: 'committed too' }));
      });
      expect((await list()).map((e) => e.resourceKey)).toEqual(['committed too', 'committed']);
    });

    it('is append-only in the database itself: updates and deletes of entries are refused', async () => {
      await append(entry());
      await expect(t.db.updateTable('audit_log').set({ actor: 'forged' }).execute()).rejects.toThrow(
        /append-only/,
      );
      await expect(
        inTransaction(t.db, (tx) =>
          tx.updateTable('audit_log').set({ after: null }).where('id', '>', 0).execute(),
        ),
      ).rejects.toThrow(/append-only/);
      await expect(t.db.deleteFrom('audit_log').execute()).rejects.toThrow(/append-only/);
      await expect(
        sql`delete from audit_log where actor = ${'key:ci#1234abcd'}`.execute(t.db),
      ).rejects.toThrow(/append-only/);
      expect(withoutIds(await list())).toEqual([entry()]);
    });

    it('keeps every entry of concurrent changes, each with its own id', async () => {
      const { length } = await raceTransactions(
        t.db,
        6,
        options.concurrentTransactions === true,
        async () => undefined,
        (tx, i) => t.store.append(tx, entry({ resourceKey: `concurrent ${i}` })),
      ).then((outcomes) => {
        for (const o of outcomes) expect(o.status).toBe('fulfilled');
        return outcomes;
      });
      const entries = await list();
      expect(entries).toHaveLength(length);
      expect(new Set(entries.map((e) => e.id)).size).toBe(length);
      expect(new Set(entries.map((e) => e.resourceKey)).size).toBe(length);
    });
  });
}
