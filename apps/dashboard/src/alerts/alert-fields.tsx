import { useId } from 'react';
import type { FlagView } from '../api/api-types.js';
import { useProject } from '../session/project-context.js';
import { FieldError } from '../ui/field-error.js';
import { useInvalidProps } from '../ui/field-problems.js';
import { TextField } from '../ui/text-field.js';
import type { AlertDraft } from './alert-draft.js';
import { ALERT_ACTIONS, ALERT_METRICS, type AlertAction, type AlertMetric } from './alert-types.js';
import { METRIC_WORDS } from './alert-words.js';

const ACTION_WORDS: Record<AlertAction, { label: string; hint: string }> = {
  notify: { label: 'Notify', hint: 'Sends alert.fired and alert.resolved to webhooks.' },
  rollback: {
    label: 'Roll back',
    hint: 'Notifies, and turns the flag off in this environment (it serves its off variant).',
  },
};

/** A number typed into a labelled field, with its field's message. */
function NumberField({
  label,
  path,
  value,
  onChange,
  hint,
  decimal = false,
}: {
  label: string;
  path: string;
  value: string;
  onChange: (v: string) => void;
  hint: string;
  decimal?: boolean;
}) {
  const id = useId();
  const invalid = useInvalidProps(path);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        inputMode={decimal ? 'decimal' : 'numeric'}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        {...invalid}
      />
      <p className="hint">{hint}</p>
      <FieldError path={path} />
    </div>
  );
}

/** A rule's flag and environment (chosen only at creation), condition, action and switch. */
export function AlertFields({
  draft,
  onChange,
  flags,
  creating,
}: {
  draft: AlertDraft;
  onChange: (patch: Partial<AlertDraft>) => void;
  /** The flags to choose from (creating), or the one flag of the rule. */
  flags: FlagView[];
  creating: boolean;
}) {
  const id = useId();
  const { environments } = useProject();
  const flagInvalid = useInvalidProps('params.key');
  const envInvalid = useInvalidProps('params.env');
  const variantInvalid = useInvalidProps('body.variant');
  const variants = flags.find((f) => f.key === draft.flag)?.variants ?? [];
  // The rule's own flag is a choice even before the list (or that flag) has loaded.
  const flagKeys = [...new Set([...flags.map((f) => f.key), ...(draft.flag === '' ? [] : [draft.flag])])];
  return (
    <div className="form-grid">
      <div className="field">
        <label htmlFor={`${id}-flag`}>Flag</label>
        <select
          id={`${id}-flag`}
          value={draft.flag}
          disabled={!creating}
          onChange={(e) => onChange({ flag: e.target.value, variant: '' })}
          {...flagInvalid}
        >
          <option value="">Choose a flag</option>
          {flagKeys.map((key) => (
            <option key={key} value={key}>
              {key}
            </option>
          ))}
        </select>
        <FieldError path="params.key" />
      </div>
      <div className="field">
        <label htmlFor={`${id}-env`}>Environment</label>
        <select
          id={`${id}-env`}
          value={draft.environment}
          disabled={!creating}
          onChange={(e) => onChange({ environment: e.target.value })}
          {...envInvalid}
        >
          <option value="">Choose an environment</option>
          {environments.map((e) => (
            <option key={e.key} value={e.key}>
              {e.name}
            </option>
          ))}
        </select>
        <FieldError path="params.env" />
      </div>
      <TextField
        label="Name"
        path="body.name"
        value={draft.name}
        onChange={(name) => onChange({ name })}
        hint="Optional: the server names it after its condition."
      />
      <div className="field">
        <label htmlFor={`${id}-metric`}>Metric</label>
        <select
          id={`${id}-metric`}
          value={draft.metric}
          onChange={(e) => onChange({ metric: e.target.value as AlertMetric })}
        >
          {ALERT_METRICS.map((m) => (
            <option key={m} value={m}>
              {METRIC_WORDS[m].label}
            </option>
          ))}
        </select>
        <p className="hint">Read per variant from the hourly rollups.</p>
      </div>
      <NumberField
        label="Fires above"
        path="body.threshold"
        value={draft.threshold}
        onChange={(threshold) => onChange({ threshold })}
        hint={`The threshold, in ${METRIC_WORDS[draft.metric].unit}. The rule fires when a variant is above it.`}
        decimal
      />
      <NumberField
        label="Window (minutes)"
        path="body.windowMinutes"
        value={draft.windowMinutes}
        onChange={(windowMinutes) => onChange({ windowMinutes })}
        hint="Data read: from the start of the UTC hour this many minutes ago (1 to 10080)."
      />
      <NumberField
        label="For (minutes)"
        path="body.forMinutes"
        value={draft.forMinutes}
        onChange={(forMinutes) => onChange({ forMinutes })}
        hint="How long it must stay above before firing (0 to 1440; 0 fires at once)."
      />
      <NumberField
        label="Minimum sample"
        path="body.minSample"
        value={draft.minSample}
        onChange={(minSample) => onChange({ minSample })}
        hint="Requests a variant needs in the window before it counts."
      />
      <div className="field">
        <label htmlFor={`${id}-variant`}>Variant</label>
        <select
          id={`${id}-variant`}
          value={draft.variant}
          onChange={(e) => onChange({ variant: e.target.value })}
          {...variantInvalid}
        >
          <option value="">Every variant</option>
          {variants.map((v) => (
            <option key={v.key} value={v.key}>
              {v.key}
            </option>
          ))}
        </select>
        <FieldError path="body.variant" />
      </div>
      <div className="field">
        <label htmlFor={`${id}-action`}>Action</label>
        <select
          id={`${id}-action`}
          value={draft.action}
          onChange={(e) => onChange({ action: e.target.value as AlertAction })}
        >
          {ALERT_ACTIONS.map((a) => (
            <option key={a} value={a}>
              {ACTION_WORDS[a].label}
            </option>
          ))}
        </select>
        <p className="hint">{ACTION_WORDS[draft.action].hint}</p>
      </div>
      <label className="field field-inline">
        <input
          type="checkbox"
          checked={draft.enabled}
          onChange={(e) => onChange({ enabled: e.target.checked })}
        />
        Enabled: evaluate every minute
      </label>
    </div>
  );
}
