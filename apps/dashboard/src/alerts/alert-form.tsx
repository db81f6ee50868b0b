import { useCallback } from 'react';
import type { FlagView } from '../api/api-types.js';
import { useRouter } from '../routing/router.js';
import { paths } from '../routing/routes.js';
import { useProject } from '../session/project-context.js';
import { useApi } from '../session/session-context.js';
import { ConfirmDialog } from '../ui/confirm-dialog.js';
import { ErrorBanner } from '../ui/error-banner.js';
import { FieldProblemsContext } from '../ui/field-problems.js';
import { SaveBar } from '../ui/save-bar.js';
import { useDraft } from '../ui/use-draft.js';
import { useRecordForm } from '../ui/use-record-form.js';
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
  const { draft } = edit;
  const set = (patch: Partial<AlertDraft>) => edit.setDraft({ ...draft, ...patch });
  const form = useRecordForm({
    edit,
    path: stored === undefined ? undefined : `/api/v1/alerts/${encodeURIComponent(stored.id)}`,
    bodyOf: alertBodyOf,
    create: async (body) => {
      const created = await api.post<AlertView>(
        `/api/v1/flags/${encodeURIComponent(draft.flag)}/environments/${encodeURIComponent(draft.environment)}/alerts`,
        body,
        { query: { project } },
      );
      navigate(paths.alert(created.id));
    },
    onSaved,
    onReload,
    afterDelete: paths.alerts,
  });

  return (
    <FieldProblemsContext.Provider value={form.problems}>
      <form className="form card" onSubmit={form.save} noValidate aria-label="Alert rule">
        {!form.deleting && <ErrorBanner error={form.error} onReload={form.reload} />}
        <AlertFields draft={draft} onChange={set} flags={flags} creating={stored === undefined} />
        <SaveBar
          noun="alert rule"
          deleteNoun="rule"
          creating={stored === undefined}
          dirty={edit.dirty}
          busy={form.busy}
          onDelete={form.askDelete}
        />
      </form>
      {form.deleting && stored !== undefined && (
        <ConfirmDialog
          title={`Delete alert rule ${stored.name}?`}
          confirmLabel="Delete"
          danger
          busy={form.busy}
          error={form.error}
          onConfirm={form.remove}
          onClose={form.closeDelete}
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
