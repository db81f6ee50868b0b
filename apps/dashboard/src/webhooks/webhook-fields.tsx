import { useId } from 'react';
import { useProject } from '../session/project-context.js';
import { FieldError } from '../ui/field-error.js';
import { useInvalidProps } from '../ui/field-problems.js';
import { TextField } from '../ui/text-field.js';
import type { WebhookDraft } from './webhook-draft.js';
import { WebhookEventPicker } from './webhook-event-picker.js';
import { WEBHOOK_FORMATS, type WebhookFormat } from './webhook-types.js';

const FORMAT_WORDS: Record<WebhookFormat, string> = {
  json: 'JSON: the event as it is',
  slack: 'Slack: { text, blocks } for an incoming webhook',
};

/** A webhook's name, URL, events, filters, format and switch. */
export function WebhookFields({
  draft,
  onChange,
}: {
  draft: WebhookDraft;
  onChange: (patch: Partial<WebhookDraft>) => void;
}) {
  const id = useId();
  const { environments } = useProject();
  const envInvalid = useInvalidProps('body.environment');
  return (
    <>
      <div className="form-grid">
        <TextField label="Name" path="body.name" value={draft.name} onChange={(name) => onChange({ name })} />
        <TextField
          label="URL"
          path="body.url"
          value={draft.url}
          onChange={(url) => onChange({ url })}
          mono
          hint="Where deliveries are POSTed: http:// or https://"
        />
        <div className="field">
          <label htmlFor={`${id}-format`}>Format</label>
          <select
            id={`${id}-format`}
            value={draft.format}
            onChange={(e) => onChange({ format: e.target.value as WebhookFormat })}
          >
            {WEBHOOK_FORMATS.map((format) => (
              <option key={format} value={format}>
                {FORMAT_WORDS[format]}
              </option>
            ))}
          </select>
        </div>
        <TextField
          label="Only events of flag"
          path="body.flag"
          value={draft.flag}
          onChange={(flag) => onChange({ flag })}
          mono
          hint="A flag key, or empty for every flag."
        />
        <div className="field">
          <label htmlFor={`${id}-env`}>Only events of environment</label>
          <select
            id={`${id}-env`}
            value={draft.environment}
            onChange={(e) => onChange({ environment: e.target.value })}
            {...envInvalid}
          >
            <option value="">Every environment</option>
            {environments.map((e) => (
              <option key={e.key} value={e.key}>
                {e.name}
              </option>
            ))}
          </select>
          <FieldError path="body.environment" />
        </div>
        <label className="field field-inline">
          <input
            type="checkbox"
            checked={draft.enabled}
            onChange={(e) => onChange({ enabled: e.target.checked })}
          />
          Enabled: deliver events
        </label>
      </div>
      <WebhookEventPicker events={draft.events} onChange={(events) => onChange({ events })} />
    </>
  );
}
