import { type FormEvent, useCallback, useState } from 'react';
import type { FlagView } from '../api/api-types.js';
import type { FieldProblem } from '../model/field-errors.js';
import { useRouter } from '../routing/router.js';
import { paths } from '../routing/routes.js';
import { useProject } from '../session/project-context.js';
import { useApi } from '../session/session-context.js';
import { ConfirmDialog } from '../ui/confirm-dialog.js';
import { ErrorBanner } from '../ui/error-banner.js';
import { FieldProblemsContext, problemsOf } from '../ui/field-problems.js';
import { useDraft } from '../ui/use-draft.js';
import { type AlertDraft, alertBodyOf, alertDraftOf, sameAlertDraft } from './alert-draft.js';
import { AlertFields } from './alert-fields.js';
import type { AlertView } from './alert-types.js';

/** The form of one alert rule: create one on a flag in an environment, or edit and delete a stored one. */
export function AlertForm({
  stored,
  start,
  flags,
  onSaved,
  onReload,
}: {
  stored: AlertView | undefined;
  /** The flag and environment a new rule starts on (from the address). */
  start: { flag?: string; environment?: string };
  flags: FlagView[];
  onSaved: (saved: AlertView) => void;
  onReload: () => void;
}) {
  const api = useApi();
  const { project } = useProject();
  const { navigate } = useRouter();
  const toDraft = useCallback((rule: AlertView | undefined) => alertDraftOf(rule, start), [start]);
  const edit = useDraft(stored, stored?.version ?? 0, toDraft, sameAlertDraft);
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const { draft } = edit;
  const set = (patch: Partial<AlertDraft>) => edit.setDraft({ ...draft, ...patch });
  const path = stored === undefined ? '' : `/api/v1/alerts/${encodeURIComponent(stored.id)}`;

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const { body, problems: found } = alertBodyOf(draft);
    setProblems(found);
    setError(undefined);
    if (found.length > 0) return;
    setBusy(true);
    try {
      if (stored === undefined) {
        const created = await api.post<AlertView>(
          `/api/v1/flags/${encodeURIComponent(draft.flag)}/environments/${encodeURIComponent(draft.environment)}/alerts`,
          body,
          { query: { project } },
        );
        navigate(paths.alert(created.id));
        return;
      }
      const saved = await api.patch<AlertView>(path, { ...body, version: edit.baseVersion });
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
    setBusy(true);
    setError(undefined);
    try {
      await api.delete(path);
      navigate(paths.alerts);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  const reload = () => {
    setError(undefined);
    setProblems([]);
    edit.discard();
    onReload();
  };

  return (
    <FieldProblemsContext.Provider value={problems}>
      <form className="form card" onSubmit={save} noValidate aria-label="Alert rule">
        {!deleting && <ErrorBanner error={error} onReload={reload} />}
        <AlertFields draft={draft} onChange={set} flags={flags} creating={stored === undefined} />
        <div className={edit.dirty ? 'save-bar is-dirty' : 'save-bar'}>
          {stored !== undefined && (
            <button
              type="button"
              className="button button-quiet danger-text"
              onClick={() => setDeleting(true)}
            >
              Delete rule
            </button>
          )}
          <button
            type="submit"
            className="button button-primary"
            disabled={busy || (stored !== undefined && !edit.dirty)}
          >
            {stored === undefined ? 'Create alert rule' : 'Save alert rule'}
          </button>
        </div>
      </form>
      {deleting && stored !== undefined && (
        <ConfirmDialog
          title={`Delete alert rule ${stored.name}?`}
          confirmLabel="Delete"
          danger
          busy={busy}
          error={error}
          onConfirm={remove}
          onClose={() => {
            setDeleting(false);
            setError(undefined);
          }}
        >
          <p>
            Its history goes with it.{' '}
            {stored.state === 'firing' && 'It is firing: webhooks hear it resolved.'}
          </p>
        </ConfirmDialog>
      )}
    </FieldProblemsContext.Provider>
  );
}
