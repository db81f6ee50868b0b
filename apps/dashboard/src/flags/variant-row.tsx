import type { FlagKind } from '@switchboard/core';
import { useId } from 'react';
import { AiConfigEditor } from '../ai-config/ai-config-editor.js';
import { FieldError } from '../ui/field-error.js';
import { useInvalidProps } from '../ui/field-problems.js';
import type { VariantDraft } from './variant-drafts.js';
import { VariantValueInput } from './variant-value-input.js';

/** One variant: key, optional name, and its value. */
export function VariantRow({
  kind,
  variant,
  index,
  onChange,
  onRemove,
}: {
  kind: FlagKind;
  variant: VariantDraft;
  index: number;
  onChange: (v: VariantDraft) => void;
  onRemove: (() => void) | undefined;
}) {
  const id = useId();
  const at = `body.variants.${index}`;
  const keyInvalid = useInvalidProps(`${at}.key`);
  return (
    <fieldset className="variant-row" data-variant-index={index}>
      <legend>Variant {index + 1}</legend>
      <div className="field">
        <label htmlFor={`${id}-key`}>Key</label>
        <input
          id={`${id}-key`}
          className="mono"
          value={variant.key}
          onChange={(e) => onChange({ ...variant, key: e.target.value })}
          {...keyInvalid}
        />
        <FieldError path={`${at}.key`} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-name`}>Name (optional)</label>
        <input
          id={`${id}-name`}
          value={variant.name}
          onChange={(e) => onChange({ ...variant, name: e.target.value })}
        />
      </div>
      {variant.ai === undefined ? (
        <div className="field field-wide">
          <label htmlFor={`${id}-value`}>Value</label>
          <VariantValueInput
            id={`${id}-value`}
            kind={kind}
            value={variant.valueText}
            onChange={(valueText) => onChange({ ...variant, valueText })}
            path={`${at}.value`}
          />
          <FieldError path={`${at}.value`} />
        </div>
      ) : (
        <div className="field field-wide">
          <span className="label">Value</span>
          <AiConfigEditor
            state={variant.ai}
            text={variant.valueText}
            path={`${at}.value`}
            onChange={(ai, valueText) => onChange({ ...variant, ai, valueText })}
          />
        </div>
      )}
      {onRemove !== undefined && (
        <button type="button" className="button button-quiet" onClick={onRemove}>
          Remove variant {index + 1}
        </button>
      )}
    </fieldset>
  );
}
