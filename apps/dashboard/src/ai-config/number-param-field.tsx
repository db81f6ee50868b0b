import { useId } from 'react';
import { FieldError } from '../ui/field-error.js';
import { useInvalidProps } from '../ui/field-problems.js';
import type { NumberBounds } from './ai-config-rules.js';

/** The range a parameter accepts, as a hint ("0 to 2", "a whole number from 1"). */
export function boundsText(bounds: NumberBounds): string {
  const kind = bounds.integer ? 'a whole number' : 'a number';
  if (bounds.min !== undefined && bounds.max !== undefined)
    return `${kind} from ${bounds.min.toLocaleString('en')} to ${bounds.max.toLocaleString('en')}`;
  if (bounds.min !== undefined) return `${kind} from ${bounds.min.toLocaleString('en')}`;
  return kind;
}

/** One numeric parameter as typed; empty is "not set" (the provider's default). */
export function NumberParamField({
  label,
  bounds,
  value,
  path,
  onChange,
  placeholder = 'not set',
}: {
  label: string;
  placeholder?: string;
  bounds: NumberBounds;
  value: string;
  path: string;
  onChange: (text: string) => void;
}) {
  const id = useId();
  const invalid = useInvalidProps(path);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        inputMode={bounds.integer && (bounds.min ?? -1) >= 0 ? 'numeric' : 'decimal'}
        placeholder={placeholder}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        {...invalid}
        aria-describedby={[`${id}-hint`, invalid['aria-describedby']].filter(Boolean).join(' ')}
      />
      <p className="hint" id={`${id}-hint`}>
        {boundsText(bounds)}
      </p>
      <FieldError path={path} />
    </div>
  );
}
