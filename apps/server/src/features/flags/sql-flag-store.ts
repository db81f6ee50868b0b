import { type Expression, type Kysely, type SqlBool, sql } from 'kysely';
import { type Executor, fromJson } from '../../db/store-helpers.js';
import type { Tables } from '../../db/tables.js';
import type { EnvironmentConfig, FlagFilter, FlagRecord, FlagStore, VersionedConfig } from './flag-store.js';

function toFlag(r: Tables['flags']): FlagRecord {
  return {
    id: r.id,
    projectId: r.project_id,
    key: r.key,
    name: r.name,
    description: r.description,
    kind: r.kind,
    variants: fromJson(r.variants),
    salt: r.salt,
    tags: fromJson(r.tags),
    changeType: r.change_type,
    archived: Number(r.archived) === 1,
    version: Number(r.version),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toConfig(r: { config: string; version: number }): VersionedConfig {
  const config = fromJson<EnvironmentConfig>(r.config);
  // Documents written before shadows existed have none.
  return { ...config, shadow: config.shadow ?? null, version: Number(r.version) };
}

/** Escapes LIKE wildcards so a search for "50%" finds "50%". */
function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** `text LIKE pattern` with backslash escapes in both dialects (SQLite has no default escape character). */
function like(text: Expression<string>, pattern: string): Expression<SqlBool> {
  return sql<SqlBool>`${text} like ${pattern} escape '\\'`;
}

export class SqlFlagStore implements FlagStore {
  constructor(private readonly db: Kysely<Tables>) {}

  async insert(tx: Executor, f: FlagRecord): Promise<void> {
    await tx
      .insertInto('flags')
      .values({
        id: f.id,
        project_id: f.projectId,
        key: f.key,
        name: f.name,
        description: f.description,
        kind: f.kind,
        variants: JSON.stringify(f.variants),
        salt: f.salt,
        tags: JSON.stringify(f.tags),
        change_type: f.changeType,
        archived: f.archived ? 1 : 0,
        version: f.version,
        created_at: f.createdAt,
        updated_at: f.updatedAt,
      })
      .execute();
  }

  async find(projectId: string, key: string, tx: Executor = this.db): Promise<FlagRecord | undefined> {
    const r = await tx
      .selectFrom('flags')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('key', '=', key)
      .executeTakeFirst();
    return r && toFlag(r);
  }

  async list(projectId: string, filter: FlagFilter): Promise<FlagRecord[]> {
    let q = this.db.selectFrom('flags').selectAll().where('project_id', '=', projectId);
    if (filter.archived !== 'all') q = q.where('archived', '=', filter.archived === 'true' ? 1 : 0);
    if (filter.kind !== undefined) q = q.where('kind', '=', filter.kind);
    if (filter.afterKey !== undefined) q = q.where('key', '>', filter.afterKey);
    if (filter.q !== undefined && filter.q !== '') {
      const pattern = `%${likeEscape(filter.q.toLowerCase())}%`;
      q = q.where((eb) =>
        eb.or([
          like(eb.fn<string>('lower', ['key']), pattern),
          like(eb.fn<string>('lower', ['name']), pattern),
          like(eb.fn<string>('lower', ['description']), pattern),
        ]),
      );
    }
    // Tags are stored as a JSON array of restricted characters, so `"tag"` only occurs as a whole tag.
    for (const tag of filter.tags ?? [])
      q = q.where((eb) => like(eb.ref('tags'), `%${likeEscape(JSON.stringify(tag))}%`));
    const rows = await q.orderBy('key').limit(filter.limit).execute();
    return rows.map(toFlag);
  }

  async listActive(projectId: string, tx: Executor = this.db): Promise<FlagRecord[]> {
    const rows = await tx
      .selectFrom('flags')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('archived', '=', 0)
      .orderBy('key')
      .execute();
    return rows.map(toFlag);
  }

  async updateDefinition(
    tx: Executor,
    id: string,
    expectedVersion: number,
    changes: Partial<
      Pick<FlagRecord, 'name' | 'description' | 'variants' | 'tags' | 'changeType' | 'archived'>
    >,
    at: string,
  ): Promise<boolean> {
    const r = await tx
      .updateTable('flags')
      .set((eb) => ({
        ...(changes.name === undefined ? {} : { name: changes.name }),
        ...(changes.description === undefined ? {} : { description: changes.description }),
        ...(changes.variants === undefined ? {} : { variants: JSON.stringify(changes.variants) }),
        ...(changes.tags === undefined ? {} : { tags: JSON.stringify(changes.tags) }),
        ...(changes.changeType === undefined ? {} : { change_type: changes.changeType }),
        ...(changes.archived === undefined ? {} : { archived: changes.archived ? 1 : 0 }),
        version: eb('version', '+', 1),
        updated_at: at,
      }))
      .where('id', '=', id)
      .where('version', '=', expectedVersion)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async configs(flagId: string, tx: Executor = this.db): Promise<Map<string, VersionedConfig>> {
    const rows = await tx.selectFrom('flag_environments').selectAll().where('flag_id', '=', flagId).execute();
    return new Map(rows.map((r) => [r.environment_id, toConfig(r)]));
  }

  async configsForEnvironment(
    environmentId: string,
    tx: Executor = this.db,
  ): Promise<Map<string, VersionedConfig>> {
    const rows = await tx
      .selectFrom('flag_environments')
      .selectAll()
      .where('environment_id', '=', environmentId)
      .execute();
    return new Map(rows.map((r) => [r.flag_id, toConfig(r)]));
  }

  async writeConfig(
    tx: Executor,
    flagId: string,
    environmentId: string,
    expectedVersion: number,
    config: EnvironmentConfig,
    at: string,
  ): Promise<boolean> {
    const document = JSON.stringify(config);
    if (expectedVersion === 0) {
      // Never written: the first write inserts; a concurrent first write loses on the primary key.
      // No error for the loser: on PostgreSQL one would abort the caller's whole transaction.
      const r = await tx
        .insertInto('flag_environments')
        .values({
          flag_id: flagId,
          environment_id: environmentId,
          config: document,
          version: 1,
          updated_at: at,
        })
        .onConflict((oc) => oc.columns(['flag_id', 'environment_id']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
    }
    const r = await tx
      .updateTable('flag_environments')
      .set((eb) => ({ config: document, version: eb('version', '+', 1), updated_at: at }))
      .where('flag_id', '=', flagId)
      .where('environment_id', '=', environmentId)
      .where('version', '=', expectedVersion)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}
