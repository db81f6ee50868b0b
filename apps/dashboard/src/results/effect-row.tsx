import type { Comparison, Effect } from '../api/api-types.js';
import { HelpTip } from '../ui/help-tip.js';
import type { Better } from './interval-bar.js';
import { IntervalLine } from './interval-line.js';
import { formatPercent } from './results-format.js';

export interface EffectSpec {
  /** `quality`, `errorRate`... or `metric:<name>` for a custom metric. */
  metric: string;
  title: string;
  help: string;
  comparison: Comparison;
  /** How the arms' means read (`0.841`, `2.71%`). */
  formatMean: (v: number | null) => string;
  /** How a difference reads, with its sign (`−0.036`, `+0.41 pp`). */
  formatDifference: (v: number) => string;
  better: Better;
  /** The policy's limit on the difference, when the verdict judges this interval against one. */
  limit?: { value: number; label: string } | undefined;
  /** The interval the verdict judges with, when it judges this one. */
  judged?: 'fixed' | 'sequential' | undefined;
  /** A sentence on how the verdict uses (or does not use) this comparison. */
  note?: string | undefined;
}

const PROBLEMS: Readonly<Record<string, string>> = {
  'too-few-observations': 'Too few observations in an arm (fewer than 2) to compare.',
  'no-variance': 'Neither arm varies: the difference is exact, with no interval.',
  'zero-baseline': 'The control is 0: there is no relative difference.',
  'invalid-input': 'The figures could not be compared.',
};

/** The scale both bars of a metric share: their intervals, zero and the limit, with a margin. */
function domainOf(effects: readonly (Effect | null)[], limit: number | undefined): [number, number] {
  const values = [0];
  for (const e of effects) if (e !== null) values.push(e.ci[0], e.ci[1], e.estimate);
  if (limit !== undefined) values.push(limit);
  const low = Math.min(...values);
  const high = Math.max(...values);
  const margin = (high - low) * 0.08 || Math.abs(high) * 0.1 || 1;
  return [low - margin, high + margin];
}

/** One metric of a candidate against the control: the difference, and its two intervals drawn. */
export function EffectRow({ spec }: { spec: EffectSpec }) {
  const { comparison } = spec;
  const fixed = comparison.absolute;
  const sequential = comparison.sequential.absolute;
  const domain = domainOf([fixed, sequential], spec.limit?.value);
  const level = `${Number(((1 - comparison.alpha) * 100).toFixed(2))}%`;
  const estimate = fixed ?? sequential;
  return (
    <section className="effect" data-metric={spec.metric} aria-label={spec.title}>
      <div className="effect-head">
        <h4>
          {spec.title} <HelpTip label={spec.title}>{spec.help}</HelpTip>
        </h4>
        <p className="effect-means">
          control {spec.formatMean(comparison.control.mean)} → candidate{' '}
          {spec.formatMean(comparison.treatment.mean)}
        </p>
      </div>
      <p className="effect-estimate">
        Difference{' '}
        <strong data-testid="difference">
          {estimate === null ? '—' : spec.formatDifference(estimate.estimate)}
        </strong>
        {comparison.relative !== null && (
          <span className="muted">
            {' '}
            ({formatPercent(comparison.relative.estimate, { sign: true })} relative)
          </span>
        )}
      </p>
      <div className="interval-rows">
        <IntervalLine kind="fixed" effect={fixed} spec={spec} domain={domain} level={level} />
        <IntervalLine kind="sequential" effect={sequential} spec={spec} domain={domain} level={level} />
      </div>
      {spec.limit !== undefined && (
        <p className="hint effect-limit">
          Dashed line: {spec.limit.label} ({spec.formatDifference(spec.limit.value)}).
        </p>
      )}
      {spec.note !== undefined && <p className="hint">{spec.note}</p>}
      {comparison.problems.map((p) => (
        <p key={p} className="hint">
          {PROBLEMS[p] ?? p}
        </p>
      ))}
    </section>
  );
}
