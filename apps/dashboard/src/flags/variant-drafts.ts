import type { FlagKind, Variant } from '@switchboard/core';
import { type AiEditorState, aiEditorOf, aiValueOf, newAiConfigText } from '../ai-config/ai-editor-state.js';
import type { FieldProblem } from '../model/field-errors.js';
import { defaultValueText, parseValue, valueText } from '../model/variant-values.js';
import { newUid } from '../targeting/targeting-draft.js';

/** A variant as edited: its value as text until saved. */
export interface VariantDraft {
  uid: string;
  key: string;
  name: string;
  description: string;
  valueText: string;
  /** An AI config's editor (form or JSON); absent for other kinds. */
  ai?: AiEditorState;
}

/** A variant's value text, with the AI config editor when the kind has one. */
function valueDraft(kind: FlagKind, text: string): Pick<VariantDraft, 'valueText' | 'ai'> {
  if (kind !== 'ai-config') return { valueText: text };
  const editor = aiEditorOf(text);
  return { valueText: editor.text, ai: editor.state };
}

function defaultValue(kind: FlagKind, index: number): Pick<VariantDraft, 'valueText' | 'ai'> {
  return valueDraft(kind, kind === 'ai-config' ? newAiConfigText() : defaultValueText(kind, index));
}

export function variantDraftsOf(kind: FlagKind, variants: readonly Variant[]): VariantDraft[] {
  return variants.map((v) => ({
    uid: newUid(),
    key: v.key,
    name: v.name ?? '',
    description: v.description ?? '',
    ...valueDraft(kind, valueText(kind, v.value)),
  }));
}

/** The variants a new flag of this kind starts with. */
export function defaultVariantDrafts(kind: FlagKind): VariantDraft[] {
  const keys = kind === 'boolean' ? ['on', 'off'] : ['control', 'treatment'];
  return keys.map((key, i) => ({
    uid: newUid(),
    key,
    name: '',
    description: '',
    ...defaultValue(kind, i),
  }));
}

export function newVariantDraft(kind: FlagKind, index: number): VariantDraft {
  return {
    uid: newUid(),
    key: `variant-${index + 1}`,
    name: '',
    description: '',
    ...defaultValue(kind, index),
  };
}

/** The variants the drafts make, with problems named like the server's (`body.variants.1.value`). */
export function variantsOf(
  kind: FlagKind,
  drafts: readonly VariantDraft[],
): { variants: Variant[]; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  const variants = drafts.map((d, i) => {
    const at = `body.variants.${i}`;
    const key = d.key.trim();
    if (key === '') problems.push({ field: `${at}.key`, message: 'a variant needs a key' });
    else if (seen.has(key))
      problems.push({ field: `${at}.key`, message: `duplicate variant key ${JSON.stringify(key)}` });
    seen.add(key);
    let value: Variant['value'] | null;
    if (d.ai === undefined) {
      const parsed = parseValue(kind, d.valueText);
      if (parsed.problem !== undefined) problems.push({ field: `${at}.value`, message: parsed.problem });
      value = parsed.value ?? null;
    } else {
      const parsed = aiValueOf(d.ai, d.valueText, `${at}.value`);
      problems.push(...parsed.problems);
      value = parsed.value;
    }
    return {
      key,
      value,
      ...(d.name.trim() === '' ? {} : { name: d.name.trim() }),
      ...(d.description.trim() === '' ? {} : { description: d.description.trim() }),
    };
  });
  return { variants, problems };
}
