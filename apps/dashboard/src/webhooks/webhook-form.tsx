import { type FormEvent, useCallback, useState } from 'react';
import type { FieldProblem } from '../model/field-errors.js';
import { useRouter } from '../routing/router.js';
import { paths } from '../routing/routes.js';
import { useProject } from '../session/project-context.js';
import { useApi } from '../session/session-context.js';
import { ConfirmDialog } from '../ui/confirm-dialog.js';
import { ErrorBanner } from '../ui/error-banner.js';
import { FieldProblemsContext, problemsOf } from '../ui/field-problems.js';
import { useDraft } from '../ui/use-draft.js';
import { sameWebhookDraft, type WebhookDraft, webhookBodyOf, webhookDraftOf } from './webhook-draft.js';
import { WebhookFields } from './webhook-fields.js';
import type { WebhookView, WebhookWithSecret } from './webhook-types.js';

/** The form of one webhook: create one (its secret goes to `onCreated`), or edit and delete a stored one. */
export function WebhookForm({
  stored,
  onCreated,
  onSaved,
  onReload,
}: {
  stored: WebhookView | undefined;
  onCreated: (created: WebhookWithSecret) => void;
  onSaved: (saved: WebhookView) => void;
  onReload: () => void;
}) {
  const api = useApi();
  const { project } = useProject();
  const { navigate } = useRouter();
  const toDraft = useCallback((w: WebhookView | undefined) => webhookDraftOf(w), []);
  const edit = useDraft(stored, stored?.version ?? 0, toDraft, sameWebhookDraft);
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const { draft } = edit;
  const set = (patch: Partial<WebhookDraft>) => edit.setDraft({ ...draft, ...patch });
  const path = stored === undefined ? '' : `/api/v1/webhooks/${encodeURIComponent(stored.id)}`;

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const { body, problems: found } = webhookBodyOf(draft);
    setProblems(found);
    setError(undefined);
    if (found.length > 0) return;
    setBusy(true);
    try {
      if (stored === undefined) {
        onCreated(await api.post<WebhookWithSecret>('/api/v1/webhooks', body, { query: { project } }));
        return;
      }
      const saved = await api.patch<WebhookView>(path, { ...body, version: edit.baseVersion });
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
      navigate(paths.webhooks);
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
      <form className="form card" onSubmit={save} noValidate aria-label="Webhook settings">
        {!deleting && <ErrorBanner error={error} onReload={reload} />}
        <WebhookFields draft={draft} onChange={set} />
        <div className={edit.dirty ? 'save-bar is-dirty' : 'save-bar'}>
          {stored !== undefined && (
            <button
              type="button"
              className="button button-quiet danger-text"
              onClick={() => setDeleting(true)}
            >
              Delete webhook
            </button>
          )}
          <button
            type="submit"
            className="button button-primary"
            disabled={busy || (stored !== undefined && !edit.dirty)}
          >
            {stored === undefined ? 'Create webhook' : 'Save webhook'}
          </button>
        </div>
      </form>
      {deleting && stored !== undefined && (
        <ConfirmDialog
          title={`Delete webhook ${stored.name}?`}
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
            Its delivery log goes with it, and deliveries not yet made are dropped.{' '}
            <span className="mono">{stored.url}</span> receives nothing more.
          </p>
        </ConfirmDialog>
      )}
    </FieldProblemsContext.Provider>
  );
}
