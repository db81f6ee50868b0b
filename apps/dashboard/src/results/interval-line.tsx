import type { Effect } from '../api/api-types.js';
import type { EffectSpec } from './effect-row.js';
import { IntervalBar } from './interval-bar.js';
import { formatInterval, formatP } from './results-format.js';

/** One interval of a metric: its name, the bar, and its ends with the p-value. */
export function IntervalLine({
  kind,
  effect,
  spec,
  domain,
  level,
}: {
  kind: 'fixed' | 'sequential';
  effect: Effect | null;
  spec: EffectSpec;
  domain: [number, number];
  level: string;
}) {
  const name = kind === 'fixed' ? 'Fixed-horizon' : 'Always-valid';
  return (
    <div className="interval-row" data-interval={kind}>
      <span className="interval-label">
        {name} {level}
        {spec.judged === kind && <span className="pill pill-judged">used by the verdict</span>}
      </span>
      {effect === null ? (
        <span className="muted interval-none">no interval</span>
      ) : (
        <IntervalBar
          domain={domain}
          ci={effect.ci}
          estimate={effect.estimate}
          limit={spec.limit?.value}
          better={spec.better}
          kind={kind}
          label={`${spec.title}, ${name.toLowerCase()} ${level} interval from ${spec.formatDifference(effect.ci[0])} to ${spec.formatDifference(effect.ci[1])}`}
        />
      )}
      <span className="interval-figures" data-testid={`${kind}-figures`}>
        {effect === null ? (
          '—'
        ) : (
          <>
            {formatInterval(effect.ci, spec.formatDifference)} · {formatP(effect.pValue)}
          </>
        )}
      </span>
    </div>
  );
}
