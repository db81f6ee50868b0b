import { useId } from 'react';
import { FLAG_KINDS } from './flag-kinds.js';

export interface FlagFilterValues {
  q: string;
  tags: string;
  kind: string;
  archived: 'false' | 'true' | 'all';
}

interface Props {
  values: FlagFilterValues;
  onChange: (values: FlagFilterValues) => void;
}

export function FlagFilters({ values, onChange }: Props) {
  const id = useId();
  const set = (patch: Partial<FlagFilterValues>) => onChange({ ...values, ...patch });
  return (
    <search className="filters" aria-label="Filter flags">
      <div className="field">
        <label htmlFor={`${id}-q`}>Search</label>
        <input
          id={`${id}-q`}
          type="search"
          placeholder="Key, name or description"
          value={values.q}
          onChange={(e) => set({ q: e.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-tags`}>Tags</label>
        <input
          id={`${id}-tags`}
          placeholder="checkout, llm"
          value={values.tags}
          onChange={(e) => set({ tags: e.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-kind`}>Kind</label>
        <select id={`${id}-kind`} value={values.kind} onChange={(e) => set({ kind: e.target.value })}>
          <option value="">Any kind</option>
          {Object.entries(FLAG_KINDS).map(([kind, label]) => (
            <option key={kind} value={kind}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-archived`}>Show</label>
        <select
          id={`${id}-archived`}
          value={values.archived}
          onChange={(e) => set({ archived: e.target.value as FlagFilterValues['archived'] })}
        >
          <option value="false">Active flags</option>
          <option value="true">Archived flags</option>
          <option value="all">All flags</option>
        </select>
      </div>
    </search>
  );
}
