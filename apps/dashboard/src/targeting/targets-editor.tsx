import { TargetRow } from './target-row.js';
import { newUid, type TargetDraft } from './targeting-draft.js';

interface Props {
  targets: TargetDraft[];
  variants: string[];
  onChange: (targets: TargetDraft[]) => void;
}

/** Units served one variant directly, before any rule. */
export function TargetsEditor({ targets, variants, onChange }: Props) {
  return (
    <div className="targets">
      {targets.length === 0 && <p className="muted">No individual targets.</p>}
      {targets.map((t, i) => (
        <TargetRow
          key={t.uid}
          target={t}
          index={i}
          variants={variants}
          onChange={(next) => onChange(targets.map((x, j) => (j === i ? next : x)))}
          onRemove={() => onChange(targets.filter((_, j) => j !== i))}
        />
      ))}
      <button
        type="button"
        className="button button-small"
        onClick={() => onChange([...targets, { uid: newUid(), variant: variants[0] ?? '', valuesText: '' }])}
      >
        Add target
      </button>
    </div>
  );
}
