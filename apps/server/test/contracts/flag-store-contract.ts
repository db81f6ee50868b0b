import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  EnvironmentConfig,
  FlagFilter,
  FlagRecord,
  FlagStore,
} from '../../src/features/flags/flag-store.js';
import {
  type ContractOptions,
  expectUniqueViolation,
  insertEnvironmentRow,
  insertProjectRow,
  inTransaction,
  partition,
  raceTransactions,
  type StoreFactory,
  type StoreUnderTest,
} from './store-contract-support.js';

const CREATED_AT = '2026-01-01T00:00:00.000Z';
const EDITED_AT = '2026-02-01T12:30:00.000Z';

function flagRecord(projectId: string, key: string, overrides: Partial<FlagRecord> = {}): FlagRecord {
  return {
    id: randomUUID(),
    projectId,
    key,
    name: `Flag ${key}`,
    description: '',
    kind: 'boolean',
    variants: [
      { key: 'on', value: true },
      { key: 'off', value: false },
    ],
    salt: 'k3xq9z0aw7m2c4e',
    tags: [],
    changeType: 'other',
    archived: false,
    version: 1,
    createdAt: CREATED_AT,
    updatedAt: CREATED_AT,
    ...overrides,
  };
}

function environmentConfig(overrides: Partial<EnvironmentConfig> = {}): EnvironmentConfig {
  return {
    enabled: false,
    offVariant: 'off',
    targets: [],
    rules: [],
    fallthrough: { variant: 'on' },
    prerequisites: [],
    retryAfterSeconds: null,
    shadow: null,
    ...overrides,
  };
}

/** Keys in code-unit order (SQLite's BINARY collation): separators sort before digits and letters. */
const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The contract of {@link FlagStore}: keys unique per project (a duplicate fails with a unique
 * violation); `updateDefinition` and `writeConfig` apply only at the expected version, increment it by
 * one and report whether they applied (exactly one of concurrent writers at the same version wins);
 * the salt never changes; lists are ordered by key.
 */
