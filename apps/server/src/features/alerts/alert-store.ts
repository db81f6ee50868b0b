import type { Executor } from '../../db/store-helpers.js';

/** What an alert rule watches, per variant, over its window. */
export const ALERT_METRICS = ['error_rate', 'latency_p95_ms', 'cost_per_day_usd', 'fallback_rate'] as const;
export type AlertMetric = (typeof ALERT_METRICS)[number];

/** What a rule does when it fires: notify (webhooks), or notify and roll the flag back. */
export const ALERT_ACTIONS = ['notify', 'rollback'] as const;
export type AlertAction = (typeof ALERT_ACTIONS)[number];

/**
 * Where a rule stands: `inactive` (within its threshold, or not enough data), `pending` (over it, for
 * less than its `forMinutes`), `firing`.
 */
export const ALERT_STATES = ['inactive', 'pending', 'firing'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** The history of a rule: it fired, it resolved, and what its rollback did. */
export const ALERT_EVENT_KINDS = ['fired', 'resolved', 'rolled_back', 'rollback_failed'] as const;
export type AlertEventKind = (typeof ALERT_EVENT_KINDS)[number];

/** A rule's definition. */
export interface AlertRuleDefinition {
  name: string;
  metric: AlertMetric;
  threshold: number;
  /** The data read: from the start of the UTC hour `windowMinutes` ago until now (rollups are hourly). */
  windowMinutes: number;
  /** How long the threshold must stay broken before the rule fires (0: at the first evaluation). */
  forMinutes: number;
  /** Requests a variant needs in the window before its figure counts. */
  minSample: number;
  /** The one variant watched, or null for every variant (any one over the threshold fires). */
  variant: string | null;
  action: AlertAction;
  enabled: boolean;
}

/** Where a rule's evaluation stands. */
export interface AlertRuleStatus {
  state: AlertState;
  /** When the state was entered (null: never evaluated). */
  stateSince: string | null;
  /** The worst figure of the last evaluation, and its variant. */
  lastValue: number | null;
  lastVariant: string | null;
  lastEvaluatedAt: string | null;
  /** Why the last evaluation could not read the figures, if it could not. */
  lastError: string | null;
}

/** A rule as stored, with the keys of its project and environment. */
export interface AlertRuleRecord extends AlertRuleDefinition, AlertRuleStatus {
  id: string;
  projectId: string;
  project: string;
  environmentId: string;
  environment: string;
  flag: string;
  /** Increments with every change of state: a transition is applied by one evaluator only. */
  stateVersion: number;
  version: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
}

/** One entry of a rule's history. */
export interface AlertEventRecord {
  id: number;
  ruleId: string;
  kind: AlertEventKind;
  at: string;
  value: number | null;
  variant: string | null;
  details: Record<string, unknown>;
}

export interface AlertRuleFilter {
  projectId?: string | undefined;
  environmentId?: string | undefined;
  flag?: string | undefined;
  state?: AlertState | undefined;
  enabled?: boolean | undefined;
}

/**
 * Alert rules and their history. `transition` MUST apply only when the stored `stateVersion` is the
 * one the caller read (so that of two evaluators, replicas or not, one moves the rule), MUST then
 * increment it, and MUST write the history entry in the same transaction. `update` MUST apply only at
 * the expected version and increment it. Lists MUST be ordered by creation; history newest first.
 */
export interface AlertStore {
  insert(tx: Executor, rule: AlertRuleRecord): Promise<void>;
  find(id: string, tx?: Executor): Promise<AlertRuleRecord | undefined>;
  list(filter: AlertRuleFilter): Promise<AlertRuleRecord[]>;
  update(
    tx: Executor,
    id: string,
    expectedVersion: number,
    changes: Partial<AlertRuleDefinition>,
    at: string,
  ): Promise<boolean>;
  delete(tx: Executor, id: string): Promise<boolean>;
  /** Moves a rule to a new status; false when another evaluator moved it first. */
  transition(
    id: string,
    fromStateVersion: number,
    status: AlertRuleStatus,
    event: Omit<AlertEventRecord, 'id'> | undefined,
  ): Promise<boolean>;
  /** Notes an evaluation that changed no state (figures, time, error). */
  recordEvaluation(
    id: string,
    stateVersion: number,
    status: Pick<AlertRuleStatus, 'lastValue' | 'lastVariant' | 'lastEvaluatedAt' | 'lastError'>,
  ): Promise<void>;
  appendEvent(event: Omit<AlertEventRecord, 'id'>): Promise<void>;
  history(ruleId: string, query: { limit: number; before?: number | undefined }): Promise<AlertEventRecord[]>;
  /** When each of these rules last fired, by rule id (rules that never fired are absent). */
  lastFired(ruleIds: readonly string[]): Promise<Map<string, string>>;
}
