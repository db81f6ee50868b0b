import { useId } from 'react';

interface Props {
  variants: readonly string[];
  /** The control of the results shown; undefined while none is loaded. */
  value: string | undefined;
  /** Whether it was picked here rather than by the policy or the configuration. */
  picked: boolean;
  onChange: (control: string | undefined) => void;
}

/** The variant the others are compared with, for this view only (the policy sets it for good). */
export function ControlPicker({ variants, value, picked, onChange }: Props) {
  const id = useId();
  return (
    <div className="field control-picker">
      <label htmlFor={id}>Compare against</label>
      <select
        id={id}
        value={value ?? ''}
        onChange={(e) => onChange(e.target.value)}
        disabled={value === undefined}
      >
        {value === undefined && <option value="">…</option>}
        {variants.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
      {picked && (
        <p className="hint">
          For this view only.{' '}
          <button type="button" className="link-button" onClick={() => onChange(undefined)}>
            Back to the policy’s control
          </button>
        </p>
      )}
    </div>
  );
}
