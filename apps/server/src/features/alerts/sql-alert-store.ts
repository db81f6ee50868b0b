import type { Kysely } from 'kysely';
import { type Executor, fromJson } from '../../db/store-helpers.js';
import type { Tables } from '../../db/tables.js';
import type {
  AlertAction,
  AlertEventKind,
  AlertEventRecord,
  AlertMetric,
  AlertRuleDefinition,
  AlertRuleFilter,
  AlertRuleRecord,
  AlertRuleStatus,
  AlertState,
  AlertStore,
} from './alert-store.js';

type Row = Tables['alert_rules'] & { project_key: string; environment_key: string };

function toRule(r: Row): AlertRuleRecord {
  return {
    id: r.id,
    projectId: r.project_id,
    project: r.project_key,
    environmentId: r.environment_id,
    environment: r.environment_key,
    flag: r.flag_key,
    name: r.name,
    metric: r.metric as AlertMetric,
    threshold: Number(r.threshold),
    windowMinutes: Number(r.window_minutes),
    forMinutes: Number(r.for_minutes),
    minSample: Number(r.min_sample),
    variant: r.variant_key,
    action: r.action as AlertAction,
    enabled: Number(r.enabled) === 1,
    state: r.state as AlertState,
    stateSince: r.state_since,
    stateVersion: Number(r.state_version),
    lastValue: r.last_value === null ? null : Number(r.last_value),
    lastVariant: r.last_variant,
    lastEvaluatedAt: r.last_evaluated_at,
    lastError: r.last_error,
    version: Number(r.version),
    createdAt: r.created_at,
    createdBy: r.created_by,
    updatedAt: r.updated_at,
  };
}

function definitionColumns(d: Partial<AlertRuleDefinition>) {
  return {
    ...(d.name === undefined ? {} : { name: d.name }),
    ...(d.metric === undefined ? {} : { metric: d.metric }),
    ...(d.threshold === undefined ? {} : { threshold: d.threshold }),
    ...(d.windowMinutes === undefined ? {} : { window_minutes: d.windowMinutes }),
    ...(d.forMinutes === undefined ? {} : { for_minutes: d.forMinutes }),
    ...(d.minSample === undefined ? {} : { min_sample: d.minSample }),
    ...(d.variant === undefined ? {} : { variant_key: d.variant }),
    ...(d.action === undefined ? {} : { action: d.action }),
    ...(d.enabled === undefined ? {} : { enabled: d.enabled ? 1 : 0 }),
  };
}

function statusColumns(s: Partial<AlertRuleStatus>) {
  return {
    ...(s.state === undefined ? {} : { state: s.state }),
    ...(s.stateSince === undefined ? {} : { state_since: s.stateSince }),
    ...(s.lastValue === undefined ? {} : { last_value: s.lastValue }),
    ...(s.lastVariant === undefined ? {} : { last_variant: s.lastVariant }),
    ...(s.lastEvaluatedAt === undefined ? {} : { last_evaluated_at: s.lastEvaluatedAt }),
    ...(s.lastError === undefined ? {} : { last_error: s.lastError }),
  };
}

export class SqlAlertStore implements AlertStore {
  constructor(private readonly db: Kysely<Tables>) {}

  private select(tx: Executor) {
    return tx
      .selectFrom('alert_rules')
      .innerJoin('projects', 'projects.id', 'alert_rules.project_id')
      .innerJoin('environments', 'environments.id', 'alert_rules.environment_id')
      .selectAll('alert_rules')
      .select(['projects.key as project_key', 'environments.key as environment_key']);
  }

  async insert(tx: Executor, rule: AlertRuleRecord): Promise<void> {
    await tx
      .insertInto('alert_rules')
      .values({
        id: rule.id,
        project_id: rule.projectId,
        environment_id: rule.environmentId,
        flag_key: rule.flag,
        name: rule.name,
        metric: rule.metric,
        threshold: rule.threshold,
        window_minutes: rule.windowMinutes,
        for_minutes: rule.forMinutes,
        min_sample: rule.minSample,
        variant_key: rule.variant,
        action: rule.action,
        enabled: rule.enabled ? 1 : 0,
        state: rule.state,
        state_since: rule.stateSince,
        state_version: rule.stateVersion,
        last_value: rule.lastValue,
        last_variant: rule.lastVariant,
        last_evaluated_at: rule.lastEvaluatedAt,
        last_error: rule.lastError,
        version: rule.version,
        created_at: rule.createdAt,
        created_by: rule.createdBy,
        updated_at: rule.updatedAt,
      })
      .execute();
  }

