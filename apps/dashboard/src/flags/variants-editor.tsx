import type { FlagKind } from '@switchboard/core';
import { FieldError } from '../ui/field-error.js';
import { newVariantDraft, type VariantDraft } from './variant-drafts.js';
import { VariantRow } from './variant-row.js';

interface Props {
  kind: FlagKind;
  variants: VariantDraft[];
  onChange: (variants: VariantDraft[]) => void;
}

/** A flag's variants: key, optional name, and a value of the flag's kind. */
export function VariantsEditor({ kind, variants, onChange }: Props) {
  return (
    <div className="variants">
      {variants.map((variant, i) => (
        <VariantRow
          key={variant.uid}
          kind={kind}
          variant={variant}
          index={i}
          onChange={(v) => onChange(variants.map((x, j) => (j === i ? v : x)))}
          onRemove={variants.length > 1 ? () => onChange(variants.filter((_, j) => j !== i)) : undefined}
        />
      ))}
      <FieldError path="body.variants" exact />
      <button
        type="button"
        className="button"
        onClick={() => onChange([...variants, newVariantDraft(kind, variants.length)])}
      >
        Add variant
      </button>
    </div>
  );
}
