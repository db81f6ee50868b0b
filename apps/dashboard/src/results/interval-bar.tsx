/** Which side of zero is the good one for a metric; `none` when it is not known (custom metrics). */
export type Better = 'higher' | 'lower' | 'none';

interface Props {
  /** The scale shared by the bars of one metric, [low, high]. */
  domain: readonly [number, number];
  ci: readonly [number, number];
  estimate: number;
  /** The policy's limit on the difference, drawn dashed. */
  limit?: number | undefined;
  better: Better;
  kind: 'fixed' | 'sequential';
  /** The bar in words, for screen readers. */
  label: string;
}

const clamp = (v: number) => Math.min(100, Math.max(0, v));

/** Whether an interval lies wholly on the better side of zero, wholly on the worse, or straddles it. */
export function intervalTone(ci: readonly [number, number], better: Better): 'better' | 'worse' | 'unclear' {
  if (better === 'none') return 'unclear';
  const above = ci[0] > 0;
  const below = ci[1] < 0;
  if (!above && !below) return 'unclear';
  return above === (better === 'higher') ? 'better' : 'worse';
}

/**
 * A confidence interval drawn on a shared scale: the line from its low to its high end (thick for the
 * fixed-horizon interval, thin for the always-valid one), the estimate as a tick, zero as a solid
 * line and the policy's limit as a dashed one. Green when the whole interval is on the better side of
 * zero, red when on the worse, grey when it straddles zero.
 */
export function IntervalBar({ domain, ci, estimate, limit, better, kind, label }: Props) {
  const [low, high] = domain;
  const span = high - low || 1;
  const x = (v: number) => clamp(((v - low) / span) * 100);
  const tone = intervalTone(ci, better);
  return (
    <svg
      className={`interval-bar interval-${kind} interval-${tone}`}
      viewBox="0 0 100 20"
      preserveAspectRatio="none"
      role="img"
      aria-label={label}
    >
      {low <= 0 && high >= 0 && (
        <line
          className="interval-zero"
          x1={x(0)}
          x2={x(0)}
          y1={0}
          y2={20}
          vectorEffect="non-scaling-stroke"
        />
      )}
      {limit !== undefined && limit >= low && limit <= high && (
        <line
          className="interval-limit"
          x1={x(limit)}
          x2={x(limit)}
          y1={0}
          y2={20}
          vectorEffect="non-scaling-stroke"
        />
      )}
      <line
        className="interval-range"
        x1={x(ci[0])}
        x2={Math.max(x(ci[1]), x(ci[0]) + 0.4)}
        y1={10}
        y2={10}
        vectorEffect="non-scaling-stroke"
      />
      <line
        className="interval-estimate"
        x1={x(estimate)}
        x2={x(estimate)}
        y1={3}
        y2={17}
        vectorEffect="non-scaling-stroke"
      />
    </svg>
  );
}
