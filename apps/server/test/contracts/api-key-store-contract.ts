import { createHash, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiKey, ApiKeyStore } from '../../src/features/api-keys/api-key-store.js';
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
  timestamps,
} from './store-contract-support.js';

function apiKey(name: string, overrides: Partial<ApiKey> = {}): ApiKey {
  return {
    id: randomUUID(),
    name,
    kind: 'admin',
    projectId: null,
    environmentId: null,
    hash: createHash('sha256').update(`sb_admin_${name}_${randomUUID()}`).digest('hex'),
    prefix: 'sb_admin_AbCd',
    createdAt: '2026-01-01T00:00:00.000Z',
    createdBy: 'system',
    lastUsedAt: null,
    revokedAt: null,
    ...overrides,
  };
}

/**
 * The contract of {@link ApiKeyStore}: hashes are unique; `findByHash` returns revoked keys too;
 * `revoke` sets `revokedAt` once and reports whether it did.
 */
export function describeApiKeyStore(
  name: string,
  makeStore: StoreFactory<ApiKeyStore>,
  options: ContractOptions = {},
): void {
  describe(name, () => {
    let t: StoreUnderTest<ApiKeyStore>;
    beforeEach(async () => {
      t = await makeStore();
    });
    afterEach(async () => {
      await t.close();
    });

    const insert = (key: ApiKey) => inTransaction(t.db, (tx) => t.store.insert(tx, key));
    const revoke = (id: string, at: string) => inTransaction(t.db, (tx) => t.store.revoke(tx, id, at));

    it('starts empty', async () => {
      expect(await t.store.list()).toEqual([]);
      expect(await t.store.count()).toBe(0);
      expect(await t.store.findByHash('0'.repeat(64))).toBeUndefined();
      expect(await t.store.findById(randomUUID())).toBeUndefined();
    });

    it('returns a key exactly as inserted, by hash and by id, with or without an environment', async () => {
      const projectId = await insertProjectRow(t.db, 'shop');
      const environmentId = await insertEnvironmentRow(t.db, projectId, 'production', 0);
      const admin = apiKey('ci');
      const server = apiKey('backend', {
        kind: 'server',
        projectId,
        environmentId,
        prefix: 'sb_server_XyZ1',
        createdBy: 'key:ci#1234abcd',
      });
      await insert(admin);
      await insert(server);
      expect(await t.store.findByHash(admin.hash)).toEqual(admin);
      expect(await t.store.findById(server.id)).toEqual(server);
      expect(await t.store.findByHash(server.hash)).toEqual(server);
      expect(await t.store.count()).toBe(2);
    });

    it('refuses a second key with the same hash with a unique violation, keeping the first', async () => {
      const first = apiKey('first');
      await insert(first);
      await expectUniqueViolation(insert(apiKey('second', { hash: first.hash })));
      expect(await t.store.findByHash(first.hash)).toEqual(first);
      expect(await t.store.count()).toBe(1);
    });

    it('revokes once: the first revoke sets revokedAt and says so, later ones change nothing and say so', async () => {
      const key = apiKey('ci');
      await insert(key);
      const [first, second] = timestamps(2);
      if (first === undefined || second === undefined) throw new Error('no timestamps');
      expect(await revoke(key.id, first)).toBe(true);
      expect((await t.store.findById(key.id))?.revokedAt).toBe(first);
      expect(await revoke(key.id, second)).toBe(false);
      expect(await t.store.findById(key.id)).toEqual({ ...key, revokedAt: first });
    });

    it('reports false when revoking a key that does not exist', async () => {
      expect(await revoke(randomUUID(), '2026-01-01T00:00:00.000Z')).toBe(false);
    });

    it('still finds a revoked key by its hash (the caller refuses it), and lists and counts it', async () => {
      const key = apiKey('ci');
      await insert(key);
      expect(await revoke(key.id, '2026-01-02T00:00:00.000Z')).toBe(true);
      expect(await t.store.findByHash(key.hash)).toEqual({ ...key, revokedAt: '2026-01-02T00:00:00.000Z' });
      expect((await t.store.list()).map((k) => k.id)).toEqual([key.id]);
      expect(await t.store.count()).toBe(1);
    });

    it('revokes only the key named', async () => {
      const a = apiKey('a');
      const b = apiKey('b');
      await insert(a);
      await insert(b);
      expect(await revoke(a.id, '2026-01-02T00:00:00.000Z')).toBe(true);
      expect(await t.store.findById(b.id)).toEqual(b);
    });

    it('rolls a revoke back with its transaction', async () => {
      const key = apiKey('ci');
      await insert(key);
      await expect(
        inTransaction(t.db, async (tx) => {
          expect(await t.store.revoke(tx, key.id, '2026-01-02T00:00:00.000Z')).toBe(true);
          expect((await t.store.findById(key.id, tx))?.revokedAt).toBe('2026-01-02T00:00:00.000Z');
          throw new Error('abandoned');
        }),
      ).rejects.toThrow('abandoned');
      expect(await t.store.findById(key.id)).toEqual(key);
      expect(await revoke(key.id, '2026-01-03T00:00:00.000Z')).toBe(true);
    });

    it('lets exactly one of several concurrent revokes of the same key report that it revoked', async () => {
      const key = apiKey('ci');
      await insert(key);
      const at = timestamps(5);
      const { values, errors } = partition(
        await raceTransactions(
          t.db,
          5,
          options.concurrentTransactions === true,
          (tx) => t.store.findById(key.id, tx),
          (tx, i) => t.store.revoke(tx, key.id, at[i] ?? ''),
        ),
      );
      expect(errors).toEqual([]);
      expect(values.filter((revoked) => revoked)).toHaveLength(1);
      const winner = at[values.indexOf(true)];
      expect((await t.store.findById(key.id))?.revokedAt).toBe(winner);
    });

    it('lists every key oldest first', async () => {
      const [first, second, third] = timestamps(3);
      const keys = [
        apiKey('zulu', { createdAt: first }),
        apiKey('alpha', { createdAt: second }),
        apiKey('mike', { createdAt: third }),
      ];
      for (const k of [keys[2], keys[0], keys[1]]) if (k) await insert(k);
      expect((await t.store.list()).map((k) => k.name)).toEqual(['zulu', 'alpha', 'mike']);
    });

    it('records when keys were last used, touching only the keys named', async () => {
      const a = apiKey('a');
      const b = apiKey('b');
      const c = apiKey('c');
      for (const k of [a, b, c]) await insert(k);
      await t.store.touch([], '2026-01-05T00:00:00.000Z');
      expect((await t.store.list()).map((k) => k.lastUsedAt)).toEqual([null, null, null]);
      await t.store.touch([a.id, c.id], '2026-01-05T00:00:00.000Z');
      await t.store.touch([c.id], '2026-01-06T00:00:00.000Z');
      expect((await t.store.findById(a.id))?.lastUsedAt).toBe('2026-01-05T00:00:00.000Z');
      expect((await t.store.findById(b.id))?.lastUsedAt).toBeNull();
      expect((await t.store.findById(c.id))?.lastUsedAt).toBe('2026-01-06T00:00:00.000Z');
      expect((await t.store.findById(c.id))?.revokedAt).toBeNull();
    });
  });
}
