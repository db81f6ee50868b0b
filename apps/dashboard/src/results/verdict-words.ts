import type { PromotionCheck, PromotionDecision, PromotionShortfall } from '../api/api-types.js';
import {
  formatCount,
  formatDuration,
  formatMs,
  formatNumber,
  formatPercent,
  formatPoints,
  formatPValue,
  formatScore,
  formatUsd,
} from './results-format.js';

/** The promotion decision in words, with what it means. */
export const DECISIONS: Readonly<Record<PromotionDecision, { label: string; meaning: string }>> = {
  promote: {
    label: 'Promote',
    meaning: 'Every check passed: the candidate may take more traffic.',
  },
  hold: {
    label: 'Hold',
    meaning:
      'Keep the current split: data is short, an interval is still inconclusive, or the split is broken.',
  },
  regress: {
    label: 'Regress',
    meaning: 'A guardrail is broken: roll the candidate back to the control.',
  },
};

/** The checks, in words. */
export const CHECK_NAMES: Readonly<Record<string, string>> = {
  'sample-size': 'Sample size',
  duration: 'Duration',
  'sample-ratio': 'Sample ratio',
  quality: 'Quality',
  'error-rate': 'Error rate',
  'p95-latency': 'p95 latency',
  cost: 'Cost',
  'fallback-rate': 'Fallback rate',
};

/** Checks whose failure rolls the candidate back (core's GUARDRAILS). */
export const GUARDRAILS: ReadonlySet<string> = new Set([
  'quality',
  'error-rate',
  'p95-latency',
  'cost',
  'fallback-rate',
]);

export function checkName(name: string): string {
  return CHECK_NAMES[name] ?? name;
}

/** A check's outcome in words (never colour alone). */
export function statusOf(check: Pick<PromotionCheck, 'status' | 'blocksPromotion'>): {
  label: string;
  tone: 'pass' | 'fail' | 'wait' | 'skip';
} {
  if (check.status === 'pass') return { label: 'Passed', tone: 'pass' };
  if (check.status === 'fail') return { label: 'Failed', tone: 'fail' };
  return check.blocksPromotion ? { label: 'Waiting', tone: 'wait' } : { label: 'Not judged', tone: 'skip' };
}

const FIGURE_LABELS: Readonly<Record<string, string>> = {
  controlUnits: 'control units',
  candidateUnits: 'candidate units',
  minUnitsPerArm: 'minimum per arm',
  elapsedMs: 'ran',
  minDurationMs: 'minimum duration',
  chiSquare: 'χ²',
  degreesOfFreedom: 'degrees of freedom',
  pValue: 'p-value',
  srmThreshold: 'threshold',
  controlFeedback: 'control feedback',
  candidateFeedback: 'candidate feedback',
  controlMean: 'control mean',
  candidateMean: 'candidate mean',
  difference: 'difference',
  ciLower: 'interval low',
  ciUpper: 'interval high',
  qualityDelta: 'allowed drop',
  controlRequests: 'control requests',
  candidateRequests: 'candidate requests',
  controlRate: 'control rate',
  candidateRate: 'candidate rate',
  maxErrorRateIncrease: 'allowed increase',
  controlP95Ms: 'control p95',
  candidateP95Ms: 'candidate p95',
  increaseMs: 'increase',
  maxIncreaseMs: 'allowed increase',
  controlCostUsd: 'control per request',
  candidateCostUsd: 'candidate per request',
  increaseRatio: 'increase',
  maxCostPerRequestUsd: 'budget per request',
  maxCostIncreaseRatio: 'allowed increase',
  maxFallbackRate: 'limit',
};

/** `someFigureName` → `some figure name`, for figures this page does not know yet. */
function words(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

export function figureLabel(name: string): string {
  return FIGURE_LABELS[name] ?? words(name);
}

/** A figure of a check, written in its unit. Null cost limits read "none". */
export function formatFigure(check: string, name: string, value: number | null): string {
  if (value === null && name.startsWith('max')) return 'none';
  if (name === 'elapsedMs' || name === 'minDurationMs') return formatDuration(value);
  if (name.endsWith('Ms')) return formatMs(value, { sign: name === 'increaseMs' });
  if (name.endsWith('Usd')) return formatUsd(value);
  if (name === 'pValue' || name === 'srmThreshold') return formatPValue(value);
  if (name === 'increaseRatio' || name === 'maxCostIncreaseRatio')
    return formatPercent(value, { sign: name === 'increaseRatio' });
  if (check === 'error-rate' && ['difference', 'ciLower', 'ciUpper', 'maxErrorRateIncrease'].includes(name))
    return formatPoints(value);
  if (name.endsWith('Rate')) return formatPercent(value);
  if (check === 'quality' && name !== 'controlFeedback' && name !== 'candidateFeedback')
    return formatScore(value, { sign: name === 'difference' || name === 'ciLower' || name === 'ciUpper' });
  if (name === 'chiSquare') return formatNumber(value);
  return formatCount(value);
}

/** What a held candidate waits for, in a sentence. */
export function shortfallText(shortfall: PromotionShortfall): string {
  const check = checkName(shortfall.check);
  const arm = shortfall.arm === null ? '' : `the ${shortfall.arm} `;
  const { have, need } = shortfall;
  switch (shortfall.what) {
    case 'units':
    case 'requests':
    case 'feedback': {
      const noun = shortfall.what === 'feedback' ? 'feedback events' : shortfall.what;
      if (have === null || need === null) return `${check}: ${arm}needs more ${noun}`;
      return `${check}: ${arm}needs ${formatCount(need - have)} more ${noun} (${formatCount(have)} of ${formatCount(need)})`;
    }
    case 'duration-ms':
      if (have === null || need === null) return `${check}: needs to run longer`;
      return `${check}: needs to run ${formatDuration(need - have)} more (${formatDuration(have)} of ${formatDuration(need)})`;
    case 'figure':
      return `${check}: a figure is missing${shortfall.arm === null ? '' : ` for the ${shortfall.arm}`}`;
    case 'evidence':
      return `${check}: the interval still straddles the limit, so more data is needed (how much cannot be known in advance)`;
    default:
      return `${check}: ${shortfall.what}`;
  }
}
