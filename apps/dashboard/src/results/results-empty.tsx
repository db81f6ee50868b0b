import { Link } from '../routing/link.js';
import { paths } from '../routing/routes.js';

interface Props {
  flagKey: string;
  /** A variant of the flag, for the example events. */
  variant: string;
  environment: string;
  /** True when the window is all data: nothing was ever recorded. */
  allData: boolean;
  onShowAll: () => void;
}

/** No event in the window: what to do about it. */
export function ResultsEmpty({ flagKey, variant, environment, allData, onShowAll }: Props) {
  if (!allData) {
    return (
      <section className="card results-section empty-state" data-testid="results-empty">
        <h3>No data in this window</h3>
        <p>
          Nothing was recorded for {flagKey} in {environment} over this time window.
        </p>
        <button type="button" className="button" onClick={onShowAll}>
          Show all data
        </button>
      </section>
    );
  }
  const example = JSON.stringify(
    {
      events: [
        { kind: 'exposure', flag: flagKey, variant, unit: 'user-42' },
        {
          kind: 'generation',
          flag: flagKey,
          variant,
          unit: 'user-42',
          provider: 'openai',
          model: 'gpt-4o',
          latencyMs: 1200,
          inputTokens: 350,
          outputTokens: 220,
        },
        { kind: 'feedback', flag: flagKey, variant, unit: 'user-42', thumbs: 'up' },
      ],
    },
    null,
    2,
  );
  return (
    <section className="card results-section empty-state" data-testid="results-empty">
      <h3>No data yet</h3>
      <p>
        Results are computed from the events your services send for {flagKey} in {environment}. None has
        arrived yet. To get some:
      </p>
      <ol className="steps">
        <li>
          Serve the flag through a percentage split (
          <Link href={paths.flag(flagKey, environment)}>Targeting</Link>, then “a percentage split”): the SDK
          reports an exposure for each unit a split serves.
        </li>
        <li>
          Measure each model call: for an AI config, <code>switchboard.aiConfig(…).tracker.track(call)</code>{' '}
          records its latency, tokens, cost and errors; otherwise <code>trackGeneration(…)</code>.
        </li>
        <li>
          Record what people think of the answers:{' '}
          <code>
            tracker.feedback({'{'} thumbs: 'up' {'}'})
          </code>{' '}
          or <code>trackFeedback(…)</code>.
        </li>
      </ol>
      <p>
        Or send events over HTTP with a server key of {environment} (the idempotency key names the batch: a
        batch sent again under the same key is not counted twice):
      </p>
      <pre className="code-block">
        <code>{`curl -X POST ${window.location.origin}/api/v1/events \\
  -H "authorization: Bearer $SWITCHBOARD_SERVER_KEY" \\
  -H "content-type: application/json" \\
  -H "idempotency-key: batch-0001" \\
  -d '${example}'`}</code>
      </pre>
      <p className="hint">
        To see the page with data at once, run the demo (<code>npm start -- --demo</code>): it fills the{' '}
        <code>llm-model</code> flag with simulated traffic.
      </p>
    </section>
  );
}
