import { useId } from 'react';
import { FieldError } from '../ui/field-error.js';
import type { AiConfigDraft } from './ai-config-draft.js';
import { NumberParamField } from './number-param-field.js';

const USD = { min: 0, integer: false } as const;

/** Prices that override the built-in price table, or none. */
export function PricingFields({
  pricing,
  path,
  onChange,
}: {
  pricing: AiConfigDraft['pricing'];
  path: string;
  onChange: (pricing: AiConfigDraft['pricing']) => void;
}) {
  const id = useId();
  return (
    <div>
      <label className="choice" htmlFor={id}>
        <input
          id={id}
          type="checkbox"
          checked={pricing !== null}
          onChange={(e) => onChange(e.target.checked ? { inputPerMillion: '', outputPerMillion: '' } : null)}
        />
        Set prices (otherwise the built-in price table is used)
      </label>
      {pricing !== null && (
        <div className="form-grid ai-params">
          <NumberParamField
            label="Input, USD per million tokens"
            bounds={USD}
            placeholder="required"
            value={pricing.inputPerMillion}
            path={`${path}.inputPerMillion`}
            onChange={(inputPerMillion) => onChange({ ...pricing, inputPerMillion })}
          />
          <NumberParamField
            label="Output, USD per million tokens"
            bounds={USD}
            placeholder="required"
            value={pricing.outputPerMillion}
            path={`${path}.outputPerMillion`}
            onChange={(outputPerMillion) => onChange({ ...pricing, outputPerMillion })}
          />
        </div>
      )}
      <FieldError path={path} exact />
    </div>
  );
}
