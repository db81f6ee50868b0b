import type { FlagView } from '../api/api-types.js';
import { PrerequisiteRow } from './prerequisite-row.js';
import { newUid, type PrerequisiteDraft } from './targeting-draft.js';

interface Props {
  prerequisites: PrerequisiteDraft[];
  flags: FlagView[];
  onChange: (prerequisites: PrerequisiteDraft[]) => void;
}

/** Flags that must serve a given variant for this one to go on. */
export function PrerequisitesEditor({ prerequisites, flags, onChange }: Props) {
  return (
    <div className="prerequisites">
      {prerequisites.length === 0 && <p className="muted">No prerequisites.</p>}
      {prerequisites.map((p, i) => (
        <PrerequisiteRow
          key={p.uid}
          prerequisite={p}
          index={i}
          flags={flags}
          onChange={(next) => onChange(prerequisites.map((x, j) => (j === i ? next : x)))}
          onRemove={() => onChange(prerequisites.filter((_, j) => j !== i))}
        />
      ))}
      <button
        type="button"
        className="button button-small"
        onClick={() => onChange([...prerequisites, { uid: newUid(), flag: '', variant: '' }])}
      >
        Add prerequisite
      </button>
    </div>
  );
}
