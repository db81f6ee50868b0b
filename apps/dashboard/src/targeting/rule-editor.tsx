import { useId } from 'react';
import { FieldError } from '../ui/field-error.js';
import { ClauseEditor } from './clause-editor.js';
import { ServeEditor } from './serve-editor.js';
import { newClause, type RuleDraft } from './targeting-draft.js';

interface Props {
  rule: RuleDraft;
  index: number;
  count: number;
  variants: string[];
  segments: string[];
  onChange: (rule: RuleDraft) => void;
  onRemove: () => void;
  onMove: (to: number) => void;
}

/** One rule: its conditions (all must match) and what it serves. */
export function RuleEditor({ rule, index, count, variants, segments, onChange, onRemove, onMove }: Props) {
  const id = useId();
  const at = `body.rules.${index}`;
  const name = `Rule ${index + 1}`;
  return (
    <fieldset className="rule" data-rule-index={index}>
      <legend>
        {name}
        {rule.id !== undefined && <span className="mono muted"> {rule.id}</span>}
      </legend>
      <div className="field">
        <label htmlFor={`${id}-description`}>Description (optional)</label>
        <input
          id={`${id}-description`}
          value={rule.description}
          onChange={(e) => onChange({ ...rule, description: e.target.value })}
        />
      </div>
      <p className="rule-when">When all of these match:</p>
      {rule.clauses.length === 0 && <p className="muted">No condition: everyone matches.</p>}
      {rule.clauses.map((clause, j) => (
        <ClauseEditor
          key={clause.uid}
          clause={clause}
          path={`${at}.clauses.${j}`}
          label={`${name}, condition ${j + 1}`}
          segments={segments}
          onChange={(c) => onChange({ ...rule, clauses: rule.clauses.map((x, k) => (k === j ? c : x)) })}
          onRemove={() => onChange({ ...rule, clauses: rule.clauses.filter((_, k) => k !== j) })}
        />
      ))}
      <FieldError path={`${at}.clauses`} exact />
      <button
        type="button"
        className="button button-small"
        onClick={() => onChange({ ...rule, clauses: [...rule.clauses, newClause()] })}
      >
        Add condition
      </button>
      <ServeEditor
        serve={rule.serve}
        variants={variants}
        path={`${at}.serve`}
        label={name}
        onChange={(serve) => onChange({ ...rule, serve })}
      />
      <FieldError path={`${at}.id`} />
      <div className="rule-actions">
        <button
          type="button"
          className="button button-small"
          onClick={() => onMove(index - 1)}
          disabled={index === 0}
        >
          Move up
        </button>
        <button
          type="button"
          className="button button-small"
          onClick={() => onMove(index + 1)}
          disabled={index === count - 1}
        >
          Move down
        </button>
        <button type="button" className="button button-small button-quiet" onClick={onRemove}>
          Remove {name.toLowerCase()}
        </button>
      </div>
    </fieldset>
  );
}
