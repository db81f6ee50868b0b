import type { PolicySettings, PolicyView } from '../api/api-types.js';
import type { FieldProblem } from '../model/field-errors.js';
import { formatPercent, formatPoints, formatScore, formatUsd } from './results-format.js';

/** The numeric settings of a promotion policy. */
export type NumberSetting = Exclude<keyof PolicySettings, 'requireQualityFeedback' | 'sequential'>;
/** The yes/no settings. */
export type FlagSetting = 'requireQualityFeedback' | 'sequential';

export interface NumberField {
  name: NumberSetting;
  label: string;
  /** The default (core's DEFAULT_PROMOTION_POLICY), in the unit the field is typed in; null: no limit. */
  defaultValue: number | null;
  /** What the field does. */
  hint: string;
  /** Typed in hours, stored in ms. */
  hours?: boolean;
  /** What a typed value means, in words (`0.005` → `+0.5 pp`). */
  meaning?: (value: number) => string;
}

const HOUR_MS = 3_600_000;
const MAX_DURATION_HOURS = 365 * 24;

/** The number fields, grouped as the form shows them. */
export const POLICY_GROUPS: readonly { title: string; fields: readonly NumberField[] }[] = [
  {
    title: 'Before anything is decided',
    fields: [
      {
        name: 'minUnitsPerArm',
        label: 'Minimum units per arm',
        defaultValue: 100,
        hint: 'Units each variant needs before the verdict decides anything (at least 100); also the feedback events and requests each needs before a metric is judged.',
      },
      {
        name: 'minDurationMs',
        label: 'Minimum duration (hours)',
        defaultValue: 0,
        hours: true,
        hint: 'How long the comparison must have run.',
      },
    ],
  },
  {
    title: 'Guardrails',
    fields: [
      {
        name: 'qualityDelta',
        label: 'Allowed quality drop',
        defaultValue: 0.02,
        hint: 'How far the mean quality score (0 to 1) may fall below the control’s.',
        meaning: (v) => `a drop of at most ${formatScore(v)}`,
      },
      {
        name: 'maxErrorRateIncrease',
        label: 'Allowed error-rate increase',
        defaultValue: 0.005,
        hint: 'How much the error rate may go up, as a difference of rates (0.01 = one percentage point).',
        meaning: (v) => `at most ${formatPoints(v)}`,
      },
      {
        name: 'maxP95LatencyIncreaseMs',
        label: 'Allowed p95 latency increase (ms)',
        defaultValue: 500,
        hint: 'How much slower the candidate’s p95 may be than the control’s.',
      },
      {
        name: 'maxFallbackRate',
        label: 'Highest fallback rate',
        defaultValue: 0.05,
        hint: 'Highest share of the candidate’s calls a fallback model may answer (0 to 1).',
        meaning: (v) => `${formatPercent(v)} of calls`,
      },
      {
        name: 'maxCostPerRequestUsd',
        label: 'Cost budget per request (USD)',
        defaultValue: null,
        hint: 'The candidate’s mean cost per call must stay within it. Empty: no budget.',
        meaning: (v) => formatUsd(v),
      },
      {
        name: 'maxCostIncreaseRatio',
        label: 'Allowed cost increase (ratio)',
        defaultValue: null,
        hint: 'How much more the candidate may cost per call than the control (0.2 = +20%). Empty: no limit.',
        meaning: (v) => `at most ${formatPercent(v, { sign: true })}`,
      },
    ],
  },
  {
    title: 'Statistics',
    fields: [
      {
        name: 'alpha',
        label: 'Significance level (alpha)',
        defaultValue: 0.05,
        hint: 'Intervals cover the true difference with probability 1 − alpha.',
        meaning: (v) => (v > 0 && v < 1 ? `${formatPercent(1 - v)} intervals` : ''),
      },
      {
        name: 'srmThreshold',
        label: 'Sample-ratio threshold (p-value)',
        defaultValue: 0.001,
        hint: 'Below this p-value the split is called broken. Strict on purpose: it is checked at every look.',
      },
      {
        name: 'sequentialTuningParameter',
        label: 'Sequential tuning (N*)',
        defaultValue: 5000,
        hint: 'Total units at which the always-valid intervals are narrowest.',
      },
    ],
  },
];

export const POLICY_FIELDS: readonly NumberField[] = POLICY_GROUPS.flatMap((g) => g.fields);

/** The yes/no settings, with their defaults. */
export const POLICY_FLAGS: readonly {
  name: FlagSetting;
  label: string;
  defaultValue: boolean;
  hint: string;
}[] = [
  {
    name: 'sequential',
    label: 'Judge with always-valid intervals',
    defaultValue: true,
    hint: 'Results are looked at continuously: fixed-horizon intervals looked at that way are wrong far more often than alpha.',
  },
  {
    name: 'requireQualityFeedback',
    label: 'Require quality feedback',
    defaultValue: false,
    hint: 'When no, a flag without any feedback is not held back on quality.',
  },
];

/** A policy as the form edits it: text per number ('' = the default), and each yes/no. */
export interface PolicyDraft {
  /** '' = chosen from the configuration. */
  control: string;
  numbers: Record<NumberSetting, string>;
  /** '' = the default. */
  flags: Record<FlagSetting, '' | 'yes' | 'no'>;
}

const clean = (value: number) => String(Number(value.toPrecision(12)));

export function policyDraftOf(view: PolicyView): PolicyDraft {
  const numbers = {} as Record<NumberSetting, string>;
  for (const field of POLICY_FIELDS) {
    const value = view.settings[field.name];
    numbers[field.name] =
      typeof value === 'number' ? clean(field.hours === true ? value / HOUR_MS : value) : '';
  }
  const flags = {} as Record<FlagSetting, '' | 'yes' | 'no'>;
  for (const flag of POLICY_FLAGS) {
    const value = view.settings[flag.name];
    flags[flag.name] = value === undefined ? '' : value ? 'yes' : 'no';
  }
  return { control: view.control ?? '', numbers, flags };
}

export function samePolicyDraft(a: PolicyDraft, b: PolicyDraft): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The field a setting is named by in the server's errors. */
export const policyPath = (name: string) => `body.policy.${name}`;

/**
 * The body of `PUT .../policy` from a draft (without its version), or the problems that keep it from
 * being sent: text that is not a number. Ranges are the server's to check (its message is shown at the
 * field), except the duration's, typed in hours here.
 */
export function policyBodyOf(draft: PolicyDraft): {
  body: { control: string | null; policy: PolicySettings };
  problems: FieldProblem[];
} {
  const policy: PolicySettings = {};
  const problems: FieldProblem[] = [];
  for (const field of POLICY_FIELDS) {
    const text = draft.numbers[field.name].trim();
    if (text === '') continue;
    const value = Number(text);
    if (!Number.isFinite(value)) {
      problems.push({ field: policyPath(field.name), message: 'must be a number, or empty for the default' });
      continue;
    }
    if (field.hours === true) {
      if (value < 0 || value > MAX_DURATION_HOURS) {
        problems.push({
          field: policyPath(field.name),
          message: `must be from 0 to ${MAX_DURATION_HOURS} hours (365 days)`,
        });
        continue;
      }
      policy[field.name] = Math.round(value * HOUR_MS);
    } else {
      policy[field.name] = value;
    }
  }
  for (const flag of POLICY_FLAGS) {
    const value = draft.flags[flag.name];
    if (value !== '') policy[flag.name] = value === 'yes';
  }
  return { body: { control: draft.control === '' ? null : draft.control, policy }, problems };
}
