import { useId } from 'react';
import { FieldError } from '../ui/field-error.js';
import { coveredByWider, toggleEvent } from './webhook-draft.js';
import { WEBHOOK_EVENT_FAMILIES, WEBHOOK_EVENT_TYPES } from './webhook-types.js';

const FAMILY_WORDS: Record<(typeof WEBHOOK_EVENT_FAMILIES)[number], string> = {
  flag: 'Flag changes',
  rollout: 'Rollout decisions',
  alert: 'Alerts',
  schedule: 'Scheduled changes',
};

/**
 * The events a webhook subscribes to: everything, whole families, or single event types. A type a
 * wider choice already covers shows as chosen and cannot be unticked on its own.
 */
export function WebhookEventPicker({
  events,
  onChange,
}: {
  events: string[];
  onChange: (events: string[]) => void;
}) {
  const id = useId();
  const box = (filter: string, label: string, mono = false) => {
    const covered = coveredByWider(events, filter);
    return (
      <label className="choice" key={filter}>
        <input
          type="checkbox"
          value={filter}
          checked={covered || events.includes(filter)}
          disabled={covered}
          onChange={(e) => onChange(toggleEvent(events, filter, e.target.checked))}
        />
        <span className={mono ? 'mono' : undefined}>{label}</span>
      </label>
    );
  };
  return (
    <fieldset className="event-picker" aria-describedby={`${id}-hint`}>
      <legend>Events</legend>
      <p className="hint" id={`${id}-hint`}>
        Test events reach the webhook whatever it subscribes to.
      </p>
      <div className="choices">{box('*', 'Everything (*)')}</div>
      {WEBHOOK_EVENT_FAMILIES.map((family) => (
        <fieldset key={family} className="event-family">
          <legend>{FAMILY_WORDS[family]}</legend>
          <div className="choices">
            {box(`${family}.*`, `All (${family}.*)`)}
            {WEBHOOK_EVENT_TYPES.filter((type) => type.startsWith(`${family}.`)).map((type) =>
              box(type, type, true),
            )}
          </div>
        </fieldset>
      ))}
      <FieldError path="body.events" />
    </fieldset>
  );
}
