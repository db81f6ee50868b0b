import { useId } from 'react';
import { FieldError } from '../ui/field-error.js';
import { useInvalidProps } from '../ui/field-problems.js';
import { type NumberField, policyPath } from './policy-draft.js';

interface Props {
  field: NumberField;
  value: string;
  onChange: (value: string) => void;
}

const describe = (field: NumberField, value: number | null) => {
  if (value === null) return 'none';
  const meaning = field.meaning?.(value);
  return meaning === undefined || meaning === '' ? String(value) : `${value} (${meaning})`;
};

/** One number of the policy: empty takes the default, shown as the placeholder and in the hint. */
export function PolicyNumberField({ field, value, onChange }: Props) {
  const id = useId();
  const path = policyPath(field.name);
  const invalid = useInvalidProps(path);
  const typed = value.trim() === '' ? null : Number(value);
  const defaultText = field.defaultValue === null ? 'none' : String(field.defaultValue);
  return (
    <div className="field" data-setting={field.name}>
      <label htmlFor={id}>{field.label}</label>
      <input
        id={id}
        inputMode="decimal"
        placeholder={`${defaultText} (default)`}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        {...invalid}
      />
      <p className="hint">
        {field.hint} Default: {describe(field, field.defaultValue)}.
        {typed !== null && Number.isFinite(typed) && field.meaning !== undefined && (
          <> Now: {describe(field, typed)}.</>
        )}
      </p>
      <FieldError path={path} />
    </div>
  );
}
