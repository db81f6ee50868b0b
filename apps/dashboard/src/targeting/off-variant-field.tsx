import { useId } from 'react';
import { FieldError } from '../ui/field-error.js';
import { useInvalidProps } from '../ui/field-problems.js';

/** What the flag serves when off or when a prerequisite fails: a variant, or the caller's default. */
export function OffVariantField({
  variants,
  value,
  onChange,
}: {
  variants: string[];
  value: string | null;
  onChange: (v: string | null) => void;
}) {
  const id = useId();
  const invalid = useInvalidProps('body.offVariant');
  return (
    <div className="field">
      <label htmlFor={id}>Served when off, or when a prerequisite fails</label>
      <select
        id={id}
        value={value ?? ''}
        onChange={(e) => onChange(e.target.value === '' ? null : e.target.value)}
        {...invalid}
      >
        <option value="">The caller's default</option>
        {variants.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
      <FieldError path="body.offVariant" />
    </div>
  );
}
