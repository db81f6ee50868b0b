import { type FormEvent, type ReactNode, useState } from 'react';
import type { FieldProblem } from '../model/field-errors.js';
import { useApi } from '../session/session-context.js';
import { Dialog } from '../ui/dialog.js';
import { FieldProblemsContext, problemsOf } from '../ui/field-problems.js';
import { TextField } from '../ui/text-field.js';
import { ActionError } from './action-error.js';
import { allowedActions, stageLabel } from './rollout-model.js';
import type { PlanView } from './rollout-types.js';

type Action = 'pause' | 'resume' | 'advance' | 'rollback';

interface Props {
  plan: PlanView;
  /** An action went through: the plan as the server answered it. */
  onChanged: (plan: PlanView) => void;
  /** Read the plan again (after a refusal because it moved on). */
  onReload: () => void;
}

/** A confirmation with the action's error in place; Cancel is focused first. */
function ActionDialog({
  title,
  confirmLabel,
  danger,
  busy,
  error,
  onConfirm,
  onClose,
  onReload,
  children,
}: {
  title: string;
  confirmLabel: string;
  danger?: boolean;
  busy: boolean;
  error: unknown;
  onConfirm: (event: FormEvent) => void;
  onClose: () => void;
  onReload: () => void;
  children: ReactNode;
}) {
  return (
    <Dialog title={title} onClose={onClose} className={danger ? 'dialog-danger' : undefined}>
      <form onSubmit={onConfirm} noValidate>
        <div className="dialog-body">{children}</div>
        <ActionError error={error} onReload={onReload} />
        <div className="dialog-actions">
          {/* biome-ignore lint/a11y/noAutofocus: the safe choice takes focus when the dialog opens. */}
          <button type="button" className="button" onClick={onClose} autoFocus>
            Cancel
          </button>
          <button
            type="submit"
            className={danger ? 'button button-danger' : 'button button-primary'}
            disabled={busy}
          >
            {busy ? 'Working…' : confirmLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/**
 * The manual controls of a live plan: pause or resume, advance to the next stage (confirmed), and a
 * large Roll back that asks for a reason before serving the control to everyone. Controls the plan's
 * state forbids are not offered; a finished plan shows none.
 */
export function RolloutControls({ plan, onChanged, onReload }: Props) {
  const api = useApi();
  const [dialog, setDialog] = useState<'advance' | 'rollback'>();
  const [busy, setBusy] = useState<Action>();
  const [error, setError] = useState<unknown>();
  const [reason, setReason] = useState('');
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const allowed = allowedActions(plan);
  const next = plan.stages[plan.stageIndex + 1];

  const run = async (action: Action, body: { reason?: string } = {}) => {
    setBusy(action);
    setError(undefined);
    setProblems([]);
    try {
      const changed = await api.post<PlanView>(
        `/api/v1/rollouts/${encodeURIComponent(plan.id)}/${action}`,
        body,
      );
      setDialog(undefined);
      setReason('');
      onChanged(changed);
    } catch (e) {
      setError(e);
      setProblems(problemsOf(e));
    } finally {
      setBusy(undefined);
    }
  };
  const open = (which: 'advance' | 'rollback') => {
    setError(undefined);
    setProblems([]);
    setDialog(which);
  };
  const close = () => {
    setDialog(undefined);
    setError(undefined);
    setProblems([]);
  };
  const reload = () => {
    close();
    onReload();
  };

  if (!allowed.rollBack) return null;
  return (
    <section className="rollout-controls" aria-label="Rollout controls" data-testid="rollout-controls">
      <div className="rollout-controls-row">
        {allowed.pause && (
          <button type="button" className="button" onClick={() => run('pause')} disabled={busy !== undefined}>
            {busy === 'pause' ? 'Pausing…' : 'Pause'}
          </button>
        )}
        {allowed.resume && (
          <button
            type="button"
            className="button button-primary"
            onClick={() => run('resume')}
            disabled={busy !== undefined}
          >
            {busy === 'resume' ? 'Resuming…' : 'Resume'}
          </button>
        )}
        {allowed.advance && next !== undefined && (
          <button
            type="button"
            className="button"
            onClick={() => open('advance')}
            disabled={busy !== undefined}
          >
            Advance to {stageLabel(next)}
          </button>
        )}
        <button
          type="button"
          className="kill-button kill-button-off rollback-button"
          onClick={() => open('rollback')}
          disabled={busy !== undefined}
        >
          Roll back: serve {plan.control} to everyone
        </button>
      </div>
      {dialog === undefined && <ActionError error={error} onReload={reload} />}
      {dialog === 'advance' && next !== undefined && (
        <ActionDialog
          title={`Advance ${plan.flag} to ${stageLabel(next)}?`}
          confirmLabel={`Advance to ${stageLabel(next)}`}
          busy={busy === 'advance'}
          error={error}
          onConfirm={(event) => {
            event.preventDefault();
            void run('advance');
          }}
          onClose={close}
          onReload={reload}
        >
          <p>
            <strong>{plan.candidate}</strong> goes from {plan.stage === null ? '—' : stageLabel(plan.stage)}{' '}
            to <strong>{stageLabel(next)}</strong> in {plan.environment} now, whatever the verdict on this
            stage. The next stage starts over its minimum duration and sample.
          </p>
        </ActionDialog>
      )}
      {dialog === 'rollback' && (
        <FieldProblemsContext.Provider value={problems}>
          <ActionDialog
            title={`Roll back ${plan.flag} in ${plan.environment}?`}
            confirmLabel="Roll back now"
            danger
            busy={busy === 'rollback'}
            error={problems.length > 0 ? undefined : error}
            onConfirm={(event) => {
              event.preventDefault();
              const why = reason.trim();
              if (why === '') {
                setProblems([
                  {
                    field: 'body.reason',
                    message: 'say why: it is recorded in the timeline and the audit log',
                  },
                ]);
                return;
              }
              void run('rollback', { reason: why });
            }}
            onClose={close}
            onReload={reload}
          >
            <p>
              Every SDK connected to <strong>{plan.environment}</strong> serves{' '}
              <strong>{plan.control}</strong> to everyone, and drains the generations of{' '}
              <strong>{plan.candidate}</strong> still in flight. The plan ends: a new rollout starts from its
              first stage.
            </p>
            <TextField
              label="Reason"
              path="body.reason"
              value={reason}
              onChange={(value) => {
                setReason(value);
                setProblems([]);
              }}
              rows={3}
            />
          </ActionDialog>
        </FieldProblemsContext.Provider>
      )}
    </section>
  );
}
