import type { ClauseDraft } from './targeting-draft.js';

/** The segments an inSegment clause names, as checkboxes (any of them matches). */
export function SegmentChoices({
  clause,
  segments,
  onChange,
  id,
}: {
  clause: ClauseDraft;
  segments: string[];
  onChange: (c: ClauseDraft) => void;
  id: string;
}) {
  const chosen = clause.valuesText.split('\n').filter((s) => s !== '');
  const toggle = (key: string, on: boolean) =>
    onChange({ ...clause, valuesText: (on ? [...chosen, key] : chosen.filter((k) => k !== key)).join('\n') });
  if (segments.length === 0 && chosen.length === 0)
    return <p className="muted">No segments yet: create one under Segments.</p>;
  return (
    <fieldset className="choices" id={id}>
      <legend className="visually-hidden">Segments</legend>
      {[...new Set([...segments, ...chosen])].map((key) => (
        <label key={key} className="choice">
          <input
            type="checkbox"
            checked={chosen.includes(key)}
            onChange={(e) => toggle(key, e.target.checked)}
          />
          <span className="mono">{key}</span>
        </label>
      ))}
    </fieldset>
  );
}