  async find(id: string, tx: Executor = this.db): Promise<AlertRuleRecord | undefined> {
    const row = await this.select(tx).where('alert_rules.id', '=', id).executeTakeFirst();
    return row && toRule(row);
  }

  async list(filter: AlertRuleFilter): Promise<AlertRuleRecord[]> {
    let q = this.select(this.db);
    if (filter.projectId !== undefined) q = q.where('alert_rules.project_id', '=', filter.projectId);
    if (filter.environmentId !== undefined)
      q = q.where('alert_rules.environment_id', '=', filter.environmentId);
    if (filter.flag !== undefined) q = q.where('alert_rules.flag_key', '=', filter.flag);
    if (filter.state !== undefined) q = q.where('alert_rules.state', '=', filter.state);
    if (filter.enabled !== undefined) q = q.where('alert_rules.enabled', '=', filter.enabled ? 1 : 0);
    const rows = await q.orderBy('alert_rules.created_at').orderBy('alert_rules.id').execute();
    return rows.map(toRule);
  }

  async update(
    tx: Executor,
    id: string,
    expectedVersion: number,
    changes: Partial<AlertRuleDefinition>,
    at: string,
  ): Promise<boolean> {
    const result = await tx
      .updateTable('alert_rules')
      .set({ ...definitionColumns(changes), version: expectedVersion + 1, updated_at: at })
      .where('id', '=', id)
      .where('version', '=', expectedVersion)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async delete(tx: Executor, id: string): Promise<boolean> {
    await tx.deleteFrom('alert_events').where('rule_id', '=', id).execute();
    const result = await tx.deleteFrom('alert_rules').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  async transition(
    id: string,
    fromStateVersion: number,
    status: AlertRuleStatus,
    event: Omit<AlertEventRecord, 'id'> | undefined,
  ): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const result = await tx
        .updateTable('alert_rules')
        .set({ ...statusColumns(status), state_version: fromStateVersion + 1 })
        .where('id', '=', id)
        .where('state_version', '=', fromStateVersion)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      if (event !== undefined) await this.insertEvent(tx, event);
      return true;
    });
  }

  async recordEvaluation(
    id: string,
    stateVersion: number,
    status: Pick<AlertRuleStatus, 'lastValue' | 'lastVariant' | 'lastEvaluatedAt' | 'lastError'>,
  ): Promise<void> {
    await this.db
      .updateTable('alert_rules')
      .set(statusColumns(status))
      .where('id', '=', id)
      .where('state_version', '=', stateVersion)
      .execute();
  }

  async appendEvent(event: Omit<AlertEventRecord, 'id'>): Promise<void> {
    await this.insertEvent(this.db, event);
  }

  async lastFired(ruleIds: readonly string[]): Promise<Map<string, string>> {
    if (ruleIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('alert_events')
      .select(['rule_id', 'at'])
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('alert_events')
          .select((inner) => inner.fn.max('id').as('id'))
          .where('kind', '=', 'fired')
          .where('rule_id', 'in', [...ruleIds])
          .groupBy('rule_id'),
      )
      .execute();
    return new Map(rows.map((r) => [r.rule_id, r.at]));
  }

  async history(
    ruleId: string,
    query: { limit: number; before?: number | undefined },
  ): Promise<AlertEventRecord[]> {
    let q = this.db.selectFrom('alert_events').selectAll().where('rule_id', '=', ruleId);
    if (query.before !== undefined) q = q.where('id', '<', query.before);
    const rows = await q.orderBy('id', 'desc').limit(query.limit).execute();
    return rows.map((r) => ({
      id: Number(r.id),
      ruleId: r.rule_id,
      kind: r.kind as AlertEventKind,
      at: r.at,
      value: r.value === null ? null : Number(r.value),
      variant: r.variant_key,
      details: fromJson<Record<string, unknown>>(r.details),
    }));
  }

  private async insertEvent(tx: Executor, event: Omit<AlertEventRecord, 'id'>): Promise<void> {
    await tx
      .insertInto('alert_events')
      .values({
        rule_id: event.ruleId,
        kind: event.kind,
        at: event.at,
        value: event.value,
        variant_key: event.variant,
        details: JSON.stringify(event.details),
      })
      .execute();
  }
}
