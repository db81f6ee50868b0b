import { type FormEvent, useCallback, useState } from 'react';
import type { SegmentView } from '../api/api-types.js';
import type { FieldProblem } from '../model/field-errors.js';
import { useRouter } from '../routing/router.js';
import { paths } from '../routing/routes.js';
import { useProject } from '../session/project-context.js';
import { useApi } from '../session/session-context.js';
import { ClauseEditor } from '../targeting/clause-editor.js';
import { newClause } from '../targeting/targeting-draft.js';
import { ConfirmDialog } from '../ui/confirm-dialog.js';
import { ErrorBanner } from '../ui/error-banner.js';
import { FieldProblemsContext, problemsOf } from '../ui/field-problems.js';
import { SaveBar } from '../ui/save-bar.js';
import { TextField } from '../ui/text-field.js';
import { useDraft } from '../ui/use-draft.js';
import { type SegmentDraft, sameSegmentDraft, segmentBodyOf, segmentDraftOf } from './segment-draft.js';

/** The form of one segment, new or stored. */
export function SegmentForm({
  stored,
  segments,
  onSaved,
  onReload,
}: {
  stored: SegmentView | undefined;
  segments: string[];
  onSaved: (s: SegmentView) => void;
  onReload: () => void;
}) {
  const api = useApi();
  const { project } = useProject();
  const { navigate } = useRouter();
  const toDraft = useCallback((s: SegmentView | undefined) => segmentDraftOf(s), []);
  const edit = useDraft(stored, stored?.version ?? 0, toDraft, sameSegmentDraft);
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const { draft } = edit;
  const set = (patch: Partial<SegmentDraft>) => edit.setDraft({ ...draft, ...patch });
  const path = stored === undefined ? '' : `/api/v1/segments/${encodeURIComponent(stored.key)}`;

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const { body, problems: found } = segmentBodyOf(draft);
    setProblems(found);
    setError(undefined);
    if (found.length > 0) return;
    setBusy(true);
    try {
      if (stored === undefined) {
        const created = await api.post<SegmentView>(
          '/api/v1/segments',
          { key: draft.key.trim(), ...body },
          { query: { project } },
        );
        navigate(paths.segment(created.key));
        return;
      }
      const saved = await api.patch<SegmentView>(
        path,
        { ...body, version: edit.baseVersion },
        { query: { project } },
      );
      edit.commit(saved, saved.version);
      onSaved(saved);
    } catch (e) {
      setProblems(problemsOf(e));
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (stored === undefined) return;
    setBusy(true);
    setError(undefined);
    try {
      await api.delete(path, { version: stored.version }, { query: { project } });
      navigate(paths.segments);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  const reload = () => {
    setError(undefined);
    setProblems([]);
    setDeleting(false);
    edit.discard();
    onReload();
  };

  return (
    <FieldProblemsContext.Provider value={problems}>
      <form className="form" onSubmit={save} noValidate>
        {!deleting && <ErrorBanner error={error} onReload={reload} />}
        <div className="form-grid">
          {stored === undefined && (
            <TextField label="Key" path="body.key" value={draft.key} onChange={(key) => set({ key })} mono />
          )}
          <TextField label="Name" path="body.name" value={draft.name} onChange={(name) => set({ name })} />
          <TextField
            label="Description"
            path="body.description"
            value={draft.description}
            onChange={(description) => set({ description })}
            rows={2}
          />
          <TextField
            label="Always included unit ids"
            path="body.included"
            value={draft.included}
            onChange={(included) => set({ included })}
            rows={4}
            mono
            hint="One per line (targetingKey, else userId)."
          />
          <TextField
            label="Always excluded unit ids"
            path="body.excluded"
            value={draft.excluded}
            onChange={(excluded) => set({ excluded })}
            rows={4}
            mono
            hint="Exclusion wins over inclusion and conditions."
          />
        </div>
        <h2>Conditions</h2>
        <p className="hint">Units matching all of them are in the segment (besides those included).</p>
        {draft.clauses.map((clause, i) => (
          <ClauseEditor
            key={clause.uid}
            clause={clause}
            path={`body.clauses.${i}`}
            label={`Condition ${i + 1}`}
            segments={segments.filter((s) => s !== stored?.key)}
            onChange={(c) => set({ clauses: draft.clauses.map((x, j) => (j === i ? c : x)) })}
            onRemove={() => set({ clauses: draft.clauses.filter((_, j) => j !== i) })}
          />
        ))}
        <button
          type="button"
          className="button button-small"
          onClick={() => set({ clauses: [...draft.clauses, newClause()] })}
        >
          Add condition
        </button>
        <SaveBar
          noun="segment"
          creating={stored === undefined}
          dirty={edit.dirty}
          busy={busy}
          onDelete={() => setDeleting(true)}
        />
      </form>
      {deleting && stored !== undefined && (
        <ConfirmDialog
          title={`Delete segment ${stored.key}?`}
          confirmLabel="Delete"
          danger
          busy={busy}
          error={error}
          onConfirm={remove}
          onReload={reload}
          onClose={() => {
            setDeleting(false);
            setError(undefined);
          }}
        >
          <p>Rules cannot use it once deleted. The server refuses while a flag or another segment uses it.</p>
        </ConfirmDialog>
      )}
    </FieldProblemsContext.Provider>
  );
}
