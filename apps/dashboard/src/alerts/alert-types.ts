/** The alert rules API's shapes (apps/server's alert-schemas.ts), by hand: the dashboard talks HTTP only. */

/** What a rule watches, per variant (the server's `ALERT_METRICS`). */
export const ALERT_METRICS = ['error_rate', 'latency_p95_ms', 'cost_per_day_usd', 'fallback_rate'] as const;
export type AlertMetric = (typeof ALERT_METRICS)[number];

/** What a firing rule does: notify webhooks, or also roll the flag back (`ALERT_ACTIONS`). */
export const ALERT_ACTIONS = ['notify', 'rollback'] as const;
export type AlertAction = (typeof ALERT_ACTIONS)[number];

/** Where a rule stands (`ALERT_STATES`). */
export const ALERT_STATES = ['inactive', 'pending', 'firing'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** The entries of a rule's history (`ALERT_EVENT_KINDS`). */
export const ALERT_EVENT_KINDS = ['fired', 'resolved', 'rolled_back', 'rollback_failed'] as const;
export type AlertEventKind = (typeof ALERT_EVENT_KINDS)[number];

/** An alert rule with its state (`alertViewSchema`). */
export interface AlertView {
  id: string;
  project: string;
  flag: string;
  environment: string;
  name: string;
  metric: AlertMetric;
  threshold: number;
  windowMinutes: number;
  forMinutes: number;
  minSample: number;
  variant: string | null;
  action: AlertAction;
  enabled: boolean;
  state: AlertState;
  stateSince: string | null;
  lastValue: number | null;
  lastVariant: string | null;
  lastEvaluatedAt: string | null;
  lastError: string | null;
  version: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
}

/** A rule in the list (`alertListItemSchema`): with when it last fired. */
export interface AlertListItem extends AlertView {
  /** When it last fired (for a firing rule: when this firing began), or null if it never fired. */
  lastFiredAt: string | null;
}

/** One entry of a rule's history (`alertEventViewSchema`). */
export interface AlertEventView {
  id: number;
  kind: AlertEventKind;
  at: string;
  value: number | null;
  variant: string | null;
  details: Record<string, unknown>;
}
