import {
  type CreateTableBuilder,
  type DatabaseIntrospector,
  type Kysely,
  type Migration,
  type MigrationProvider,
  Migrator,
  sql,
  type TableMetadata,
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
    '0005-rollouts': {
      async up(db: Kysely<unknown>) {
        const postgres = dialect === 'postgres';
        await db.schema
          .createTable('rollout_plans')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
          .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id'))
          .addColumn('flag_key', 'text', (c) => c.notNull())
          .addColumn('candidate_variant', 'text', (c) => c.notNull())
          .addColumn('control_variant', 'text', (c) => c.notNull())
          .addColumn('stages', 'text', (c) => c.notNull())
          .addColumn('policy', 'text')
          .addColumn('cost_cap_per_day_usd', postgres ? 'double precision' : 'real')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('stage_index', 'integer', (c) => c.notNull())
          .addColumn('stage_started_at', 'text', (c) => c.notNull())
          .addColumn('reason', 'text')
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          // `environment_id/flag_key` while the plan is live, NULL after: the unique constraint allows
          // one live plan per flag and environment (both dialects let NULLs repeat).
          .addColumn('live_key', 'text', (c) => c.unique())
          .execute();
        await db.schema
          .createIndex('rollout_plans_flag')
          .on('rollout_plans')
          .columns(['environment_id', 'flag_key', 'created_at'])
          .execute();
        await db.schema.createIndex('rollout_plans_status').on('rollout_plans').column('status').execute();
        await db.schema
          .createTable('rollout_timeline')
          .addColumn('id', postgres ? 'bigserial' : 'integer', (c) =>
            postgres ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('plan_id', 'text', (c) => c.notNull().references('rollout_plans.id'))
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('last_at', 'text', (c) => c.notNull())
          .addColumn('repeats', 'integer', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('actor', 'text', (c) => c.notNull())
          .addColumn('stage_index', 'integer', (c) => c.notNull())
          .addColumn('stage', 'text', (c) => c.notNull())
          .addColumn('verdict', 'text')
          .addColumn('cause', 'text')
          .addColumn('reason', 'text', (c) => c.notNull())
          .addColumn('figures', 'text')
          .execute();
        await db.schema
          .createIndex('rollout_timeline_plan')
          .on('rollout_timeline')
          .columns(['plan_id', 'id'])
          .execute();
      },
    },
    '0006-webhooks': {
      async up(db: Kysely<unknown>) {
        const postgres = dialect === 'postgres';
        await db.schema
          .createTable('webhooks')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('url', 'text', (c) => c.notNull())
          .addColumn('secret', 'text', (c) => c.notNull())
          .addColumn('events', 'text', (c) => c.notNull())
          .addColumn('flag_key', 'text')
          .addColumn('environment_key', 'text')
          .addColumn('format', 'text', (c) => c.notNull())
          .addColumn('enabled', 'integer', (c) => c.notNull())
          .addColumn('since_audit_id', postgres ? 'bigint' : 'integer', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('webhooks_project')
          .on('webhooks')
          .columns(['project_id', 'enabled'])
          .execute();
        await db.schema
          .createTable('webhook_deliveries')
          // The order deliveries were queued in: the delivery log's order and cursor.
          .addColumn('seq', postgres ? 'bigserial' : 'integer', (c) =>
            postgres ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('id', 'text', (c) => c.notNull().unique())
          .addColumn('webhook_id', 'text', (c) => c.notNull().references('webhooks.id'))
          .addColumn('event_id', 'text', (c) => c.notNull())
          .addColumn('event_type', 'text', (c) => c.notNull())
          .addColumn('body', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull())
          .addColumn('max_attempts', 'integer', (c) => c.notNull())
          .addColumn('next_attempt_at', 'text')
          .addColumn('claimed_until', 'text')
          .addColumn('last_status_code', 'integer')
          .addColumn('last_error', 'text')
          .addColumn('last_duration_ms', 'integer')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('finished_at', 'text')
          // One delivery per webhook and event, however many replicas report the event.
          .addUniqueConstraint('webhook_deliveries_event', ['webhook_id', 'event_id'])
          .execute();
        await db.schema
          .createIndex('webhook_deliveries_due')
          .on('webhook_deliveries')
          .columns(['status', 'next_attempt_at'])
          .execute();
        await db.schema
          .createIndex('webhook_deliveries_log')
          .on('webhook_deliveries')
          .columns(['webhook_id', 'seq'])
          .execute();
        await db.schema
          .createTable('webhook_attempts')
          .addColumn('delivery_id', 'text', (c) => c.notNull().references('webhook_deliveries.id'))
          .addColumn('attempt', 'integer', (c) => c.notNull())
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('status_code', 'integer')
          .addColumn('duration_ms', 'integer', (c) => c.notNull())
          .addColumn('error', 'text')
          .addColumn('response', 'text')
          .addPrimaryKeyConstraint('webhook_attempts_pk', ['delivery_id', 'attempt'])
          .execute();
      },
    },
    '0007-alerts': {
      async up(db: Kysely<unknown>) {
        const postgres = dialect === 'postgres';
        const real = postgres ? 'double precision' : 'real';
        await db.schema
          .createTable('alert_rules')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
          .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id'))
          .addColumn('flag_key', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('metric', 'text', (c) => c.notNull())
          .addColumn('threshold', real, (c) => c.notNull())
          .addColumn('window_minutes', 'integer', (c) => c.notNull())
          .addColumn('for_minutes', 'integer', (c) => c.notNull())
          .addColumn('min_sample', 'integer', (c) => c.notNull())
          .addColumn('variant_key', 'text')
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('enabled', 'integer', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('state_since', 'text')
          .addColumn('state_version', 'integer', (c) => c.notNull())
          .addColumn('last_value', real)
          .addColumn('last_variant', 'text')
          .addColumn('last_evaluated_at', 'text')
          .addColumn('last_error', 'text')
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('alert_rules_flag')
          .on('alert_rules')
          .columns(['project_id', 'flag_key', 'environment_id'])
          .execute();
        await db.schema
          .createTable('alert_events')
          .addColumn('id', postgres ? 'bigserial' : 'integer', (c) =>
            postgres ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('rule_id', 'text', (c) => c.notNull().references('alert_rules.id'))
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('value', real)
          .addColumn('variant_key', 'text')
          .addColumn('details', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('alert_events_rule')
          .on('alert_events')
          .columns(['rule_id', 'id'])
          .execute();
      },
    },
    '0008-scheduled-changes': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('scheduled_changes')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
          .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id'))
          .addColumn('flag_key', 'text', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('fallthrough', 'text')
          .addColumn('run_at', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('created_version', 'integer', (c) => c.notNull())
          .addColumn('applied_version', 'integer')
          .addColumn('result', 'text')
          .addColumn('claims', 'integer', (c) => c.notNull())
          .addColumn('claimed_at', 'text')
          .addColumn('finished_at', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('created_by', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('scheduled_changes_due')
          .on('scheduled_changes')
          .columns(['status', 'run_at'])
          .execute();
        await db.schema
          .createIndex('scheduled_changes_flag')
          .on('scheduled_changes')
          .columns(['project_id', 'flag_key', 'environment_id'])
          .execute();
      },
    },
    '0009-rollout-change-type': {
      async up(db: Kysely<unknown>) {
        // The change type a plan was made for (its preset); null for plans made before it was kept.
        await db.schema.alterTable('rollout_plans').addColumn('change_type', 'text').execute();
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

/**
 * What the migrator learns of the database: the tables and views of this store's schema only, read
 * from pg_catalog with no function calls. Kysely's own introspector reads every schema of the database
 * (with `has_schema_privilege`, `pg_get_serial_sequence`...), and another store's schema or table
 * dropped in the middle of that read failed the migration ("schema … does not exist", "column … of
 * relation … does not exist": seen in CI, where test files drop their schemas while others start).
 */
function schemaIntrospector(db: Kysely<unknown>, schema: string): DatabaseIntrospector {
  const getTables = async (): Promise<TableMetadata[]> => {
    const rows = await sql<{ name: string; kind: string }>`
      select c.relname as name, c.relkind as kind
      from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ${schema} and c.relkind in ('r', 'v', 'p')`.execute(db);
    return rows.rows.map((r) => ({ name: r.name, schema, isView: r.kind === 'v', columns: [] }));
  };
  return {
    async getSchemas() {
      const rows = await sql<{ name: string }>`
        select nspname as name from pg_catalog.pg_namespace where nspname = ${schema}`.execute(db);
      return rows.rows;
    },
    getTables,
    async getMetadata() {
      return { tables: await getTables() };
    },
  };
}

/** `db` as the migrator sees it: the same in every way but its introspection, scoped to `schema`. */
function scopedToSchema(db: Kysely<unknown>, schema: string): Kysely<unknown> {
  const introspection = schemaIntrospector(db, schema);
  return new Proxy(db, {
    get(target, property) {
      if (property === 'introspection') return introspection;
      const value = Reflect.get(target, property, target);
      // Kysely's methods use private fields: call them on the instance itself, not on the proxy.
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
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
    db: schema === undefined ? db : scopedToSchema(db, schema),
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
