import {
  type CreateTableBuilder,
  type Kysely,
  type Migration,
  type MigrationProvider,
  Migrator,
  sql,
} from 'kysely';
import type { Dialect } from './database.js';

/**
 * Schema migrations, in order. Each is written once for both dialects; where they differ (the audit
 * log's key, its append-only triggers), the dialect decides. Never edit a migration that has shipped:
 * add the next one.
 */
function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001-initial': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('projects')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('key', 'text', (c) => c.notNull().unique())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('environments')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('position', 'integer', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addUniqueConstraint('environments_project_key', ['project_id', 'key'])
          .execute();
        await db.schema
          .createTable('flags')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('description', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('variants', 'text', (c) => c.notNull())
          .addColumn('salt', 'text', (c) => c.notNull())
          .addColumn('tags', 'text', (c) => c.notNull())
          .addColumn('change_type', 'text', (c) => c.notNull())
          .addColumn('archived', 'integer', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addUniqueConstraint('flags_project_key', ['project_id', 'key'])
          .execute();
        await db.schema
          .createTable('flag_environments')
          .addColumn('flag_id', 'text', (c) => c.notNull().references('flags.id'))
          .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id'))
          .addColumn('config', 'text', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('flag_environments_pk', ['flag_id', 'environment_id'])
          .execute();
        await db.schema
          .createTable('segments')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('description', 'text', (c) => c.notNull())
          .addColumn('included', 'text', (c) => c.notNull())
          .addColumn('excluded', 'text', (c) => c.notNull())
          .addColumn('clauses', 'text', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addUniqueConstraint('segments_project_key', ['project_id', 'key'])
          .execute();
        await db.schema
          .createTable('api_keys')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('project_id', 'text', (c) => c.references('projects.id'))
          .addColumn('environment_id', 'text', (c) => c.references('environments.id'))
          .addColumn('hash', 'text', (c) => c.notNull().unique())
          .addColumn('prefix', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('last_used_at', 'text')
          .addColumn('revoked_at', 'text')
          .execute();
        await db.schema
          .createTable('audit_log')
          .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
            dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('actor', 'text', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('resource_type', 'text', (c) => c.notNull())
          .addColumn('resource_key', 'text', (c) => c.notNull())
          .addColumn('project_key', 'text')
          .addColumn('environment_key', 'text')
          .addColumn('flag_key', 'text')
          .addColumn('before', 'text')
          .addColumn('after', 'text')
          .execute();
        await db.schema.createIndex('audit_log_flag').on('audit_log').columns(['flag_key', 'id']).execute();
        await db.schema.createIndex('audit_log_actor').on('audit_log').columns(['actor', 'id']).execute();
        await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
        // The audit log is append-only below the application too: no route edits it, and the
        // database refuses to.
        if (dialect === 'postgres') {
          await sql`create function audit_log_append_only() returns trigger language plpgsql as $$
            begin raise exception 'the audit log is append-only'; end $$`.execute(db);
          await sql`create trigger audit_log_no_update before update or delete on audit_log
            for each statement execute function audit_log_append_only()`.execute(db);
        } else {
          await sql`create trigger audit_log_no_update before update on audit_log
            begin select raise(abort, 'the audit log is append-only'); end`.execute(db);
          await sql`create trigger audit_log_no_delete before delete on audit_log
            begin select raise(abort, 'the audit log is append-only'); end`.execute(db);
        }
      },
    },
    '0002-audit-log-no-truncate': {
      // PostgreSQL's row and statement DELETE triggers do not fire on TRUNCATE; SQLite has no TRUNCATE.
      async up(db: Kysely<unknown>) {
        if (dialect !== 'postgres') return;
        await sql`create trigger audit_log_no_truncate before truncate on audit_log
          for each statement execute function audit_log_append_only()`.execute(db);
      },
    },
    '0003-events': {
      // No foreign keys to environments: every accepted batch would check one per unit row, and
      // environments are never deleted.
      async up(db: Kysely<unknown>) {
        const postgres = dialect === 'postgres';
        // WITHOUT ROWID on SQLite: these tables are only ever reached through their key, so the key is
        // the table (one b-tree, instead of a table plus an index holding the same text again).
        const keyed = <T extends string, C extends string>(table: CreateTableBuilder<T, C>) =>
          postgres ? table : table.modifyEnd(sql`without rowid`);
        await db.schema
          .createTable('event_batches')
          .addColumn('id', postgres ? 'bigserial' : 'integer', (c) =>
            postgres ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('environment_id', 'text', (c) => c.notNull())
          .addColumn('idempotency_key', 'text', (c) => c.notNull())
          .addColumn('received_at', 'text', (c) => c.notNull())
          .addColumn('response', 'text', (c) => c.notNull())
          .addColumn('events', postgres ? 'bytea' : 'blob', (c) => c.notNull())
          .addColumn('event_count', 'integer', (c) => c.notNull())
          .addUniqueConstraint('event_batches_idempotency', ['environment_id', 'idempotency_key'])
          .execute();
        await db.schema
          .createIndex('event_batches_environment')
          .on('event_batches')
          .columns(['environment_id', 'id'])
          .execute();
        await db.schema
          .createIndex('event_batches_received')
          .on('event_batches')
          .column('received_at')
          .execute();
        await keyed(
          db.schema
            .createTable('event_units')
            .addColumn('environment_id', 'text', (c) => c.notNull())
            .addColumn('flag_key', 'text', (c) => c.notNull())
            .addColumn('variant_key', 'text', (c) => c.notNull())
            .addColumn('unit', 'text', (c) => c.notNull())
            .addColumn('first_hour', 'text', (c) => c.notNull())
            .addPrimaryKeyConstraint('event_units_pk', ['environment_id', 'flag_key', 'variant_key', 'unit']),
        ).execute();
        await keyed(
          db.schema
            .createTable('event_rollups')
            .addColumn('environment_id', 'text', (c) => c.notNull())
            .addColumn('flag_key', 'text', (c) => c.notNull())
            .addColumn('hour', 'text', (c) => c.notNull())
            .addColumn('variant_key', 'text', (c) => c.notNull())
            .addColumn('metric', 'text', (c) => c.notNull())
            .addColumn('count', postgres ? 'bigint' : 'integer', (c) => c.notNull())
            .addColumn('sum', postgres ? 'double precision' : 'real', (c) => c.notNull())
            .addColumn('sum_squares', postgres ? 'double precision' : 'real', (c) => c.notNull())
            .addColumn('sketch', postgres ? 'bytea' : 'blob')
            .addPrimaryKeyConstraint('event_rollups_pk', [
              'environment_id',
              'flag_key',
              'hour',
              'variant_key',
              'metric',
            ]),
        ).execute();
        await db.schema
          .createTable('model_prices')
          .addColumn('provider', 'text', (c) => c.notNull())
          .addColumn('model', 'text', (c) => c.notNull())
          .addColumn('input_per_million', postgres ? 'double precision' : 'real', (c) => c.notNull())
          .addColumn('output_per_million', postgres ? 'double precision' : 'real', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('model_prices_pk', ['provider', 'model'])
          .execute();
      },
    },
    '0004-promotion-policies': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('promotion_policies')
          .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id'))
          .addColumn('flag_key', 'text', (c) => c.notNull())
          .addColumn('control_variant', 'text')
          .addColumn('settings', 'text', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('promotion_policies_pk', ['environment_id', 'flag_key'])
          .execute();
      },
    },
  };
}

class InCodeMigrations implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations(this.dialect);
  }
}

/** Applies every pending migration; returns the names applied. Throws with the failing migration named. */
export async function migrateToLatest(db: Kysely<unknown>, dialect: Dialect): Promise<string[]> {
  // Unless told a schema, Kysely looks for its migration tables in every schema and may find another
  // store's (tests keep one store per schema in one database): name the current one.
  const schema =
    dialect === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
      : undefined;
  const migrator = new Migrator({
    db,
    provider: new InCodeMigrations(dialect),
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error !== undefined) {
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${String(error)}`, {
      cause: error,
    });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
