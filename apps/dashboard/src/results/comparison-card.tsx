import type { PromotionPolicy, VariantComparison } from '../api/api-types.js';
import { HelpTip } from '../ui/help-tip.js';
import { EffectRow, type EffectSpec } from './effect-row.js';
import {
  formatMs,
  formatNumber,
  formatPercent,
  formatPoints,
  formatScore,
  formatUsd,
} from './results-format.js';
import { HELP } from './statistics-help.js';
import { VariantName } from './variant-name.js';
import { VerdictPanel } from './verdict-panel.js';

interface Props {
  comparison: VariantComparison;
  policy: PromotionPolicy;
  tones: ReadonlyMap<string, number>;
}

const signed = { sign: true };

/** The metrics compared, each with how it reads and how the verdict uses it. */
function effectsOf(c: VariantComparison, policy: PromotionPolicy): EffectSpec[] {
  const judged = policy.sequential ? 'sequential' : 'fixed';
  const specs: EffectSpec[] = [
    {
      metric: 'quality',
      title: 'Quality',
      help: HELP.quality,
      comparison: c.quality,
      formatMean: (v) => formatScore(v),
      formatDifference: (v) => formatScore(v, signed),
      better: 'higher',
      limit: { value: -policy.qualityDelta, label: 'the largest drop the policy allows' },
      judged,
    },
    {
      metric: 'errorRate',
      title: 'Error rate',
      help: HELP.errorRate,
      comparison: c.errorRate,
      formatMean: (v) => formatPercent(v),
      formatDifference: formatPoints,
      better: 'lower',
      limit: { value: policy.maxErrorRateIncrease, label: 'the largest increase the policy allows' },
      judged,
    },
    {
      metric: 'latencyMs',
      title: 'Mean latency',
      help: HELP.latency,
      comparison: c.latencyMs,
      formatMean: (v) => formatMs(v),
      formatDifference: (v) => formatMs(v, signed),
      better: 'lower',
      note: `The verdict judges p95 latency on the observed figures (at most ${formatMs(policy.maxP95LatencyIncreaseMs, signed)}), not this interval of the mean.`,
    },
    {
      metric: 'costPerRequestUsd',
      title: 'Cost per request',
      help: HELP.costPerRequest,
      comparison: c.costPerRequestUsd,
      formatMean: (v) => formatUsd(v),
      formatDifference: (v) => formatUsd(v, signed),
      better: 'lower',
      note:
        policy.maxCostPerRequestUsd === undefined && policy.maxCostIncreaseRatio === undefined
          ? 'The policy sets no cost limit.'
          : 'The verdict judges cost on the observed means against the policy’s budget and allowed increase.',
    },
    {
      metric: 'fallbackRate',
      title: 'Fallback rate',
      help: HELP.fallbackRate,
      comparison: c.fallbackRate,
      formatMean: (v) => formatPercent(v),
      formatDifference: formatPoints,
      better: 'lower',
      note: `The verdict judges the candidate’s own fallback rate (at most ${formatPercent(policy.maxFallbackRate)}).`,
    },
  ];
  for (const [name, comparison] of Object.entries(c.metrics)) {
    specs.push({
      metric: `metric:${name}`,
      title: name,
      help: 'A custom metric recorded with track(name, value, { flag }): its mean per event.',
      comparison,
      formatMean: (v) => formatNumber(v),
      formatDifference: (v) => formatNumber(v, signed),
      better: 'none',
      note: 'Not judged by the verdict.',
    });
  }
  return specs;
}

/** A candidate against the control: the verdict on it, then each metric's difference with its intervals. */
export function ComparisonCard({ comparison, policy, tones }: Props) {
  const id = `comparison-${comparison.variant}`;
  return (
    <section className="card results-section comparison" id={id} data-candidate={comparison.variant}>
      <h3 className="comparison-title">
        <VariantName variant={comparison.variant} tone={tones.get(comparison.variant) ?? 0} />
        <span className="muted">against</span>
        <VariantName variant={comparison.control} tone={tones.get(comparison.control) ?? 0} />
        <span className="muted">(the control)</span>
      </h3>
      <VerdictPanel verdict={comparison.verdict} candidate={comparison.variant} />
      <h4 className="effects-title">Differences, candidate minus control</h4>
      <p className="hint interval-legend">
        Each bar is an interval that likely holds the true difference: thick, the fixed-horizon interval{' '}
        <HelpTip label="fixed-horizon intervals">{HELP.fixed}</HelpTip>; thin, the always-valid one{' '}
        <HelpTip label="always-valid intervals">{HELP.sequential}</HelpTip>. The tick is the estimate, the
        solid line no difference. Green: the whole interval is on the better side, red: on the worse side,
        grey: it straddles zero (not clear yet). p is the p-value{' '}
        <HelpTip label="p-values">{HELP.pValue}</HelpTip>.
      </p>
      <div className="effects">
        {effectsOf(comparison, policy).map((spec) => (
          <EffectRow key={spec.metric} spec={spec} />
        ))}
      </div>
    </section>
  );
}
