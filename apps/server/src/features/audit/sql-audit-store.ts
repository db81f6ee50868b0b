import type { Kysely } from 'kysely';
import { type Executor, fromJson } from '../../db/store-helpers.js';
import type { Tables } from '../../db/tables.js';
import type { AuditEntry, AuditQuery, AuditStore, NewAuditEntry } from './audit-store.js';

export class SqlAuditStore implements AuditStore {
  constructor(private readonly db: Kysely<Tables>) {}

  async append(tx: Executor, entry: NewAuditEntry): Promise<void> {
    await tx
      .insertInto('audit_log')
      .values({
        at: entry.at,
        actor: entry.actor,
        action: entry.action,
        resource_type: entry.resourceType,
        resource_key: entry.resourceKey,
        project_key: entry.project,
        environment_key: entry.environment,
        flag_key: entry.flag,
        before: entry.before === undefined || entry.before === null ? null : JSON.stringify(entry.before),
        after: entry.after === undefined || entry.after === null ? null : JSON.stringify(entry.after),
      })
      .execute();
  }

  async list(query: AuditQuery): Promise<AuditEntry[]> {
    let q = this.db.selectFrom('audit_log').selectAll();
    if (query.project !== undefined) q = q.where('project_key', '=', query.project);
    if (query.flag !== undefined) q = q.where('flag_key', '=', query.flag);
    if (query.actor !== undefined) q = q.where('actor', '=', query.actor);
    if (query.action !== undefined) q = q.where('action', '=', query.action);
    if (query.from !== undefined) q = q.where('at', '>=', query.from);
    if (query.to !== undefined) q = q.where('at', '<', query.to);
    if (query.before !== undefined) q = q.where('id', '<', query.before);
    const rows = await q.orderBy('id', 'desc').limit(query.limit).execute();
    return rows.map((r) => ({
      id: Number(r.id),
      at: r.at,
      actor: r.actor,
      action: r.action,
      resourceType: r.resource_type,
      resourceKey: r.resource_key,
      project: r.project_key,
      environment: r.environment_key,
      flag: r.flag_key,
      before: r.before === null ? null : fromJson(r.before),
      after: r.after === null ? null : fromJson(r.after),
    }));
  }
}
