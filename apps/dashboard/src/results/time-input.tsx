import { useId } from 'react';
import { FieldError } from '../ui/field-error.js';
import { useInvalidProps } from '../ui/field-problems.js';

/** A labelled date and time (in the reader's time zone) with its field's message. */
export function TimeInput({
  label,
  path,
  value,
  onChange,
}: {
  label: string;
  path: string;
  value: string;
  onChange: (v: string) => void;
}) {
  const id = useId();
  const invalid = useInvalidProps(path);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="datetime-local"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        {...invalid}
      />
      <FieldError path={path} />
    </div>
  );
}
