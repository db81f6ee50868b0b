import { useId } from 'react';
import { FieldError } from '../ui/field-error.js';
import { useInvalidProps } from '../ui/field-problems.js';
import type { TargetDraft } from './targeting-draft.js';

/** One individual target: a variant and the unit ids it is served to. */
export function TargetRow({
  target,
  index,
  variants,
  onChange,
  onRemove,
}: {
  target: TargetDraft;
  index: number;
  variants: string[];
  onChange: (t: TargetDraft) => void;
  onRemove: () => void;
}) {
  const id = useId();
  const at = `body.targets.${index}`;
  const variantInvalid = useInvalidProps(`${at}.variant`);
  const valuesInvalid = useInvalidProps(`${at}.values`);
  return (
    <fieldset className="target">
      <legend className="visually-hidden">Target {index + 1}</legend>
      <div className="field field-narrow">
        <label htmlFor={`${id}-variant`}>Serve</label>
        <select
          id={`${id}-variant`}
          value={target.variant}
          onChange={(e) => onChange({ ...target, variant: e.target.value })}
          {...variantInvalid}
        >
          {variants.map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
        <FieldError path={`${at}.variant`} />
      </div>
      <div className="field field-wide">
        <label htmlFor={`${id}-values`}>To these unit ids (targetingKey or userId), one per line</label>
        <textarea
          id={`${id}-values`}
          className="mono"
          rows={3}
          spellCheck={false}
          value={target.valuesText}
          onChange={(e) => onChange({ ...target, valuesText: e.target.value })}
          {...valuesInvalid}
        />
        <FieldError path={`${at}.values`} />
      </div>
      <button type="button" className="button button-small button-quiet" onClick={onRemove}>
        Remove target {index + 1}
      </button>
    </fieldset>
  );
}
