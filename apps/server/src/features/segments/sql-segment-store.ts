import type { Kysely } from 'kysely';
import { type Executor, fromJson } from '../../db/store-helpers.js';
import type { Tables } from '../../db/tables.js';
import type { SegmentRecord, SegmentStore } from './segment-store.js';

function toSegment(r: Tables['segments']): SegmentRecord {
  return {
    id: r.id,
    projectId: r.project_id,
    key: r.key,
    name: r.name,
    description: r.description,
    included: fromJson(r.included),
    excluded: fromJson(r.excluded),
    clauses: fromJson(r.clauses),
    version: Number(r.version),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export class SqlSegmentStore implements SegmentStore {
  constructor(private readonly db: Kysely<Tables>) {}

  async insert(tx: Executor, s: SegmentRecord): Promise<void> {
    await tx
      .insertInto('segments')
      .values({
        id: s.id,
        project_id: s.projectId,
        key: s.key,
        name: s.name,
        description: s.description,
        included: JSON.stringify(s.included),
        excluded: JSON.stringify(s.excluded),
        clauses: JSON.stringify(s.clauses),
        version: s.version,
        created_at: s.createdAt,
        updated_at: s.updatedAt,
      })
      .execute();
  }

  async find(projectId: string, key: string, tx: Executor = this.db): Promise<SegmentRecord | undefined> {
    const r = await tx
      .selectFrom('segments')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('key', '=', key)
      .executeTakeFirst();
    return r && toSegment(r);
  }

  async list(projectId: string, tx: Executor = this.db): Promise<SegmentRecord[]> {
    const rows = await tx
      .selectFrom('segments')
      .selectAll()
      .where('project_id', '=', projectId)
      .orderBy('key')
      .execute();
    return rows.map(toSegment);
  }

  async update(
    tx: Executor,
    id: string,
    expectedVersion: number,
    changes: Partial<Pick<SegmentRecord, 'name' | 'description' | 'included' | 'excluded' | 'clauses'>>,
    at: string,
  ): Promise<boolean> {
    const r = await tx
      .updateTable('segments')
      .set((eb) => ({
        ...(changes.name === undefined ? {} : { name: changes.name }),
        ...(changes.description === undefined ? {} : { description: changes.description }),
        ...(changes.included === undefined ? {} : { included: JSON.stringify(changes.included) }),
        ...(changes.excluded === undefined ? {} : { excluded: JSON.stringify(changes.excluded) }),
        ...(changes.clauses === undefined ? {} : { clauses: JSON.stringify(changes.clauses) }),
        version: eb('version', '+', 1),
        updated_at: at,
      }))
      .where('id', '=', id)
      .where('version', '=', expectedVersion)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async remove(tx: Executor, id: string, expectedVersion: number): Promise<boolean> {
    const r = await tx
      .deleteFrom('segments')
      .where('id', '=', id)
      .where('version', '=', expectedVersion)
      .executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }

  async lockProject(tx: Executor, projectId: string): Promise<void> {
    // A write that changes nothing: the row lock it takes lasts until the transaction ends, in both
    // dialects, without `for update` (which SQLite lacks). It does not touch the key, so inserts that
    // reference the project (flags, environments) are not blocked.
    await tx
      .updateTable('projects')
      .set((eb) => ({ name: eb.ref('name') }))
      .where('id', '=', projectId)
      .execute();
  }
}
