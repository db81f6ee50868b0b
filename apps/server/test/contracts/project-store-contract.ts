import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isUniqueViolation } from '../../src/db/store-helpers.js';
import type { Environment, Project, ProjectStore } from '../../src/features/projects/project-store.js';
import {
  type ContractOptions,
  expectUniqueViolation,
  inTransaction,
  partition,
  raceTransactions,
  type StoreFactory,
  type StoreUnderTest,
  timestamps,
} from './store-contract-support.js';

function project(key: string, createdAt = '2026-01-01T00:00:00.000Z'): Project {
  return { id: randomUUID(), key, name: `Project ${key}`, createdAt };
}

function environment(projectId: string, key: string, position: number): Environment {
  return {
    id: randomUUID(),
    projectId,
    key,
    name: `Environment ${key}`,
    position,
    version: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}

/**
 * The contract of {@link ProjectStore}: unique keys (projects globally, environments per project)
 * where a duplicate fails with a unique violation and never overwrites, projects in creation order,
 * environments by position.
 */
export function describeProjectStore(
  name: string,
  makeStore: StoreFactory<ProjectStore>,
  options: ContractOptions = {},
): void {
  describe(name, () => {
    let t: StoreUnderTest<ProjectStore>;
    beforeEach(async () => {
      t = await makeStore();
    });
    afterEach(async () => {
      await t.close();
    });

    const insertProject = (p: Project) => inTransaction(t.db, (tx) => t.store.insertProject(tx, p));
    const insertEnvironment = (e: Environment) =>
      inTransaction(t.db, (tx) => t.store.insertEnvironment(tx, e));

    it('starts empty and finds nothing', async () => {
      expect(await t.store.listProjects()).toEqual([]);
      expect(await t.store.findProject('default')).toBeUndefined();
      expect(await t.store.listEnvironments(randomUUID())).toEqual([]);
      expect(await t.store.findEnvironment(randomUUID(), 'production')).toBeUndefined();
      expect(await t.store.findEnvironmentById(randomUUID())).toBeUndefined();
    });

    it('returns a project and an environment exactly as inserted', async () => {
      const p = project('shop');
      await insertProject(p);
      const e = { ...environment(p.id, 'production', 2), version: 7 };
      await insertEnvironment(e);
      expect(await t.store.findProject('shop')).toEqual(p);
      expect(await t.store.findEnvironment(p.id, 'production')).toEqual(e);
      expect(await t.store.findEnvironmentById(e.id)).toEqual(e);
      expect(await t.store.listEnvironments(p.id)).toEqual([e]);
    });

    it('refuses a duplicate project key with a unique violation and keeps the original', async () => {
      const original = project('shop');
      await insertProject(original);
      await expectUniqueViolation(insertProject({ ...project('shop'), name: 'Impostor' }));
      expect(await t.store.findProject('shop')).toEqual(original);
      expect(await t.store.listProjects()).toEqual([original]);
    });

    it('refuses a duplicate environment key within a project, and keeps the original', async () => {
      const p = project('shop');
      await insertProject(p);
      const original = environment(p.id, 'production', 0);
      await insertEnvironment(original);
      await expectUniqueViolation(
        insertEnvironment({ ...environment(p.id, 'production', 1), name: 'Impostor' }),
      );
      expect(await t.store.findEnvironment(p.id, 'production')).toEqual(original);
      expect(await t.store.listEnvironments(p.id)).toEqual([original]);
    });

    it('allows the same environment key in different projects, each finding its own', async () => {
      const a = project('a');
      const b = project('b');
      await insertProject(a);
      await insertProject(b);
      const inA = environment(a.id, 'production', 0);
      const inB = environment(b.id, 'production', 0);
      await insertEnvironment(inA);
      await insertEnvironment(inB);
      expect(await t.store.findEnvironment(a.id, 'production')).toEqual(inA);
      expect(await t.store.findEnvironment(b.id, 'production')).toEqual(inB);
      expect(await t.store.listEnvironments(a.id)).toEqual([inA]);
    });

    it('rolls a project back with the transaction it was inserted in', async () => {
      await expect(
        inTransaction(t.db, async (tx) => {
          await t.store.insertProject(tx, project('shop'));
          throw new Error('abandoned');
        }),
      ).rejects.toThrow('abandoned');
      expect(await t.store.findProject('shop')).toBeUndefined();
    });

    it('lists projects in creation order, not by key', async () => {
      const [first, second, third] = timestamps(3);
      const inserted = [project('zebra', first), project('mango', second), project('apple', third)];
      // Inserted out of creation order, so insertion order cannot pass for creation order.
      for (const p of [inserted[1], inserted[2], inserted[0]]) if (p) await insertProject(p);
      expect((await t.store.listProjects()).map((p) => p.key)).toEqual(['zebra', 'mango', 'apple']);
    });

    it("lists a project's environments by position, not by key or insertion, and no other project's", async () => {
      const p = project('shop');
      const other = project('other');
      await insertProject(p);
      await insertProject(other);
      for (const [key, position] of [
        ['production', 2],
        ['development', 0],
        ['staging', 1],
        ['qa', 3],
      ] as const) {
        await insertEnvironment(environment(p.id, key, position));
      }
      await insertEnvironment(environment(other.id, 'elsewhere', 0));
      expect((await t.store.listEnvironments(p.id)).map((e) => [e.key, e.position])).toEqual([
        ['development', 0],
        ['staging', 1],
        ['production', 2],
        ['qa', 3],
      ]);
    });

    it('reads its own uncommitted writes through the transaction', async () => {
      const p = project('shop');
      const seen = await inTransaction(t.db, async (tx) => {
        await t.store.insertProject(tx, p);
        await t.store.insertEnvironment(tx, environment(p.id, 'production', 0));
        return t.store.listEnvironments(p.id, tx);
      });
      expect(seen.map((e) => e.key)).toEqual(['production']);
    });

    it('lets exactly one of several concurrent creations of the same project key win', async () => {
      const { values, errors } = partition(
        await raceTransactions(
          t.db,
          4,
          options.concurrentTransactions === true,
          async () => undefined,
          (tx, i) => t.store.insertProject(tx, { ...project('race'), name: `attempt ${i}` }),
        ),
      );
      expect(values).toHaveLength(1);
      expect(errors).toHaveLength(3);
      for (const error of errors) expect(error).toSatisfy(isUniqueViolation);
      expect((await t.store.listProjects()).map((p) => p.key)).toEqual(['race']);
    });
  });
}
