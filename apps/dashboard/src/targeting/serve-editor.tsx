import { useId } from 'react';
import { FieldError } from '../ui/field-error.js';
import { useInvalidProps } from '../ui/field-problems.js';
import { SplitEditor } from './split-editor.js';
import type { ServeDraft } from './targeting-draft.js';

interface Props {
  serve: ServeDraft;
  variants: string[];
  /** `body.fallthrough`, `body.rules.0.serve`. */
  path: string;
  label: string;
  onChange: (serve: ServeDraft) => void;
}

/** What a rule or the default serves: one variant, or a split by percentage. */
export function ServeEditor({ serve, variants, path, label, onChange }: Props) {
  const id = useId();
  const variantInvalid = useInvalidProps(`${path}.variant`);
  return (
    <fieldset className="serve">
      <legend>{label} gets</legend>
      <div className="segmented" role="radiogroup" aria-label={`${label}: serve`}>
        <label className="choice">
          <input
            type="radio"
            name={`${id}-mode`}
            checked={serve.mode === 'variant'}
            onChange={() => onChange({ ...serve, mode: 'variant' })}
          />
          one variant
        </label>
        <label className="choice">
          <input
            type="radio"
            name={`${id}-mode`}
            checked={serve.mode === 'split'}
            onChange={() => onChange({ ...serve, mode: 'split' })}
          />
          a percentage split
        </label>
      </div>
      {serve.mode === 'variant' ? (
        <div className="field">
          <label htmlFor={`${id}-variant`}>Variant</label>
          <select
            id={`${id}-variant`}
            value={serve.variant}
            onChange={(e) => onChange({ ...serve, variant: e.target.value })}
            {...variantInvalid}
          >
            {!variants.includes(serve.variant) && (
              <option value={serve.variant}>{serve.variant || 'Choose…'}</option>
            )}
            {variants.map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </div>
      ) : (
        <SplitEditor serve={serve} variants={variants} label={label} onChange={onChange} />
      )}
      <FieldError path={path} />
    </fieldset>
  );
}
