import type { ContextRow as ContextRowDraft } from './context-draft.js';

/** One attribute of the context: its name and value. */
export function ContextRow({
  row,
  index,
  onChange,
  onRemove,
}: {
  row: ContextRowDraft;
  index: number;
  onChange: (r: ContextRowDraft) => void;
  onRemove: () => void;
}) {
  return (
    <div className="context-row">
      <input
        className="mono"
        aria-label={`Attribute ${index + 1} name`}
        placeholder="plan"
        value={row.name}
        onChange={(e) => onChange({ ...row, name: e.target.value })}
      />
      <input
        className="mono"
        aria-label={`Attribute ${index + 1} value`}
        placeholder="enterprise"
        value={row.value}
        onChange={(e) => onChange({ ...row, value: e.target.value })}
      />
      <button
        type="button"
        className="button button-small button-quiet"
        aria-label={`Remove attribute ${index + 1}`}
        onClick={onRemove}
      >
        Remove
      </button>
    </div>
  );
}
