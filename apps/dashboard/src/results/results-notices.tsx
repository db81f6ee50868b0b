import type { EnvironmentConfig, ExperimentResults, FlagView } from '../api/api-types.js';
import { Link } from '../routing/link.js';
import { paths } from '../routing/routes.js';

interface Props {
  flag: FlagView;
  environment: string;
  config: EnvironmentConfig;
  results: ExperimentResults;
}

/** What the reader must know before reading the figures: off, no split, nothing to compare. */
export function ResultsNotices({ flag, environment, config, results }: Props) {
  const split = 'split' in config.fallthrough;
  const served = 'variant' in config.fallthrough ? config.fallthrough.variant : undefined;
  return (
    <>
      {!config.enabled && (
        <p className="banner banner-warning" data-testid="notice-off">
          {flag.key} is off in {environment}: everyone gets{' '}
          {config.offVariant === null ? 'their own default' : `“${config.offVariant}”`}. The results show what
          was recorded while it was on.
        </p>
      )}
      {!split && (
        <div className="banner banner-warning" data-testid="notice-no-split">
          <p>
            <strong>No split in {environment}:</strong> everyone else gets{' '}
            {served === undefined ? 'one variant' : `“${served}”`}, so no experiment runs here and the
            variants are not comparable (whoever a rule or target serves is not a random sample). Serve a
            percentage split to compare them.
          </p>
          <Link href={paths.flag(flag.key, environment)} className="button">
            Edit targeting
          </Link>
        </div>
      )}
      {results.variants.length < 2 && (
        <p className="banner banner-warning">This flag has one variant: there is nothing to compare.</p>
      )}
    </>
  );
}
