import type { ExperimentResults, VariantResult } from '../api/api-types.js';
import { HelpTip } from '../ui/help-tip.js';
import { FigureCell } from './figure-cell.js';
import {
  formatCount,
  formatInterval,
  formatMs,
  formatP,
  formatPercent,
  formatScore,
  formatUsd,
} from './results-format.js';
import {
  candidateMinusServed,
  shadowCostPerCall,
  shadowErrorRate,
  shadowedVariants,
} from './shadow-figures.js';
import { SHADOW_HELP } from './shadow-help.js';
import { VariantName } from './variant-name.js';
import './shadow-section.css';

interface Props {
  results: ExperimentResults;
  tones: ReadonlyMap<string, number>;
}

type Cell = { value: number | null; text: string; detail?: string | undefined };

/** The figures compared, each for the shadow calls and for the served calls beside them. */
const ROWS: readonly {
  metric: string;
  label: string;
  help: string;
  shadow: (v: VariantResult) => Cell;
  served: (v: VariantResult) => Cell;
}[] = [
  {
    metric: 'requests',
    label: 'Generations',
    help: SHADOW_HELP.generations,
    shadow: (v) => ({ value: v.shadow.requests, text: formatCount(v.shadow.requests) }),
    served: (v) => ({ value: v.requests, text: formatCount(v.requests) }),
  },
  {
    metric: 'errorRate',
    label: 'Error rate',
    help: SHADOW_HELP.errorRate,
    shadow: (v) => ({
      value: shadowErrorRate(v),
      text: formatPercent(shadowErrorRate(v)),
      detail: `${formatCount(v.shadow.errors)} failed`,
    }),
    served: (v) => ({
      value: v.errorRate,
      text: formatPercent(v.errorRate),
      detail: `${formatCount(v.errors)} failed`,
    }),
  },
  {
    metric: 'latencyP95',
    label: 'Latency p95',
    help: SHADOW_HELP.latency,
    shadow: (v) => ({ value: v.shadow.latencyMs.p95, text: formatMs(v.shadow.latencyMs.p95) }),
    served: (v) => ({ value: v.latencyMs.p95, text: formatMs(v.latencyMs.p95) }),
  },
  {
    metric: 'cost',
    label: 'Cost / call',
    help: SHADOW_HELP.cost,
    shadow: (v) => ({
      value: shadowCostPerCall(v),
      text: formatUsd(shadowCostPerCall(v)),
      detail: `${formatUsd(v.shadow.costUsd)} in all`,
    }),
    served: (v) => ({
      value: v.cost.perRequestUsd,
      text: formatUsd(v.cost.perRequestUsd),
      detail: `${formatUsd(v.cost.totalUsd)} in all`,
    }),
  },
  {
    metric: 'judgeQuality',
    label: 'Judge quality',
    help: SHADOW_HELP.judge,
    shadow: (v) => ({
      value: v.shadow.judgeQuality.mean,
      text: formatScore(v.shadow.judgeQuality.mean),
      detail: `n = ${formatCount(v.shadow.judgeQuality.n)}`,
    }),
    served: (v) => ({
      value: v.judgeQuality.mean,
      text: formatScore(v.judgeQuality.mean),
      detail: `n = ${formatCount(v.judgeQuality.n)}`,
    }),
  },
];

function PairedJudge({ variant }: { variant: VariantResult }) {
  const paired = candidateMinusServed(variant);
  if (paired.n === 0) return null;
  const signed = (x: number) => formatScore(x, { sign: true });
  return (
    <p
      className="shadow-paired"
      data-testid="paired-judge"
      data-value={paired.mean === null ? '' : String(paired.mean)}
    >
      Judge difference, shadow − served:{' '}
      <strong data-testid="paired-estimate">{paired.mean === null ? '—' : signed(paired.mean)}</strong>{' '}
      {paired.effect === null ? (
        <span className="muted">
          over {formatCount(paired.n)} {paired.n === 1 ? 'pair' : 'pairs'} (too few for an interval)
        </span>
      ) : (
        <span data-testid="paired-interval">
          {formatInterval(paired.effect.ci, signed)} · {formatP(paired.effect.pValue)} over{' '}
          {formatCount(paired.n)} pairs
        </span>
      )}{' '}
      <HelpTip label="the paired judge difference">{SHADOW_HELP.paired}</HelpTip>
    </p>
  );
}

function ShadowVariant({
  variant,
  served,
  tones,
}: {
  variant: VariantResult;
  served: VariantResult | undefined;
  tones: ReadonlyMap<string, number>;
}) {
  return (
    <article className="shadow-variant" data-shadow-variant={variant.variant}>
      <h4>
        <VariantName variant={variant.variant} tone={tones.get(variant.variant) ?? 0} /> in shadow
        {served !== undefined && (
          <>
            {' '}
            beside <VariantName variant={served.variant} tone={tones.get(served.variant) ?? 0} /> served
          </>
        )}
      </h4>
      <div className="table-scroll">
        <table className="table shadow-table">
          <thead>
            <tr>
              <th scope="col">Figure</th>
              <th scope="col">{variant.variant} in shadow</th>
              {served !== undefined && <th scope="col">{served.variant} served</th>}
            </tr>
          </thead>
          <tbody>
            {ROWS.map((row) => {
              const shadow = row.shadow(variant);
              const beside = served === undefined ? undefined : row.served(served);
              return (
                <tr key={row.metric} data-metric={row.metric}>
                  <th scope="row">
                    {row.label} <HelpTip label={`shadow ${row.label.toLowerCase()}`}>{row.help}</HelpTip>
                  </th>
                  <FigureCell metric="shadow" label={`${variant.variant} in shadow`} {...shadow} />
                  {beside !== undefined && served !== undefined && (
                    <FigureCell metric="served" label={`${served.variant} served`} {...beside} />
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <PairedJudge variant={variant} />
    </article>
  );
}

/**
 * The shadow calls of the window, per variant that ran in shadow: its figures beside the served
 * control's, and the paired judge difference when a judge scored both answers of the same requests.
 */
export function ShadowSection({ results, tones }: Props) {
  const shadowed = shadowedVariants(results);
  if (shadowed.length === 0) return null;
  const control = results.variants.find((v) => v.variant === results.control);
  return (
    <section className="card results-section" aria-labelledby="shadow-title" data-testid="shadow-section">
      <h3 id="shadow-title">
        Shadow calls <HelpTip label="shadow calls">{SHADOW_HELP.section}</HelpTip>
      </h3>
      <p className="hint">
        Run beside the served answer on sampled requests and never shown to users: kept out of the figures
        above, so the results by assigned variant are unaffected.
      </p>
      {shadowed.map((v) => (
        <ShadowVariant
          key={v.variant}
          variant={v}
          served={v === control ? undefined : control}
          tones={tones}
        />
      ))}
    </section>
  );
}
