import { useId } from 'react';
import { percentOf, setWeight, WEIGHT_TOTAL } from '../model/weights.js';
import type { ServeDraft } from './targeting-draft.js';

interface Props {
  serve: ServeDraft;
  variants: string[];
  label: string;
  onChange: (serve: ServeDraft) => void;
}

/** Slider steps: 0.1% (finer shares are typed as a percentage). */
const SLIDER_STEP = 100;

/**
 * A split's shares: a slider and a percentage per variant. Moving one rebalances the others, so the
 * total is always 100%. The first entry is the one a ramp raises.
 */
export function SplitEditor({ serve, variants, label, onChange }: Props) {
  const id = useId();
  const split = serve.split;
  const missing = variants.filter((v) => !split.some((e) => e.variant === v));
  const setSplit = (next: ServeDraft['split']) => onChange({ ...serve, split: next });
  return (
    <div className="split">
      <div className="split-bar" aria-hidden="true">
        {split.map((entry, i) => (
          <span
            key={entry.variant}
            className={`split-bar-part tone-${i % 6}`}
            style={{ width: `${(entry.weight / WEIGHT_TOTAL) * 100}%` }}
          />
        ))}
      </div>
      {split.map((entry, i) => (
        <div key={entry.variant} className="split-row">
          <label htmlFor={`${id}-${i}-range`} className="split-variant">
            <span className={`swatch tone-${i % 6}`} aria-hidden="true" />
            <span className="mono">{entry.variant}</span>
          </label>
          <input
            id={`${id}-${i}-range`}
            type="range"
            min={0}
            max={WEIGHT_TOTAL}
            step={SLIDER_STEP}
            value={entry.weight}
            aria-valuetext={percentOf(entry.weight)}
            onChange={(e) => setSplit(setWeight(split, i, Number(e.target.value)))}
          />
          <input
            type="number"
            className="split-percent"
            aria-label={`${label}: ${entry.variant} percentage`}
            min={0}
            max={100}
            step={0.001}
            value={entry.weight / 1000}
            onChange={(e) => {
              const percent = e.target.valueAsNumber;
              if (Number.isFinite(percent)) setSplit(setWeight(split, i, Math.round(percent * 1000)));
            }}
          />
          <output className="split-result" htmlFor={`${id}-${i}-range`} data-variant={entry.variant}>
            {percentOf(entry.weight)}
          </output>
          {split.length > 1 && (
            <button
              type="button"
              className="button button-small button-quiet"
              aria-label={`Remove ${entry.variant} from the split`}
              onClick={() => {
                // Its share goes to the others, in proportion, before it leaves.
                const rebalanced = setWeight(split, i, 0).filter((_, j) => j !== i);
                setSplit(rebalanced);
              }}
            >
              Remove
            </button>
          )}
        </div>
      ))}
      {missing.length > 0 && (
        <div className="field field-inline">
          <label htmlFor={`${id}-add`}>Add to split</label>
          <select
            id={`${id}-add`}
            value=""
            onChange={(e) =>
              e.target.value !== '' && setSplit([...split, { variant: e.target.value, weight: 0 }])
            }
          >
            <option value="">Choose a variant…</option>
            {missing.map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </div>
      )}
      <div className="field field-inline">
        <label htmlFor={`${id}-bucket`}>Bucket by attribute</label>
        <input
          id={`${id}-bucket`}
          className="mono"
          placeholder="targetingKey"
          value={serve.bucketBy}
          onChange={(e) => onChange({ ...serve, bucketBy: e.target.value })}
        />
      </div>
    </div>
  );
}
