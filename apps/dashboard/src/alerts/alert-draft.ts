import type { FieldProblem } from '../model/field-errors.js';
import type { AlertAction, AlertMetric, AlertView } from './alert-types.js';

/** An alert rule as edited: numbers as typed, so that a bad one is shown at its field. */
export interface AlertDraft {
  flag: string;
  environment: string;
  name: string;
  metric: AlertMetric;
  threshold: string;
  windowMinutes: string;
  forMinutes: string;
  minSample: string;
  /** The one variant watched; '' for every variant. */
  variant: string;
  action: AlertAction;
  enabled: boolean;
}

/** The server's limits (alert-schemas.ts and the service's checks). */
export const ALERT_LIMITS = {
  nameMax: 200,
  thresholdMax: 1_000_000_000,
  windowMinutes: { min: 1, max: 7 * 24 * 60 },
  forMinutes: { min: 0, max: 24 * 60 },
  minSample: { min: 1, max: 1_000_000_000 },
} as const;

/** Metrics whose threshold is a rate in [0, 1]. */
export const RATE_METRICS: ReadonlySet<AlertMetric> = new Set(['error_rate', 'fallback_rate']);

/** The draft of a stored rule, or of a new one with the server's defaults (on `start`'s flag and environment). */
export function alertDraftOf(
  rule: AlertView | undefined,
  start: { flag?: string; environment?: string } = {},
): AlertDraft {
  return {
    flag: rule?.flag ?? start.flag ?? '',
    environment: rule?.environment ?? start.environment ?? '',
    name: rule?.name ?? '',
    metric: rule?.metric ?? 'error_rate',
    threshold: rule === undefined ? '' : String(rule.threshold),
    windowMinutes: String(rule?.windowMinutes ?? 60),
    forMinutes: String(rule?.forMinutes ?? 0),
    minSample: String(rule?.minSample ?? 100),
    variant: rule?.variant ?? '',
    action: rule?.action ?? 'notify',
    enabled: rule?.enabled ?? true,
  };
}

/** Whether two drafts are the same rule. */
export function sameAlertDraft(a: AlertDraft, b: AlertDraft): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A typed number, or the problem with it. */
function numberOf(
  text: string,
  field: string,
  limits: { min: number; max: number; integer: boolean },
  problems: FieldProblem[],
): number | undefined {
  const trimmed = text.trim();
  const value = trimmed === '' ? Number.NaN : Number(trimmed);
  let message: string | undefined;
  if (trimmed === '') message = 'required';
  else if (!Number.isFinite(value)) message = `must be a number; ${JSON.stringify(trimmed)} is not`;
  else if (limits.integer && !Number.isInteger(value)) message = 'must be a whole number';
  else if (value < limits.min) message = `must be at least ${limits.min}`;
  else if (value > limits.max) message = `must be at most ${limits.max}`;
  if (message === undefined) return value;
  problems.push({ field, message });
  return undefined;
}

/**
 * The body a draft sends (the definition, without flag, environment and version) and the problems
 * found before sending: the checks of the server's schema, and its rule that a rate is at most 1.
 */
export function alertBodyOf(draft: AlertDraft): { body: Record<string, unknown>; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  if (draft.flag === '') problems.push({ field: 'params.key', message: 'choose the flag to watch' });
  if (draft.environment === '') problems.push({ field: 'params.env', message: 'choose an environment' });
  const name = draft.name.trim();
  if (name.length > ALERT_LIMITS.nameMax)
    problems.push({ field: 'body.name', message: `at most ${ALERT_LIMITS.nameMax} characters` });
  const rate = RATE_METRICS.has(draft.metric);
  const threshold = numberOf(
    draft.threshold,
    'body.threshold',
    { min: 0, max: rate ? 1 : ALERT_LIMITS.thresholdMax, integer: false },
    problems,
  );
  const windowMinutes = numberOf(
    draft.windowMinutes,
    'body.windowMinutes',
    { ...ALERT_LIMITS.windowMinutes, integer: true },
    problems,
  );
  const forMinutes = numberOf(
    draft.forMinutes,
    'body.forMinutes',
    { ...ALERT_LIMITS.forMinutes, integer: true },
    problems,
  );
  const minSample = numberOf(
    draft.minSample,
    'body.minSample',
    { ...ALERT_LIMITS.minSample, integer: true },
    problems,
  );
  return {
    body: {
      ...(name === '' ? {} : { name }),
      metric: draft.metric,
      threshold,
      windowMinutes,
      forMinutes,
      minSample,
      variant: draft.variant === '' ? null : draft.variant,
      action: draft.action,
      enabled: draft.enabled,
    },
    problems,
  };
}
