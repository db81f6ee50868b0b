import { useId } from 'react';
import { FieldError } from '../ui/field-error.js';
import { useInvalidProps } from '../ui/field-problems.js';

export interface FlagFieldValues {
  name: string;
  description: string;
  /** Comma- or space-separated. */
  tags: string;
  changeType: string;
}

interface Props {
  values: FlagFieldValues;
  onChange: (values: FlagFieldValues) => void;
  changeTypes: readonly string[];
}

/** A flag's name, description, tags and change type, as created and edited. */
export function FlagFields({ values, onChange, changeTypes }: Props) {
  const id = useId();
  const set = (patch: Partial<FlagFieldValues>) => onChange({ ...values, ...patch });
  const nameInvalid = useInvalidProps('body.name');
  const tagsInvalid = useInvalidProps('body.tags');
  const descriptionInvalid = useInvalidProps('body.description');
  return (
    <>
      <div className="field">
        <label htmlFor={`${id}-name`}>Name</label>
        <input
          id={`${id}-name`}
          value={values.name}
          onChange={(e) => set({ name: e.target.value })}
          {...nameInvalid}
        />
        <FieldError path="body.name" />
      </div>
      <div className="field">
        <label htmlFor={`${id}-change`}>Change type</label>
        <select
          id={`${id}-change`}
          value={values.changeType}
          onChange={(e) => set({ changeType: e.target.value })}
        >
          {changeTypes.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </div>
      <div className="field field-wide">
        <label htmlFor={`${id}-description`}>Description</label>
        <textarea
          id={`${id}-description`}
          rows={2}
          value={values.description}
          onChange={(e) => set({ description: e.target.value })}
          {...descriptionInvalid}
        />
        <FieldError path="body.description" />
      </div>
      <div className="field field-wide">
        <label htmlFor={`${id}-tags`}>Tags</label>
        <input
          id={`${id}-tags`}
          placeholder="checkout, llm"
          value={values.tags}
          onChange={(e) => set({ tags: e.target.value })}
          {...tagsInvalid}
        />
        <FieldError path="body.tags" />
      </div>
    </>
  );
}
