import { useId } from 'react';

export interface AuditFilterValues {
  flag: string;
  actor: string;
  action: string;
  /** datetime-local values, in the reader's time zone. */
  from: string;
  to: string;
}

/** The actions the server records. */
const ACTIONS = [
  'flag.create',
  'flag.update',
  'flag.archive',
  'flag.restore',
  'flag.environment.update',
  'flag.environment.enable',
  'flag.environment.disable',
  'segment.create',
  'segment.update',
  'segment.delete',
  'api-key.create',
  'api-key.revoke',
  'project.create',
  'environment.create',
  'webhook.create',
  'webhook.update',
  'webhook.rotate-secret',
  'webhook.delete',
  'alert.create',
  'alert.update',
  'alert.delete',
];

export function AuditFilters({
  values,
  onChange,
}: {
  values: AuditFilterValues;
  onChange: (v: AuditFilterValues) => void;
}) {
  const id = useId();
  const set = (patch: Partial<AuditFilterValues>) => onChange({ ...values, ...patch });
  return (
    <search className="filters" aria-label="Filter the audit log">
      <div className="field">
        <label htmlFor={`${id}-flag`}>Flag</label>
        <input
          id={`${id}-flag`}
          className="mono"
          placeholder="checkout"
          value={values.flag}
          onChange={(e) => set({ flag: e.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-actor`}>Actor</label>
        <input
          id={`${id}-actor`}
          placeholder="key:local admin#…"
          value={values.actor}
          onChange={(e) => set({ actor: e.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-action`}>Action</label>
        <select id={`${id}-action`} value={values.action} onChange={(e) => set({ action: e.target.value })}>
          <option value="">Any action</option>
          {ACTIONS.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-from`}>From</label>
        <input
          id={`${id}-from`}
          type="datetime-local"
          value={values.from}
          onChange={(e) => set({ from: e.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-to`}>Until</label>
        <input
          id={`${id}-to`}
          type="datetime-local"
          value={values.to}
          onChange={(e) => set({ to: e.target.value })}
        />
      </div>
    </search>
  );
}