export function describeFlagStore(
  name: string,
  makeStore: StoreFactory<FlagStore>,
  options: ContractOptions = {},
): void {
  describe(name, () => {
    let t: StoreUnderTest<FlagStore>;
    let projectId: string;
    let otherProjectId: string;
    let development: string;
    let production: string;
    beforeEach(async () => {
      t = await makeStore();
      projectId = await insertProjectRow(t.db, 'shop');
      otherProjectId = await insertProjectRow(t.db, 'other');
      development = await insertEnvironmentRow(t.db, projectId, 'development', 0);
      production = await insertEnvironmentRow(t.db, projectId, 'production', 1);
    });
    afterEach(async () => {
      await t.close();
    });

    const insert = (flag: FlagRecord) => inTransaction(t.db, (tx) => t.store.insert(tx, flag));
    const update = (
      id: string,
      expected: number,
      changes: Parameters<FlagStore['updateDefinition']>[3],
      at = EDITED_AT,
    ) => inTransaction(t.db, (tx) => t.store.updateDefinition(tx, id, expected, changes, at));
    const write = (flagId: string, environmentId: string, expected: number, config: EnvironmentConfig) =>
      inTransaction(t.db, (tx) =>
        t.store.writeConfig(tx, flagId, environmentId, expected, config, EDITED_AT),
      );
    const list = (filter: Partial<FlagFilter> = {}) =>
      t.store.list(projectId, { archived: 'all', limit: 500, ...filter });
    const keysOf = (flags: FlagRecord[]) => flags.map((f) => f.key);

    describe('definitions', () => {
      it('returns a flag exactly as inserted: variants and tags as documents, archived as a boolean', async () => {
        const flag = flagRecord(projectId, 'llm-model', {
          name: 'Which model answers',
          description: 'Ünïcödé, "quotes", 50% and a_b',
          kind: 'ai-config',
          variants: [
            { key: 'control', value: { provider: 'openai', model: 'gpt-4o', params: { temperature: 0.2 } } },
            { key: 'candidate', value: { nested: [1, 'two', null, { deep: [true] }] }, name: 'Candidate' },
          ],
          tags: ['llm', 'chat:v2'],
          changeType: 'model-swap',
          archived: true,
          version: 3,
          updatedAt: EDITED_AT,
        });
        await insert(flag);
        expect(await t.store.find(projectId, 'llm-model')).toEqual(flag);
      });

      it('finds a flag only by its key within its own project', async () => {
        await insert(flagRecord(projectId, 'checkout'));
        expect(await t.store.find(projectId, 'nope')).toBeUndefined();
        expect(await t.store.find(otherProjectId, 'checkout')).toBeUndefined();
        expect(await t.store.find(projectId, 'CHECKOUT')).toBeUndefined();
      });

      it('refuses a duplicate key in the same project with a unique violation and keeps the original', async () => {
        const original = flagRecord(projectId, 'checkout');
        await insert(original);
        await expectUniqueViolation(
          insert(flagRecord(projectId, 'checkout', { salt: 'zzzzzzzzzzzzzzz', name: 'Impostor' })),
        );
        expect(await t.store.find(projectId, 'checkout')).toEqual(original);
        expect(keysOf(await list())).toEqual(['checkout']);
      });

      it('allows the same key in another project', async () => {
        await insert(flagRecord(projectId, 'checkout'));
        const elsewhere = flagRecord(otherProjectId, 'checkout');
        await insert(elsewhere);
        expect(await t.store.find(otherProjectId, 'checkout')).toEqual(elsewhere);
      });

      it('rolls an insert back with its transaction', async () => {
        await expect(
          inTransaction(t.db, async (tx) => {
            await t.store.insert(tx, flagRecord(projectId, 'checkout'));
            throw new Error('abandoned');
          }),
        ).rejects.toThrow('abandoned');
        expect(await t.store.find(projectId, 'checkout')).toBeUndefined();
      });
    });

    describe('conditional definition writes', () => {
      it('apply at the expected version only, reporting whether they applied', async () => {
        const flag = flagRecord(projectId, 'checkout', { version: 4 });
        await insert(flag);
        for (const stale of [0, 3, 5, 100]) {
          expect(await update(flag.id, stale, { name: `stale ${stale}` })).toBe(false);
        }
        expect(await t.store.find(projectId, 'checkout')).toEqual(flag);
        expect(await update(flag.id, 4, { name: 'Renamed' })).toBe(true);
        expect(await t.store.find(projectId, 'checkout')).toEqual({
          ...flag,
          name: 'Renamed',
          version: 5,
          updatedAt: EDITED_AT,
        });
        expect(await update(flag.id, 4, { name: 'Lost update' })).toBe(false);
        expect((await t.store.find(projectId, 'checkout'))?.name).toBe('Renamed');
      });

      it('increment the version by exactly one per applied write, whatever changes', async () => {
        const flag = flagRecord(projectId, 'checkout');
        await insert(flag);
        const edits: Parameters<FlagStore['updateDefinition']>[3][] = [
          { description: 'first' },
          { tags: ['a', 'b'] },
          { archived: true },
          { archived: false, changeType: 'prompt' },
          { variants: [{ key: 'only', value: 'x' }] },
          {},
        ];
        for (const [i, changes] of edits.entries()) {
          expect(await update(flag.id, 1 + i, changes)).toBe(true);
          expect((await t.store.find(projectId, 'checkout'))?.version).toBe(2 + i);
        }
      });

      it('change only the fields given', async () => {
        const flag = flagRecord(projectId, 'checkout', {
          description: 'kept',
          tags: ['kept'],
          changeType: 'tool',
        });
        await insert(flag);
        expect(await update(flag.id, 1, { archived: true })).toBe(true);
        expect(await t.store.find(projectId, 'checkout')).toEqual({
          ...flag,
          archived: true,
          version: 2,
          updatedAt: EDITED_AT,
        });
        const variants = [{ key: 'v', value: { a: [1, 2] } }];
        expect(
          await update(flag.id, 2, { name: 'N', description: '', variants, tags: [], changeType: 'other' }),
        ).toBe(true);
        expect(await t.store.find(projectId, 'checkout')).toEqual({
          ...flag,
          name: 'N',
          description: '',
          variants,
          tags: [],
          changeType: 'other',
          archived: true,
          version: 3,
          updatedAt: EDITED_AT,
        });
      });

      it('report false for a flag that does not exist', async () => {
        expect(await update(randomUUID(), 1, { name: 'ghost' })).toBe(false);
      });

      it('never change the salt, the key, the kind or the creation time, even when asked to', async () => {
        const flag = flagRecord(projectId, 'checkout');
        await insert(flag);
        // Not expressible through the type: a caller bypassing it must still not move any unit's bucket.
        const smuggled = {
          salt: 'changedchanged0',
          key: 'other',
          kind: 'string',
          createdAt: EDITED_AT,
          version: 99,
        };
        expect(await update(flag.id, 1, { name: 'Renamed', ...smuggled } as never)).toBe(true);
        expect(await update(flag.id, 2, { archived: true, variants: [{ key: 'x', value: true }] })).toBe(
          true,
        );
        const after = await t.store.find(projectId, 'checkout');
        expect(after).toMatchObject({
          id: flag.id,
          key: 'checkout',
          kind: 'boolean',
          salt: flag.salt,
          createdAt: CREATED_AT,
          version: 3,
        });
      });

      it('let exactly one of several concurrent writers at the same version win', async () => {
        const flag = flagRecord(projectId, 'checkout');
        await insert(flag);
        const { values, errors } = partition(
          await raceTransactions(
            t.db,
            6,
            options.concurrentTransactions === true,
            (tx) => t.store.find(projectId, 'checkout', tx),
            async (tx, i) => ({
              i,
              applied: await t.store.updateDefinition(tx, flag.id, 1, { name: `writer ${i}` }, EDITED_AT),
            }),
          ),
        );
        expect(errors).toEqual([]);
        const winners = values.filter((v) => v.applied);
        expect(winners).toHaveLength(1);
        expect(await t.store.find(projectId, 'checkout')).toMatchObject({
          name: `writer ${winners[0]?.i}`,
          version: 2,
          salt: flag.salt,
        });
      });
    });

    describe('conditional configuration writes', () => {
      it('start with no configuration in any environment', async () => {
        const flag = flagRecord(projectId, 'checkout');
        await insert(flag);
        expect(await t.store.configs(flag.id)).toEqual(new Map());
        expect(await t.store.configsForEnvironment(production)).toEqual(new Map());
      });

      it('insert at version 0 as version 1, then apply only at the stored version, one step at a time', async () => {
        const flag = flagRecord(projectId, 'checkout');
        await insert(flag);
        expect(await write(flag.id, production, 3, environmentConfig({ enabled: true }))).toBe(false);
        expect(await t.store.configs(flag.id)).toEqual(new Map());

        const first = environmentConfig({ retryAfterSeconds: 30 });
        expect(await write(flag.id, production, 0, first)).toBe(true);
        expect(await t.store.configs(flag.id)).toEqual(new Map([[production, { ...first, version: 1 }]]));
        expect(await write(flag.id, production, 0, environmentConfig({ enabled: true }))).toBe(false);

        const second = environmentConfig({ enabled: true });
        expect(await write(flag.id, production, 1, second)).toBe(true);
        for (const stale of [0, 1, 3]) {
          expect(await write(flag.id, production, stale, environmentConfig({ offVariant: null }))).toBe(
            false,
          );
        }
        expect((await t.store.configs(flag.id)).get(production)).toEqual({ ...second, version: 2 });
        expect(await write(flag.id, production, 2, first)).toBe(true);
        expect((await t.store.configs(flag.id)).get(production)).toEqual({ ...first, version: 3 });
      });

      it('return a configuration exactly as written, with every kind of targeting', async () => {
        const flag = flagRecord(projectId, 'checkout', {
          variants: [
            { key: 'a', value: true },
            { key: 'b', value: false },
          ],
        });
        await insert(flag);
        const config = environmentConfig({
          enabled: true,
          offVariant: null,
          targets: [{ variant: 'a', values: ['staff-1', 'staff-2'] }],
          rules: [
            {
              id: 'eu-enterprise',
              description: 'Enterprise in the EU',
              clauses: [
                { attribute: 'tier', op: 'equals', values: ['enterprise'] },
                { attribute: 'region', op: 'in', values: ['eu', 'uk'], negate: true },
                { attribute: 'age', op: 'gte', values: [18.5] },
              ],
              serve: { variant: 'b' },
            },
          ],
          fallthrough: {
            split: [
              { variant: 'a', weight: 25_000 },
              { variant: 'b', weight: 75_000 },
            ],
            bucketBy: 'orgId',
          },
          prerequisites: [{ flag: 'billing', variant: 'on' }],
          retryAfterSeconds: 120,
          shadow: { variant: 'b', sampleRate: 0.25 },
        });
        expect(await write(flag.id, development, 0, config)).toBe(true);
        expect((await t.store.configs(flag.id)).get(development)).toEqual({ ...config, version: 1 });
      });

      it('read a configuration written without a shadow (as before shadows existed) as having none', async () => {
        const flag = flagRecord(projectId, 'checkout');
        await insert(flag);
        const { shadow: _shadow, ...older } = environmentConfig({ enabled: true });
        expect(await write(flag.id, production, 0, older)).toBe(true);
        expect((await t.store.configs(flag.id)).get(production)).toEqual({
          ...older,
          shadow: null,
          version: 1,
        });
        expect((await t.store.configsForEnvironment(production)).get(flag.id)?.shadow).toBeNull();
      });

      it('keep each environment separate and list one environment across flags', async () => {
        const a = flagRecord(projectId, 'a');
        const b = flagRecord(projectId, 'b');
        const c = flagRecord(projectId, 'c');
        for (const f of [a, b, c]) await insert(f);
        expect(await write(a.id, production, 0, environmentConfig({ enabled: true }))).toBe(true);
        expect(await write(b.id, production, 0, environmentConfig())).toBe(true);
        expect(await write(b.id, production, 1, environmentConfig({ retryAfterSeconds: 5 }))).toBe(true);
        expect(await write(a.id, development, 0, environmentConfig({ offVariant: 'on' }))).toBe(true);

        expect([...(await t.store.configs(a.id)).keys()].sort()).toEqual([development, production].sort());
        expect((await t.store.configs(a.id)).get(development)?.offVariant).toBe('on');
        expect(await t.store.configs(c.id)).toEqual(new Map());
        const inProduction = await t.store.configsForEnvironment(production);
        expect(new Map([...inProduction].map(([id, config]) => [id, config.version]))).toEqual(
          new Map([
            [a.id, 1],
            [b.id, 2],
          ]),
        );
        expect([...(await t.store.configsForEnvironment(development)).keys()]).toEqual([a.id]);
      });

      it('roll a configuration back with its transaction', async () => {
        const flag = flagRecord(projectId, 'checkout');
        await insert(flag);
        await expect(
          inTransaction(t.db, async (tx) => {
            expect(
              await t.store.writeConfig(tx, flag.id, production, 0, environmentConfig(), EDITED_AT),
            ).toBe(true);
            expect((await t.store.configs(flag.id, tx)).get(production)?.version).toBe(1);
            throw new Error('abandoned');
          }),
        ).rejects.toThrow('abandoned');
        expect(await t.store.configs(flag.id)).toEqual(new Map());
      });

      for (const [label, expected] of [
        ['the first write (version 0)', 0],
        ['a later write', 1],
      ] as const) {
        it(`let exactly one of several concurrent writers win ${label}, leaving the losers' transactions usable`, async () => {
          const flag = flagRecord(projectId, 'checkout');
          await insert(flag);
          if (expected === 1) expect(await write(flag.id, production, 0, environmentConfig())).toBe(true);
          const { values, errors } = partition(
            await raceTransactions(
              t.db,
              5,
              options.concurrentTransactions === true,
              (tx) => t.store.configs(flag.id, tx),
              async (tx, i) => {
                const applied = await t.store.writeConfig(
                  tx,
                  flag.id,
                  production,
                  expected,
                  environmentConfig({ retryAfterSeconds: i }),
                  EDITED_AT,
                );
                // A refusal is an answer, not a failure: the caller reads what won in the same transaction.
                const stored = (await t.store.configs(flag.id, tx)).get(production);
                return { i, applied, storedVersion: stored?.version };
              },
            ),
          );
          expect(errors).toEqual([]);
          const winners = values.filter((v) => v.applied);
          expect(winners).toHaveLength(1);
          for (const v of values) expect(v.storedVersion).toBe(expected + 1);
          expect((await t.store.configs(flag.id)).get(production)).toEqual({
            ...environmentConfig({ retryAfterSeconds: winners[0]?.i ?? -1 }),
            version: expected + 1,
          });
        });
      }
    });

    describe('lists', () => {
      const awkwardKeys = ['b', 'a-b', 'a.b', 'a_b', 'a', 'ab', 'a1', '10', '9', 'a-a', 'z', 'a.b.c'];

      it('order by key in code-unit order, whatever the insertion order, within the project only', async () => {
        for (const key of awkwardKeys) await insert(flagRecord(projectId, key));
        await insert(flagRecord(otherProjectId, 'aa'));
        const sorted = [...awkwardKeys].sort(byCodeUnits);
        expect(keysOf(await list())).toEqual(sorted);
        expect(keysOf(await t.store.listActive(projectId))).toEqual(sorted);
      });

      it('page by key: each page starts after the previous page’s last key, with no gaps or repeats', async () => {
        for (const key of awkwardKeys) await insert(flagRecord(projectId, key));
        const seen: string[] = [];
        let afterKey: string | undefined;
        for (let page = 0; page < awkwardKeys.length; page++) {
          const items = await list({ afterKey, limit: 5 });
          expect(items.length).toBeLessThanOrEqual(5);
          if (items.length === 0) break;
          seen.push(...keysOf(items));
          afterKey = items[items.length - 1]?.key;
        }
        expect(seen).toEqual([...awkwardKeys].sort(byCodeUnits));
      });

      it('filter archived flags in or out, by kind, by every tag given, and by text in key, name or description', async () => {
        await insert(flagRecord(projectId, 'alpha', { tags: ['llm', 'chat'], name: 'Chat MODEL' }));
        await insert(
          flagRecord(projectId, 'beta', { tags: ['llm-v2'], kind: 'string', description: 'Saves 50% cost' }),
        );
        await insert(flagRecord(projectId, 'gamma', { tags: ['llm'], archived: true }));
        await insert(flagRecord(projectId, 'delta_x', { kind: 'json', name: 'plain' }));
        await insert(flagRecord(projectId, 'deltaxx', { kind: 'json', name: 'plain' }));

        expect(keysOf(await list({ archived: 'false' }))).toEqual(['alpha', 'beta', 'delta_x', 'deltaxx']);
        expect(keysOf(await list({ archived: 'true' }))).toEqual(['gamma']);
        expect(keysOf(await list({ archived: 'all' }))).toEqual([
          'alpha',
          'beta',
          'delta_x',
          'deltaxx',
          'gamma',
        ]);
        expect(keysOf(await list({ kind: 'json' }))).toEqual(['delta_x', 'deltaxx']);
        // A tag matches whole tags only: "llm" is not "llm-v2".
        expect(keysOf(await list({ tags: ['llm'] }))).toEqual(['alpha', 'gamma']);
        expect(keysOf(await list({ tags: ['llm', 'chat'] }))).toEqual(['alpha']);
        expect(keysOf(await list({ tags: ['chat', 'nope'] }))).toEqual([]);
        expect(keysOf(await list({ q: 'model' }))).toEqual(['alpha']);
        expect(keysOf(await list({ q: 'AMM' }))).toEqual(['gamma']);
        // LIKE wildcards in the text are literal.
        expect(keysOf(await list({ q: '50%' }))).toEqual(['beta']);
        expect(keysOf(await list({ q: 'delta_' }))).toEqual(['delta_x']);
        expect(keysOf(await list({ q: '%' }))).toEqual(['beta']);
        expect(keysOf(await list({ q: '' }))).toHaveLength(5);
        expect(keysOf(await list({ q: 'plain', kind: 'json', archived: 'false', limit: 1 }))).toEqual([
          'delta_x',
        ]);
      });

      it('list active flags: every non-archived flag of the project, by key', async () => {
        await insert(flagRecord(projectId, 'b'));
        await insert(flagRecord(projectId, 'a', { archived: true }));
        await insert(flagRecord(projectId, 'c'));
        await insert(flagRecord(otherProjectId, 'd'));
        expect(keysOf(await t.store.listActive(projectId))).toEqual(['b', 'c']);
        const b = await t.store.find(projectId, 'b');
        if (b === undefined) throw new Error('b is missing');
        expect(await update(b.id, 1, { archived: true })).toBe(true);
        expect(keysOf(await t.store.listActive(projectId))).toEqual(['c']);
      });
    });
  });
}
