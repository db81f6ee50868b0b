import type { ExperimentResults, VariantResult } from '../api/api-types.js';
import { HelpTip } from '../ui/help-tip.js';
import { FigureCell } from './figure-cell.js';
import {
  formatCount,
  formatMs,
  formatNumber,
  formatPercent,
  formatScore,
  formatUsd,
} from './results-format.js';
import { HELP } from './statistics-help.js';
import { VariantName } from './variant-name.js';

interface Props {
  results: ExperimentResults;
  /** Each variant's colour, as the charts draw it. */
  tones: ReadonlyMap<string, number>;
}

/** The columns' help, all together: on a phone the table's headings (and their tips) are hidden. */
const GLOSSARY: readonly [string, string][] = [
  ['Units · exposures', HELP.units],
  ['Requests · share', HELP.requests],
  ['Quality', HELP.quality],
  ['Latency p50 · p95', HELP.latency],
  ['Cost / request', HELP.costPerRequest],
  ['Cost / day', HELP.costPerDay],
  ['Error rate', HELP.errorRate],
  ['Fallback rate', HELP.fallbackRate],
  ['Adoption', HELP.adoption],
];

function errorKinds(v: VariantResult): string {
  return Object.entries(v.errorsByKind)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, n]) => `${kind} ${formatCount(n)}`)
    .join(', ');
}

/** Every variant's figures over the window, the control marked. */
export function VariantTable({ results, tones }: Props) {
  return (
    <section className="card results-section" aria-labelledby="variants-title">
      <h3 id="variants-title">Variants</h3>
      <p className="hint" data-testid="adoption">
        Adoption: <strong>{formatPercent(results.adoption.requestShare)}</strong> of requests answered by
        variants other than the control, for {formatCount(results.adoption.units)} units.{' '}
        <HelpTip label="adoption">{HELP.adoption}</HelpTip>
      </p>
      <div className="table-scroll">
        <table className="table variant-table stack-on-phone">
          <thead>
            <tr>
              <th scope="col">Variant</th>
              <th scope="col">
                Units · exposures <HelpTip label="units and exposures">{HELP.units}</HelpTip>
              </th>
              <th scope="col">
                Requests · share <HelpTip label="requests">{HELP.requests}</HelpTip>
              </th>
              <th scope="col">
                Quality (n) <HelpTip label="quality">{HELP.quality}</HelpTip>
              </th>
              <th scope="col">
                Latency p50 · p95 <HelpTip label="latency percentiles">{HELP.latency}</HelpTip>
              </th>
              <th scope="col">
                Cost / request <HelpTip label="cost per request">{HELP.costPerRequest}</HelpTip>
              </th>
              <th scope="col">
                Cost / day <HelpTip label="cost per day">{HELP.costPerDay}</HelpTip>
              </th>
              <th scope="col">
                Error rate <HelpTip label="error rate">{HELP.errorRate}</HelpTip>
              </th>
              <th scope="col">
                Fallback rate <HelpTip label="fallback rate">{HELP.fallbackRate}</HelpTip>
              </th>
            </tr>
          </thead>
          <tbody>
            {results.variants.map((v) => (
              <tr key={v.variant} data-variant={v.variant} className={v.control ? 'is-control' : undefined}>
                <th scope="row" data-label="Variant">
                  <VariantName variant={v.variant} tone={tones.get(v.variant) ?? 0} control={v.control} />
                </th>
                <FigureCell
                  metric="units"
                  label="Units · exposures"
                  value={v.units}
                  text={formatCount(v.units)}
                  detail={`${formatCount(v.exposures)} exposures`}
                />
                <FigureCell
                  metric="requests"
                  label="Requests · share"
                  value={v.requests}
                  text={formatCount(v.requests)}
                  detail={`${formatPercent(v.requestShare)} of requests`}
                />
                <FigureCell
                  metric="quality"
                  label="Quality (n)"
                  value={v.quality.mean}
                  text={formatScore(v.quality.mean)}
                  detail={`n = ${formatCount(v.quality.n)}${
                    v.judgeQuality.n > 0
                      ? ` · judges ${formatScore(v.judgeQuality.mean)} (n = ${formatCount(v.judgeQuality.n)})`
                      : ''
                  }`}
                />
                <FigureCell
                  metric="latencyP95"
                  label="Latency p50 · p95"
                  value={v.latencyMs.p95}
                  text={formatMs(v.latencyMs.p95)}
                  detail={v.latencyMs.p50 === null ? undefined : `p50 ${formatMs(v.latencyMs.p50)}`}
                />
                <FigureCell
                  metric="costPerRequest"
                  label="Cost / request"
                  value={v.cost.perRequestUsd}
                  text={formatUsd(v.cost.perRequestUsd)}
                  detail={
                    v.cost.unknownRequests > 0
                      ? `${formatCount(v.cost.unknownRequests)} requests of unknown cost`
                      : undefined
                  }
                />
                <FigureCell
                  metric="costPerDay"
                  label="Cost / day"
                  value={v.cost.perDayUsd}
                  text={formatUsd(v.cost.perDayUsd)}
                  detail={v.cost.totalUsd > 0 ? `${formatUsd(v.cost.totalUsd)} in all` : undefined}
                />
                <FigureCell
                  metric="errorRate"
                  label="Error rate"
                  value={v.errorRate}
                  text={formatPercent(v.errorRate)}
                  detail={v.errors > 0 ? `${formatCount(v.errors)}: ${errorKinds(v)}` : undefined}
                />
                <FigureCell
                  metric="fallbackRate"
                  label="Fallback rate"
                  value={v.fallbackRate}
                  text={formatPercent(v.fallbackRate)}
                  detail={v.fallbacks > 0 ? `${formatCount(v.fallbacks)} answered by a fallback` : undefined}
                />
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <details className="glossary">
        <summary>What these figures mean</summary>
        <dl>
          {GLOSSARY.map(([term, text]) => (
            <div key={term}>
              <dt>{term}</dt>
              <dd>{text}</dd>
            </div>
          ))}
        </dl>
      </details>
      {results.variants.some((v) => Object.keys(v.metrics).length > 0) && (
        <p className="hint">
          Custom metrics (mean):{' '}
          {results.variants
            .filter((v) => Object.keys(v.metrics).length > 0)
            .map(
              (v) =>
                `${v.variant}: ${Object.entries(v.metrics)
                  .map(([name, m]) => `${name} ${formatNumber(m.mean)} (n = ${formatCount(m.count)})`)
                  .join(', ')}`,
            )
            .join('; ')}
        </p>
      )}
    </section>
  );
}
