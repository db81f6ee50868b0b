import { FieldError } from '../ui/field-error.js';
import { newProviderModel, type ProviderModelDraft } from './ai-config-draft.js';
import { AI_CONFIG_LIMITS } from './ai-config-rules.js';
import { moved } from './list-moves.js';
import { MoveButtons } from './move-buttons.js';
import { ProviderModelFields } from './provider-model-fields.js';

/** The models tried in order when the primary one is rate limited or fails. */
export function FallbackChain({
  fallbacks,
  path,
  onChange,
}: {
  fallbacks: ProviderModelDraft[];
  path: string;
  onChange: (fallbacks: ProviderModelDraft[]) => void;
}) {
  return (
    <div>
      <p className="hint">
        Tried in this order on rate limits and errors (up to {AI_CONFIG_LIMITS.fallbacks}). Answers from a
        fallback count as the assigned variant&apos;s; the results show how often it happened.
      </p>
      {fallbacks.length === 0 ? (
        <p className="muted">No fallback: a failed call fails.</p>
      ) : (
        <ol className="ai-list">
          {fallbacks.map((f, i) => (
            <li key={f.uid} className="ai-item ai-fallback" data-fallback-index={i}>
              <ProviderModelFields
                label={`Fallback ${i + 1}`}
                provider={f.provider}
                model={f.model}
                path={`${path}.${i}`}
                onChange={(next) => onChange(fallbacks.map((x, j) => (j === i ? { ...x, ...next } : x)))}
              />
              <MoveButtons
                name={`fallback ${i + 1}`}
                index={i}
                count={fallbacks.length}
                onMove={(to) => onChange(moved(fallbacks, i, to))}
                onRemove={() => onChange(fallbacks.filter((_, j) => j !== i))}
              />
            </li>
          ))}
        </ol>
      )}
      <FieldError path={path} exact />
      <button
        type="button"
        className="button button-small"
        onClick={() => onChange([...fallbacks, newProviderModel()])}
      >
        Add fallback
      </button>
    </div>
  );
}
