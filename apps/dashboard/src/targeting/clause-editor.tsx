import type { Operator } from '@switchboard/core';
import { useId } from 'react';
import { COMMON_ATTRIBUTES, OPERATOR_KEYS, OPERATORS, type OperatorValues } from '../model/operators.js';
import { FieldError } from '../ui/field-error.js';
import { useInvalidProps } from '../ui/field-problems.js';
import { SegmentChoices } from './segment-choices.js';
import type { ClauseDraft, ScalarType } from './targeting-draft.js';

interface Props {
  clause: ClauseDraft;
  /** Where the server names this clause's fields (`body.rules.0.clauses.1`). */
  path: string;
  label: string;
  segments: string[];
  onChange: (clause: ClauseDraft) => void;
  onRemove: () => void;
}

const PLACEHOLDERS: Record<OperatorValues, string> = {
  scalars: 'enterprise\nteam',
  strings: '@example.com',
  patterns: '^beta-.*$',
  numbers: '10',
  dates: '2026-01-31T12:00:00Z',
  versions: '2.4.0',
  none: '',
  segments: '',
};

/** One condition: an attribute, an operator of the model, its values, and whether it is negated. */
export function ClauseEditor({ clause, path, label, segments, onChange, onRemove }: Props) {
  const id = useId();
  const kind = OPERATORS[clause.op].values;
  const attributeInvalid = useInvalidProps(`${path}.attribute`);
  const valuesInvalid = useInvalidProps(`${path}.values`);
  return (
    <fieldset className="clause">
      <legend className="visually-hidden">{label}</legend>
      {kind !== 'segments' && (
        <div className="field">
          <label htmlFor={`${id}-attribute`}>Attribute</label>
          <input
            id={`${id}-attribute`}
            className="mono"
            list={`${id}-attributes`}
            value={clause.attribute}
            onChange={(e) => onChange({ ...clause, attribute: e.target.value })}
            {...attributeInvalid}
          />
          <datalist id={`${id}-attributes`}>
            {COMMON_ATTRIBUTES.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
          <FieldError path={`${path}.attribute`} />
        </div>
      )}
      <div className="field field-narrow">
        <label htmlFor={`${id}-negate`}>Condition</label>
        <select
          id={`${id}-negate`}
          value={clause.negate ? 'not' : 'is'}
          onChange={(e) => onChange({ ...clause, negate: e.target.value === 'not' })}
        >
          <option value="is">holds</option>
          <option value="not">does not hold</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-op`}>Operator</label>
        <select
          id={`${id}-op`}
          value={clause.op}
          onChange={(e) => onChange({ ...clause, op: e.target.value as Operator })}
        >
          {OPERATOR_KEYS.map((op) => (
            <option key={op} value={op}>
              {OPERATORS[op].label}
            </option>
          ))}
        </select>
      </div>
      {kind === 'scalars' && (
        <div className="field field-narrow">
          <label htmlFor={`${id}-type`}>Values are</label>
          <select
            id={`${id}-type`}
            value={clause.valueType}
            onChange={(e) => onChange({ ...clause, valueType: e.target.value as ScalarType })}
          >
            <option value="string">text</option>
            <option value="number">numbers</option>
            <option value="boolean">true/false</option>
          </select>
        </div>
      )}
      {kind === 'segments' && (
        <div className="field field-wide">
          <span className="label">Segments (any)</span>
          <SegmentChoices clause={clause} segments={segments} onChange={onChange} id={`${id}-segments`} />
          <FieldError path={`${path}.values`} />
        </div>
      )}
      {kind !== 'segments' && kind !== 'none' && (
        <div className="field field-wide">
          <label htmlFor={`${id}-values`}>Values, one per line (any)</label>
          <textarea
            id={`${id}-values`}
            className="mono"
            rows={Math.min(Math.max(clause.valuesText.split('\n').length, 1), 6)}
            placeholder={PLACEHOLDERS[kind]}
            spellCheck={false}
            value={clause.valuesText}
            onChange={(e) => onChange({ ...clause, valuesText: e.target.value })}
            {...valuesInvalid}
          />
          <FieldError path={`${path}.values`} />
        </div>
      )}
      <button
        type="button"
        className="button button-small button-quiet clause-remove"
        onClick={onRemove}
        aria-label={`Remove ${label.toLowerCase()}`}
      >
        Remove
      </button>
    </fieldset>
  );
}
