import { useCallback } from 'react';
import type { SegmentView } from '../api/api-types.js';
import { useRouter } from '../routing/router.js';
import { paths } from '../routing/routes.js';
import { useProject } from '../session/project-context.js';
import { useApi } from '../session/session-context.js';
import { ClauseEditor } from '../targeting/clause-editor.js';
import { newClause } from '../targeting/targeting-draft.js';
import { ConfirmDialog } from '../ui/confirm-dialog.js';
import { ErrorBanner } from '../ui/error-banner.js';
import { FieldProblemsContext } from '../ui/field-problems.js';
import { SaveBar } from '../ui/save-bar.js';
import { TextField } from '../ui/text-field.js';
import { useDraft } from '../ui/use-draft.js';
import { useRecordForm } from '../ui/use-record-form.js';
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
  const { draft } = edit;
  const set = (patch: Partial<SegmentDraft>) => edit.setDraft({ ...draft, ...patch });
  const form = useRecordForm({
    edit,
    path: stored === undefined ? undefined : `/api/v1/segments/${encodeURIComponent(stored.key)}`,
    bodyOf: segmentBodyOf,
    create: async (body) => {
      const created = await api.post<SegmentView>(
        '/api/v1/segments',
        { key: draft.key.trim(), ...body },
        { query: { project } },
      );
      navigate(paths.segment(created.key));
    },
    onSaved,
    onReload,
    afterDelete: paths.segments,
    query: { project },
    versionedDelete: true,
  });

  return (
    <FieldProblemsContext.Provider value={form.problems}>
      <form className="form" onSubmit={form.save} noValidate>
        {!form.deleting && <ErrorBanner error={form.error} onReload={form.reload} />}
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
          busy={form.busy}
          onDelete={form.askDelete}
        />
      </form>
      {form.deleting && stored !== undefined && (
        <ConfirmDialog
          title={`Delete segment ${stored.key}?`}
          confirmLabel="Delete"
          danger
          busy={form.busy}
          error={form.error}
          onConfirm={form.remove}
          onReload={form.reload}
          onClose={form.closeDelete}
        >
          <p>Rules cannot use it once deleted. The server refuses while a flag or another segment uses it.</p>
        </ConfirmDialog>
      )}
    </FieldProblemsContext.Provider>
  );
}
