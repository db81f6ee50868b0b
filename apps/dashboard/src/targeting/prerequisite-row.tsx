import { useId } from 'react';
import type { FlagView } from '../api/api-types.js';
import { FieldError } from '../ui/field-error.js';
import { useInvalidProps } from '../ui/field-problems.js';
import type { PrerequisiteDraft } from './targeting-draft.js';

/** One prerequisite: another flag and the variant it must serve. */
export function PrerequisiteRow({
  prerequisite,
  index,
  flags,
  onChange,
  onRemove,
}: {
  prerequisite: PrerequisiteDraft;
  index: number;
  flags: FlagView[];
  onChange: (p: PrerequisiteDraft) => void;
  onRemove: () => void;
}) {
  const id = useId();
  const at = `body.prerequisites.${index}`;
  const flagInvalid = useInvalidProps(`${at}.flag`);
  const variantInvalid = useInvalidProps(`${at}.variant`);
  const chosen = flags.find((f) => f.key === prerequisite.flag);
  return (
    <fieldset className="prerequisite">
      <legend className="visually-hidden">Prerequisite {index + 1}</legend>
      <div className="field">
        <label htmlFor={`${id}-flag`}>Flag</label>
        <select
          id={`${id}-flag`}
          value={prerequisite.flag}
          onChange={(e) => {
            const flag = flags.find((f) => f.key === e.target.value);
            onChange({ ...prerequisite, flag: e.target.value, variant: flag?.variants[0]?.key ?? '' });
          }}
          {...flagInvalid}
        >
          <option value="">Choose a flag…</option>
          {chosen === undefined && prerequisite.flag !== '' && (
            <option value={prerequisite.flag}>{prerequisite.flag}</option>
          )}
          {flags.map((f) => (
            <option key={f.key} value={f.key}>
              {f.key}
            </option>
          ))}
        </select>
        <FieldError path={`${at}.flag`} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-variant`}>must serve</label>
        <select
          id={`${id}-variant`}
          value={prerequisite.variant}
          onChange={(e) => onChange({ ...prerequisite, variant: e.target.value })}
          {...variantInvalid}
        >
          {(chosen?.variants.map((v) => v.key) ?? [prerequisite.variant]).map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
        <FieldError path={`${at}.variant`} />
      </div>
      <button type="button" className="button button-small button-quiet" onClick={onRemove}>
        Remove prerequisite {index + 1}
      </button>
    </fieldset>
  );
}
