import type { DecidedBy, Explanation, FlagView } from '../api/api-types.js';
import { describeValue } from '../model/variant-values.js';
import { percentOf } from '../model/weights.js';

const DECIDED_BY: Record<DecidedBy, string> = {
  context: 'The context is not an object',
  snapshot: 'The snapshot is unusable',
  'flag-not-found': 'The flag is not in this environment (archived?)',
  'type-mismatch': "The caller's default is of another kind",
  'malformed-flag': 'The flag is malformed',
  disabled: 'The flag is off in this environment',
  prerequisite: 'A prerequisite is not met',
  target: 'An individual target',
  rule: 'A rule',
  fallthrough: 'No rule matched: everyone else',
};

interface Props {
  explanation: Explanation;
  flag: FlagView;
  /** The rule ids in order, as previewed: to name the deciding rule by its number. */
  ruleIds: string[];
}

/** Which variant a context gets, why, and the rule that decided, with every rule tried. */
export function ExplanationView({ explanation, flag, ruleIds }: Props) {
  const { result } = explanation;
  const ruleNumber = (id: string) => {
    const i = ruleIds.indexOf(id);
    return i < 0 ? id : `Rule ${i + 1}`;
  };
  const decided =
    explanation.decidedBy === 'rule' && result.ruleId !== undefined
      ? `${ruleNumber(result.ruleId)} (${result.ruleId})`
      : DECIDED_BY[explanation.decidedBy];
  const value =
    result.variant === undefined ? result.value : flag.variants.find((v) => v.key === result.variant)?.value;
  return (
    <div className="explanation" data-testid="preview-result">
      <dl className="result-grid">
        <dt>Variant</dt>
        <dd>
          <strong className="mono" data-testid="preview-variant">
            {result.variant ?? "caller's default"}
          </strong>{' '}
          <span className="muted">{describeValue(value)}</span>
        </dd>
        <dt>Reason</dt>
        <dd>
          <span className="pill" data-testid="preview-reason">
            {result.reason}
          </span>
          {result.errorCode !== undefined && <span className="muted"> {result.errorCode}</span>}
        </dd>
        <dt>Decided by</dt>
        <dd data-testid="preview-decided-by">{decided}</dd>
        {explanation.bucket !== undefined && (
          <>
            <dt>Bucket</dt>
            <dd>
              {percentOf(explanation.bucket)} of the split, by {explanation.bucketBy ?? 'targetingKey'} ={' '}
              <span className="mono">{explanation.unitId}</span>
            </dd>
          </>
        )}
      </dl>
      {result.errorMessage !== undefined && <p className="field-error">{result.errorMessage}</p>}
      {explanation.prerequisites.length > 0 && (
        <ul className="trace">
          {explanation.prerequisites.map((p) => (
            <li key={p.flag}>
              {p.met ? '✓' : '✗'} prerequisite <span className="mono">{p.flag}</span> must serve{' '}
              <span className="mono">{p.requiredVariant}</span>; it serves{' '}
              <span className="mono">{p.servedVariant ?? 'nothing'}</span>
            </li>
          ))}
        </ul>
      )}
      {explanation.rules.length > 0 && (
        <ol className="trace">
          {explanation.rules.map((rule) => (
            <li key={rule.ruleId}>
              {rule.matched ? '✓' : '✗'} {ruleNumber(rule.ruleId)}{' '}
              {rule.clauses.map((c) => (
                <span key={c.index} className="trace-clause">
                  {c.negate ? 'not ' : ''}
                  <span className="mono">{c.attribute}</span> {c.op}: {c.comparison}
                  {c.actual === undefined ? ' (absent)' : ` (${JSON.stringify(c.actual)})`}
                </span>
              ))}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
