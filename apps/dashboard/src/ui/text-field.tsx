import { useId } from 'react';
import { FieldError } from './field-error.js';
import { useInvalidProps } from './field-problems.js';

/** A labelled text input (or textarea, given rows) with its field's message. */
export function TextField({
  label,
  path,
  value,
  onChange,
  rows,
  mono,
  hint,
}: {
  label: string;
  path: string;
  value: string;
  onChange: (v: string) => void;
  rows?: number;
  mono?: boolean;
  hint?: string;
}) {
  const id = useId();
  const invalid = useInvalidProps(path);
  const props = {
    id,
    value,
    className: mono ? 'mono' : undefined,
    onChange: (e: { target: { value: string } }) => onChange(e.target.value),
    ...invalid,
  };
  return (
    <div className={rows === undefined ? 'field' : 'field field-wide'}>
      <label htmlFor={id}>{label}</label>
      {rows === undefined ? <input {...props} /> : <textarea rows={rows} spellCheck={false} {...props} />}
      {hint !== undefined && <p className="hint">{hint}</p>}
      <FieldError path={path} />
    </div>
  );
}
