import type { ExperimentResults } from '../api/api-types.js';
import { VariantName } from './variant-name.js';
import { DECISIONS } from './verdict-words.js';

/** The verdict on each candidate in one line, first: what to do, before the figures that say why. */
export function VerdictHeadline({
  results,
  tones,
}: {
  results: ExperimentResults;
  tones: ReadonlyMap<string, number>;
}) {
  if (results.comparisons.length === 0) return null;
  return (
    <section className="verdict-headline" aria-label="Verdicts" data-testid="verdict-headline">
      {results.comparisons.map((c) => (
        <a
          key={c.variant}
          href={`#comparison-${c.variant}`}
          className={`headline headline-${c.verdict.decision}`}
          data-candidate={c.variant}
        >
          <span className={`decision decision-${c.verdict.decision}`}>
            {DECISIONS[c.verdict.decision].label}
          </span>
          <VariantName variant={c.variant} tone={tones.get(c.variant) ?? 0} />
          <span className="headline-summary">{c.verdict.summary}</span>
        </a>
      ))}
    </section>
  );
}
