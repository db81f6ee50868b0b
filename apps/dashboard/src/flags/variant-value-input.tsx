import type { FlagKind } from '@switchboard/core';
import { useInvalidProps } from '../ui/field-problems.js';

interface Props {
  id: string;
  kind: FlagKind;
  value: string;
  onChange: (text: string) => void;
  path: string;
}

/** A variant's value, in the input its kind calls for. */
export function VariantValueInput({ id, kind, value, onChange, path }: Props) {
  const invalid = useInvalidProps(path);
  if (kind === 'boolean') {
    return (
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)} {...invalid}>
        <option value="true">true</option>
        <option value="false">false</option>
      </select>
    );
  }
  if (kind === 'json' || kind === 'ai-config') {
    return (
      <textarea
        id={id}
        className="mono"
        rows={kind === 'ai-config' ? 8 : 3}
        spellCheck={false}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        {...invalid}
      />
    );
  }
  return (
    <input
      id={id}
      inputMode={kind === 'number' ? 'decimal' : undefined}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      {...invalid}
    />
  );
}
