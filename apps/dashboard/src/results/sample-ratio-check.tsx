import type { ExperimentResults } from '../api/api-types.js';
import { HelpTip } from '../ui/help-tip.js';
import { formatCount, formatNumber, formatP, formatPercent } from './results-format.js';
import { HELP } from './statistics-help.js';
import { VariantName } from './variant-name.js';

interface Props {
  results: ExperimentResults;
  tones: ReadonlyMap<string, number>;
}

/**
 * The sample-ratio check: exposures per variant against the shares the split sets, the χ² test's
 * p-value against the threshold, and a warning that cannot be missed on a mismatch.
 */
export function SampleRatioCheck({ results, tones }: Props) {
  const srm = results.sampleRatio;
  if (srm === null) {
    return (
      <section className="card results-section" aria-labelledby="srm-title" data-testid="sample-ratio">
        <h3 id="srm-title">
          Sample ratio <HelpTip label="the sample-ratio check">{HELP.sampleRatio}</HelpTip>
        </h3>
        <p className="muted" data-testid="sample-ratio-none">
          Not checked: {results.environment} serves this flag without a percentage split, so there are no
          proportions to compare with.
        </p>
      </section>
    );
  }
  const weights = Object.entries(srm.expected);
  const totalWeight = weights.reduce((sum, [, w]) => sum + w, 0);
  const exposures = new Map(results.variants.map((v) => [v.variant, v.exposures]));
  const totalExposures = weights.reduce((sum, [v]) => sum + (exposures.get(v) ?? 0), 0);
  return (
    <section
      className={srm.mismatch ? 'card results-section srm-mismatch' : 'card results-section'}
      aria-labelledby="srm-title"
      data-testid="sample-ratio"
      data-mismatch={String(srm.mismatch)}
    >
      <h3 id="srm-title">
        Sample ratio <HelpTip label="the sample-ratio check">{HELP.sampleRatio}</HelpTip>
      </h3>
      {srm.mismatch ? (
        <div className="banner banner-error" role="alert" data-testid="srm-warning">
          <p>
            <strong>Sample-ratio mismatch</strong> ({formatP(srm.pValue)}, below {srm.threshold}): units did
            not land in the variants as the split says. Assignment or logging is broken, and no comparison on
            this page can be trusted until it is fixed. Look for variants served outside the split, exposures
            lost or sent twice, or a split changed during the window.
          </p>
        </div>
      ) : srm.problem !== null ? (
        <p className="banner banner-warning">The check could not run: the figures are not usable.</p>
      ) : (
        <p data-testid="srm-ok">
          <span className="pill pill-on">No mismatch</span> Exposures match the split ({formatP(srm.pValue)}
          {', '}a mismatch is called below {srm.threshold}).
        </p>
      )}
      <div className="table-scroll">
        <table className="table srm-table stack-on-phone">
          <thead>
            <tr>
              <th scope="col">Variant</th>
              <th scope="col">Exposures</th>
              <th scope="col">Observed share</th>
              <th scope="col">Expected share</th>
            </tr>
          </thead>
          <tbody>
            {weights.map(([variant, weight]) => {
              const observed = exposures.get(variant) ?? 0;
              return (
                <tr key={variant} data-variant={variant}>
                  <th scope="row" data-label="Variant">
                    <VariantName variant={variant} tone={tones.get(variant) ?? 0} />
                  </th>
                  <td data-label="Exposures">{formatCount(observed)}</td>
                  <td data-label="Observed share" data-testid="observed-share">
                    {totalExposures === 0 ? '—' : formatPercent(observed / totalExposures)}
                  </td>
                  <td data-label="Expected share" data-testid="expected-share">
                    {totalWeight === 0 ? '—' : formatPercent(weight / totalWeight)}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p className="hint">
        χ² = {formatNumber(srm.chiSquare)} with {srm.degreesOfFreedom} degree
        {srm.degreesOfFreedom === 1 ? '' : 's'} of freedom, {formatP(srm.pValue)}. Only exposures from the
        split count: units that rules or targets serve directly do not.
      </p>
    </section>
  );
}
