import type { Kysely } from 'kysely';
import type { Executor } from '../../db/store-helpers.js';
import type { Tables } from '../../db/tables.js';
import type { ApiKey, ApiKeyStore, KeyKind } from './api-key-store.js';

function toKey(r: Tables['api_keys']): ApiKey {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind as KeyKind,
    projectId: r.project_id,
    environmentId: r.environment_id,
    hash: r.hash,
    prefix: r.prefix,
    createdAt: r.created_at,
    createdBy: r.created_by,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  };
}

export class SqlApiKeyStore implements ApiKeyStore {
  constructor(private readonly db: Kysely<Tables>) {}

  async insert(tx: Executor, k: ApiKey): Promise<void> {
    await tx
      .insertInto('api_keys')
      .values({
        id: k.id,
        name: k.name,
        kind: k.kind,
        project_id: k.projectId,
        environment_id: k.environmentId,
        hash: k.hash,
        prefix: k.prefix,
        created_at: k.createdAt,
        created_by: k.createdBy,
        last_used_at: k.lastUsedAt,
        revoked_at: k.revokedAt,
      })
      .execute();
  }

  async findByHash(hash: string): Promise<ApiKey | undefined> {
    const r = await this.db.selectFrom('api_keys').selectAll().where('hash', '=', hash).executeTakeFirst();
    return r && toKey(r);
  }

  async findById(id: string, tx: Executor = this.db): Promise<ApiKey | undefined> {
    const r = await tx.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toKey(r);
  }

  async list(): Promise<ApiKey[]> {
    const rows = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toKey);
  }

  async count(tx: Executor = this.db): Promise<number> {
    const r = await tx
      .selectFrom('api_keys')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  async revoke(tx: Executor, id: string, at: string): Promise<boolean> {
    const r = await tx
      .updateTable('api_keys')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async touch(ids: readonly string[], at: string): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .updateTable('api_keys')
      .set({ last_used_at: at })
      .where('id', 'in', [...ids])
      .execute();
  }
}
