import { useId } from 'react';
import { newUid } from '../targeting/targeting-draft.js';
import { type ContextDraft, switchMode } from './context-draft.js';
import { ContextRow } from './context-row.js';

interface Props {
  draft: ContextDraft;
  problem: string | undefined;
  onChange: (draft: ContextDraft) => void;
}

/** The context to preview: attribute rows, or JSON. */
export function ContextEditor({ draft, problem, onChange }: Props) {
  const id = useId();
  return (
    <fieldset className="context-editor">
      <legend>Context</legend>
      <div className="segmented" role="radiogroup" aria-label="Context as">
        {(['rows', 'json'] as const).map((mode) => (
          <label key={mode} className="choice">
            <input
              type="radio"
              name={`${id}-mode`}
              checked={draft.mode === mode}
              onChange={() => onChange(switchMode(draft, mode))}
            />
            {mode === 'rows' ? 'Attributes' : 'JSON'}
          </label>
        ))}
      </div>
      {draft.mode === 'rows' ? (
        <>
          {draft.rows.map((row, i) => (
            <ContextRow
              key={row.uid}
              row={row}
              index={i}
              onChange={(r) => onChange({ ...draft, rows: draft.rows.map((x, j) => (j === i ? r : x)) })}
              onRemove={() => onChange({ ...draft, rows: draft.rows.filter((_, j) => j !== i) })}
            />
          ))}
          <button
            type="button"
            className="button button-small"
            onClick={() =>
              onChange({ ...draft, rows: [...draft.rows, { uid: newUid(), name: '', value: '' }] })
            }
          >
            Add attribute
          </button>
          <p className="hint">Numbers and true/false are typed as such; quote nothing.</p>
        </>
      ) : (
        <>
          <label htmlFor={`${id}-json`} className="visually-hidden">
            Context as JSON
          </label>
          <textarea
            id={`${id}-json`}
            className="mono"
            rows={6}
            spellCheck={false}
            value={draft.json}
            onChange={(e) => onChange({ ...draft, json: e.target.value })}
            {...(problem === undefined ? {} : { 'aria-invalid': true, 'aria-describedby': `${id}-problem` })}
          />
        </>
      )}
      {problem !== undefined && (
        <p className="field-error" id={`${id}-problem`}>
          {problem}
        </p>
      )}
    </fieldset>
  );
}
