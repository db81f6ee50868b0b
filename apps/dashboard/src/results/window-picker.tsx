import { type FormEvent, useId, useState } from 'react';
import type { FieldProblem } from '../model/field-errors.js';
import { FieldProblemsContext } from '../ui/field-problems.js';
import {
  isoOfLocalInput,
  localInputOf,
  type ResultsWindow,
  WINDOW_CHOICES,
  type WindowName,
} from './results-window.js';
import { TimeInput } from './time-input.js';

interface Props {
  value: ResultsWindow;
  onChange: (window: ResultsWindow) => void;
  /** What the server refused of the window (`querystring.to`...). */
  problems: readonly FieldProblem[];
}

const DAY_MS = 86_400_000;
const FROM = 'querystring.from';
const TO = 'querystring.to';

/** The time window of the results: all data, the last 24 hours or 7 days, or a custom range. */
export function WindowPicker({ value, onChange, problems }: Props) {
  const name = useId();
  const [from, setFrom] = useState(localInputOf(value.from));
  const [to, setTo] = useState(localInputOf(value.to));
  const [local, setLocal] = useState<FieldProblem[]>([]);
  const shown = `${value.from ?? ''}/${value.to ?? ''}`;
  const [seen, setSeen] = useState(shown);
  if (seen !== shown) {
    // The window changed (applied, or the page's address): the inputs show it.
    setSeen(shown);
    setFrom(localInputOf(value.from));
    setTo(localInputOf(value.to));
  }

  const choose = (choice: WindowName) => {
    setLocal([]);
    if (choice !== 'custom') {
      onChange({ name: choice });
      return;
    }
    // A custom window starts as the last day, to be narrowed or widened.
    const start = new Date(Date.now() - DAY_MS).toISOString();
    setFrom(localInputOf(start));
    setTo('');
    onChange({ name: 'custom', from: start });
  };

  const apply = (event: FormEvent) => {
    event.preventDefault();
    const fromIso = isoOfLocalInput(from);
    const toIso = isoOfLocalInput(to);
    const found: FieldProblem[] = [];
    if (from.trim() !== '' && fromIso === undefined)
      found.push({ field: FROM, message: 'not a date and time' });
    if (to.trim() !== '' && toIso === undefined) found.push({ field: TO, message: 'not a date and time' });
    if (fromIso !== undefined && toIso !== undefined && fromIso >= toIso)
      found.push({ field: TO, message: 'must be after the start' });
    setLocal(found);
    if (found.length > 0) return;
    onChange({
      name: 'custom',
      ...(fromIso === undefined ? {} : { from: fromIso }),
      ...(toIso === undefined ? {} : { to: toIso }),
    });
  };

  return (
    <FieldProblemsContext.Provider value={local.length > 0 ? local : problems}>
      <div className="window-picker">
        <fieldset className="segments">
          <legend>Time window</legend>
          {WINDOW_CHOICES.map((choice) => (
            <label key={choice.name} className="segment">
              <input
                type="radio"
                className="visually-hidden"
                name={name}
                value={choice.name}
                checked={value.name === choice.name}
                onChange={() => choose(choice.name)}
              />
              {choice.label}
            </label>
          ))}
        </fieldset>
        {value.name === 'custom' && (
          <form className="custom-window" onSubmit={apply} noValidate aria-label="Custom time window">
            <TimeInput label="From" path={FROM} value={from} onChange={setFrom} />
            <TimeInput label="To (empty: now)" path={TO} value={to} onChange={setTo} />
            <button type="submit" className="button">
              Apply
            </button>
          </form>
        )}
      </div>
    </FieldProblemsContext.Provider>
  );
}
