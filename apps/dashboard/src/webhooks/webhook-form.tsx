import { useCallback } from 'react';
import { paths } from '../routing/routes.js';
import { useProject } from '../session/project-context.js';
import { useApi } from '../session/session-context.js';
import { ConfirmDialog } from '../ui/confirm-dialog.js';
import { ErrorBanner } from '../ui/error-banner.js';
import { FieldProblemsContext } from '../ui/field-problems.js';
import { SaveBar } from '../ui/save-bar.js';
import { useDraft } from '../ui/use-draft.js';
import { useRecordForm } from '../ui/use-record-form.js';
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
  const toDraft = useCallback((w: WebhookView | undefined) => webhookDraftOf(w), []);
  const edit = useDraft(stored, stored?.version ?? 0, toDraft, sameWebhookDraft);
  const { draft } = edit;
  const set = (patch: Partial<WebhookDraft>) => edit.setDraft({ ...draft, ...patch });
  const form = useRecordForm({
    edit,
    path: stored === undefined ? undefined : `/api/v1/webhooks/${encodeURIComponent(stored.id)}`,
    bodyOf: webhookBodyOf,
    create: async (body) => {
      onCreated(await api.post<WebhookWithSecret>('/api/v1/webhooks', body, { query: { project } }));
    },
    onSaved,
    onReload,
    afterDelete: paths.webhooks,
  });

  return (
    <FieldProblemsContext.Provider value={form.problems}>
      <form className="form card" onSubmit={form.save} noValidate aria-label="Webhook settings">
        {!form.deleting && <ErrorBanner error={form.error} onReload={form.reload} />}
        <WebhookFields draft={draft} onChange={set} />
        <SaveBar
          noun="webhook"
          creating={stored === undefined}
          dirty={edit.dirty}
          busy={form.busy}
          onDelete={form.askDelete}
        />
      </form>
      {form.deleting && stored !== undefined && (
        <ConfirmDialog
          title={`Delete webhook ${stored.name}?`}
          confirmLabel="Delete"
          danger
          busy={form.busy}
          error={form.error}
          onConfirm={form.remove}
          onClose={form.closeDelete}
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
