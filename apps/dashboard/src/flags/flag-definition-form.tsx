import { type FormEvent, useCallback, useState } from 'react';
import type { FlagView } from '../api/api-types.js';
import type { FieldProblem } from '../model/field-errors.js';
import { useProject } from '../session/project-context.js';
import { useApi } from '../session/session-context.js';
import { ErrorBanner } from '../ui/error-banner.js';
import { FieldProblemsContext, problemsOf } from '../ui/field-problems.js';
import { wordsOf } from '../ui/format.js';
import { useDraft } from '../ui/use-draft.js';
import { FlagFields, type FlagFieldValues } from './flag-fields.js';
import { CHANGE_TYPES } from './flag-kinds.js';
import { type VariantDraft, variantDraftsOf, variantsOf } from './variant-drafts.js';
import { VariantsEditor } from './variants-editor.js';

interface Definition {
  fields: FlagFieldValues;
  variants: VariantDraft[];
}

interface Props {
  flag: FlagView;
  onSaved: (flag: FlagView) => void;
  onReload: () => void;
}

// Row ids, and which view an AI config is shown in, are not edits.
const NOT_EDITS = new Set(['uid', 'view', 'notice']);
const sameDefinition = (a: Definition, b: Definition) =>
  JSON.stringify(a, (key, value) => (NOT_EDITS.has(key) ? undefined : value)) ===
  JSON.stringify(b, (key, value) => (NOT_EDITS.has(key) ? undefined : value));

/** A flag's name, description, tags, change type and variants (shared by every environment). */
export function FlagDefinitionForm({ flag, onSaved, onReload }: Props) {
  const api = useApi();
  const { project } = useProject();
  const toDraft = useCallback(
    (f: FlagView): Definition => ({
      fields: { name: f.name, description: f.description, tags: f.tags.join(', '), changeType: f.changeType },
      variants: variantDraftsOf(f.kind, f.variants),
    }),
    [],
  );
  const definition = useDraft(flag, flag.version, toDraft, sameDefinition);
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const { draft } = definition;

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const parsed = variantsOf(flag.kind, draft.variants);
    setProblems(parsed.problems);
    setError(undefined);
    if (parsed.problems.length > 0) return;
    setBusy(true);
    try {
      const saved = await api.patch<FlagView>(
        `/api/v1/flags/${encodeURIComponent(flag.key)}`,
        {
          name: draft.fields.name.trim(),
          description: draft.fields.description.trim(),
          tags: wordsOf(draft.fields.tags),
          changeType: draft.fields.changeType,
          variants: parsed.variants,
          version: definition.baseVersion,
        },
        { query: { project } },
      );
      definition.commit(saved, saved.version);
      onSaved(saved);
    } catch (e) {
      setProblems(problemsOf(e));
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <FieldProblemsContext.Provider value={problems}>
      <form className="card definition" onSubmit={save} noValidate aria-labelledby="definition-title">
        <h2 id="definition-title">Definition</h2>
        <p className="hint">Shared by every environment. Editing variants never re-buckets anyone.</p>
        <div className="form-grid">
          <FlagFields
            values={draft.fields}
            onChange={(fields) => definition.setDraft({ ...draft, fields })}
            changeTypes={CHANGE_TYPES}
          />
        </div>
        <h3>Variants</h3>
        <VariantsEditor
          kind={flag.kind}
          variants={draft.variants}
          onChange={(variants) => definition.setDraft({ ...draft, variants })}
        />
        <ErrorBanner
          error={error}
          onReload={() => {
            setError(undefined);
            setProblems([]);
            definition.discard();
            onReload();
          }}
        />
        <div className={definition.dirty ? 'save-bar is-dirty' : 'save-bar'}>
          <span className="muted">
            {definition.dirty ? 'Unsaved changes' : `Saved · version ${flag.version}`}
          </span>
          <button
            type="button"
            className="button button-quiet"
            disabled={!definition.dirty || busy}
            onClick={() => {
              setProblems([]);
              setError(undefined);
              definition.discard();
            }}
          >
            Discard
          </button>
          <button type="submit" className="button button-primary" disabled={!definition.dirty || busy}>
            {busy ? 'Saving…' : 'Save definition'}
          </button>
        </div>
      </form>
    </FieldProblemsContext.Provider>
  );
}
