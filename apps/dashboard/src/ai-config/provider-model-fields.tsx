import { useId } from 'react';
import { FieldError } from '../ui/field-error.js';
import { useInvalidProps } from '../ui/field-problems.js';
import { isKnownProvider, KNOWN_PROVIDERS } from './known-providers.js';

const OTHER = '';

interface Props {
  /** Prefixes the labels ("Fallback 1 provider"); none for the config's own provider and model. */
  label?: string;
  provider: string;
  model: string;
  /** The field path of the object holding `provider` and `model`. */
  path: string;
  onChange: (next: { provider: string; model: string }) => void;
}

/**
 * A provider (one of the known ones, or the name of an OpenAI-compatible server) and a model. An
 * unknown name shows the free-text field.
 */
export function ProviderModelFields({ label, provider, model, path, onChange }: Props) {
  const id = useId();
  const known = isKnownProvider(provider);
  const prefix = label === undefined ? '' : `${label} `;
  const name = (word: string) => (label === undefined ? word : `${prefix}${word.toLowerCase()}`);
  const providerInvalid = useInvalidProps(`${path}.provider`);
  const modelInvalid = useInvalidProps(`${path}.model`);
  return (
    <>
      <div className="field">
        <label htmlFor={`${id}-provider`}>{name('Provider')}</label>
        <select
          id={`${id}-provider`}
          value={known ? provider : OTHER}
          onChange={(e) => onChange({ provider: e.target.value, model })}
          {...(known ? providerInvalid : {})}
        >
          {KNOWN_PROVIDERS.map((p) => (
            <option key={p.name} value={p.name}>
              {p.label}
            </option>
          ))}
          <option value={OTHER}>OpenAI-compatible…</option>
        </select>
        {!known && (
          <>
            <label htmlFor={`${id}-custom`} className="visually-hidden">
              {name('Provider name')}
            </label>
            <input
              id={`${id}-custom`}
              className="mono"
              placeholder="name from SWITCHBOARD_PROVIDERS"
              value={provider}
              onChange={(e) => onChange({ provider: e.target.value, model })}
              {...providerInvalid}
            />
          </>
        )}
        <FieldError path={`${path}.provider`} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-model`}>{name('Model')}</label>
        <input
          id={`${id}-model`}
          className="mono"
          placeholder="gpt-4o-mini"
          value={model}
          onChange={(e) => onChange({ provider, model: e.target.value })}
          {...modelInvalid}
        />
        <FieldError path={`${path}.model`} />
      </div>
    </>
  );
}
