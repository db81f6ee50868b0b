import { useId } from 'react';
import { FieldError } from '../ui/field-error.js';
import { useInvalidProps } from '../ui/field-problems.js';
import { type AiConfigDraft, newStop, type StopDraft } from './ai-config-draft.js';
import { AI_CONFIG_LIMITS, NUMBER_PARAMS, type NumberParam } from './ai-config-rules.js';
import { NumberParamField } from './number-param-field.js';

const LABELS: Record<NumberParam, string> = {
  temperature: 'Temperature',
  topP: 'Top p',
  maxTokens: 'Max tokens',
  contextWindow: 'Context window (tokens)',
  presencePenalty: 'Presence penalty',
  frequencyPenalty: 'Frequency penalty',
  seed: 'Seed',
};

function StopRow({
  stop,
  index,
  path,
  onChange,
  onRemove,
}: {
  stop: StopDraft;
  index: number;
  path: string;
  onChange: (s: StopDraft) => void;
  onRemove: () => void;
}) {
  const id = useId();
  const at = `${path}.${index}`;
  const invalid = useInvalidProps(at);
  return (
    <li className="ai-stop">
      <label htmlFor={id} className="visually-hidden">
        Stop sequence {index + 1}
      </label>
      <input
        id={id}
        className="mono"
        value={stop.text}
        onChange={(e) => onChange({ ...stop, text: e.target.value })}
        {...invalid}
      />
      <button type="button" className="button button-small button-quiet" onClick={onRemove}>
        Remove stop sequence {index + 1}
      </button>
      <FieldError path={at} />
    </li>
  );
}

/** Sampling and length parameters, each empty when not set, and the stop sequences. */
export function ParamsFields({
  draft,
  path,
  onChange,
}: {
  draft: Pick<AiConfigDraft, 'params' | 'stop'>;
  path: string;
  onChange: (next: Pick<AiConfigDraft, 'params' | 'stop'>) => void;
}) {
  const stops = draft.stop ?? [];
  const setStops = (next: StopDraft[]) => onChange({ ...draft, stop: next.length === 0 ? null : next });
  return (
    <div>
      <div className="form-grid ai-params">
        {(Object.keys(NUMBER_PARAMS) as NumberParam[]).map((name) => (
          <NumberParamField
            key={name}
            label={LABELS[name]}
            bounds={NUMBER_PARAMS[name]}
            value={draft.params[name]}
            path={`${path}.${name}`}
            onChange={(text) => onChange({ ...draft, params: { ...draft.params, [name]: text } })}
          />
        ))}
      </div>
      <div className="field">
        <span className="label">Stop sequences</span>
        <p className="hint">
          Up to {AI_CONFIG_LIMITS.stopSequences}; write a line break as \n, a tab as \t and a backslash as \\.
        </p>
        {stops.length > 0 && (
          <ol className="ai-list">
            {stops.map((s, i) => (
              <StopRow
                key={s.uid}
                stop={s}
                index={i}
                path={`${path}.stop`}
                onChange={(next) => setStops(stops.map((x, j) => (j === i ? next : x)))}
                onRemove={() => setStops(stops.filter((_, j) => j !== i))}
              />
            ))}
          </ol>
        )}
        <FieldError path={`${path}.stop`} exact />
        <div>
          <button
            type="button"
            className="button button-small"
            onClick={() => setStops([...stops, newStop()])}
          >
            Add stop sequence
          </button>
        </div>
      </div>
      <FieldError path={path} exact />
    </div>
  );
}
