import { type FormEvent, useId, useState } from 'react';
import type { EnvironmentConfig, FlagView, PolicyView } from '../api/api-types.js';
import type { FieldProblem } from '../model/field-errors.js';
import { formatCount } from '../results/results-format.js';
import { useProject } from '../session/project-context.js';
import { useApi } from '../session/session-context.js';
import { ConfirmDialog } from '../ui/confirm-dialog.js';
import { ErrorBanner } from '../ui/error-banner.js';
import { FieldError } from '../ui/field-error.js';
import { FieldProblemsContext, problemsOf } from '../ui/field-problems.js';
import { HelpTip } from '../ui/help-tip.js';
import { useResource } from '../ui/use-resource.js';
import { planPolicy } from './guardrails-panel.js';
import { CHANGE_TYPE_WORDS, type RolloutDraft, rolloutBodyOf, rolloutDraftOf } from './rollout-draft.js';
import { formatMinDuration, guardrailRows } from './rollout-format.js';
import { stageLabel } from './rollout-model.js';
import type { PlanView, PresetView } from './rollout-types.js';

interface Props {
  flag: FlagView;
  environment: string;
  config: EnvironmentConfig;
  presets: readonly PresetView[];
  policy: PolicyView | undefined;
  /** The plan the server started. */
  onCreated: (plan: PlanView) => void;
}

function VariantSelect({
  label,
  path,
  value,
  variants,
  onChange,
}: {
  label: string;
  path: string;
  value: string;
  variants: FlagView['variants'];
  onChange: (value: string) => void;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {variants.map((v) => (
          <option key={v.key} value={v.key}>
            {v.key}
            {v.name !== undefined && v.name !== '' && v.name !== v.key ? ` (${v.name})` : ''}
          </option>
        ))}
      </select>
      <FieldError path={path} />
    </div>
  );
}

/**
 * Starts a rollout of the flag in one environment from a preset by change type: the candidate and the
 * control chosen from the flag's variants, the preset's stages (share, minimum duration and sample)
 * and the guardrails they are judged by shown before a confirmation.
 */
function CreateForm({ flag, environment, config, presets, policy, onCreated }: Props) {
  const api = useApi();
  const { project } = useProject();
  const id = useId();
  const [draft, setDraft] = useState<RolloutDraft>(() => rolloutDraftOf(flag, config, presets));
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const preset = presets.find((p) => p.changeType === draft.preset);
  const first = preset?.stages[0];
  const rows = policy === undefined ? [] : guardrailRows(planPolicy(policy, null), undefined);

  const review = (event: FormEvent) => {
    event.preventDefault();
    const found: FieldProblem[] = [];
    if (draft.candidate === draft.control)
      found.push({
        field: 'body.control',
        message: 'the control must be another variant than the candidate',
      });
    setProblems(found);
    setError(undefined);
    if (found.length === 0) setConfirming(true);
  };
  const start = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const plan = await api.post<PlanView>(
        `/api/v1/flags/${encodeURIComponent(flag.key)}/environments/${encodeURIComponent(environment)}/rollout`,
        rolloutBodyOf(draft),
        { query: { project } },
      );
      setConfirming(false);
      onCreated(plan);
    } catch (e) {
      const found = problemsOf(e);
      setProblems(found);
      setError(e);
      // A refused field is shown at the field, in the form behind the dialog.
      if (found.length > 0) setConfirming(false);
    } finally {
      setBusy(false);
    }
  };

  return (
    <FieldProblemsContext.Provider value={problems}>
      <form
        className="card rollout-section rollout-create"
        onSubmit={review}
        noValidate
        aria-labelledby={`${id}-title`}
      >
        <h3 id={`${id}-title`}>Start a rollout in {environment}</h3>
        <p className="hint">
          The candidate takes a growing share of the units, stage by stage. The scheduler advances a stage
          once it ran its minimum duration with its minimum sample and every check passed, holds while data is
          short, and rolls back when a guardrail breaks.
        </p>
        {!config.enabled && (
          <p className="banner banner-warning" data-testid="rollout-flag-off">
            {flag.key} is off in {environment}: turn it on before rolling out.
          </p>
        )}
        <div className="form-grid">
          <div className="field">
            <label htmlFor={`${id}-preset`}>Change type</label>
            <select
              id={`${id}-preset`}
              value={draft.preset}
              onChange={(e) => setDraft({ ...draft, preset: e.target.value })}
            >
              {presets.map((p) => (
                <option key={p.changeType} value={p.changeType}>
                  {CHANGE_TYPE_WORDS[p.changeType] ?? p.changeType}: {p.firstPercent}% first
                </option>
              ))}
            </select>
            <p className="hint">
              The flag’s own change type is {CHANGE_TYPE_WORDS[flag.changeType] ?? flag.changeType}.
            </p>
            <FieldError path="body.preset" />
          </div>
          <VariantSelect
            label="Candidate (rolled out)"
            path="body.candidate"
            value={draft.candidate}
            variants={flag.variants}
            onChange={(candidate) => setDraft({ ...draft, candidate })}
          />
          <VariantSelect
            label="Control (everyone else)"
            path="body.control"
            value={draft.control}
            variants={flag.variants}
            onChange={(control) => setDraft({ ...draft, control })}
          />
        </div>
        {preset !== undefined && (
          <div className="table-scroll">
            <table className="table stack-on-phone preset-stages" data-testid="preset-stages">
              <caption className="strong">
                Stages of the {CHANGE_TYPE_WORDS[preset.changeType] ?? preset.changeType} preset
              </caption>
              <thead>
                <tr>
                  <th scope="col">Stage</th>
                  <th scope="col">Candidate share</th>
                  <th scope="col">Minimum duration</th>
                  <th scope="col">Minimum sample</th>
                </tr>
              </thead>
              <tbody>
                {preset.stages.map((stage, index) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: a preset's stages are fixed; the index is the stage.
                  <tr key={index} data-stage={index}>
                    <td data-label="Stage">{index + 1}</td>
                    <td className="strong" data-label="Candidate share">
                      {stageLabel(stage)}
                    </td>
                    <td data-label="Minimum duration">{formatMinDuration(stage.minDurationMs)}</td>
                    <td data-label="Minimum sample">{formatCount(stage.minUnitsPerArm)} units per arm</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {rows.length > 0 && (
          <div className="rollout-limits">
            <p className="strong">
              Guardrails in {environment}{' '}
              <HelpTip label="the guardrails of a rollout">
                The flag’s promotion policy in {environment} (its Results tab edits it). A guardrail broken
                with enough data rolls the candidate back at once.
              </HelpTip>
            </p>
            <ul data-testid="preset-guardrails">
              {rows.map((row) => (
                <li key={row.check}>
                  <strong>{row.label}</strong>: {row.limit}
                </li>
              ))}
            </ul>
          </div>
        )}
        {!confirming && <ErrorBanner error={problems.length > 0 ? undefined : error} />}
        <div className="form-actions">
          <button
            type="submit"
            className="button button-primary"
            disabled={!config.enabled || preset === undefined}
          >
            Review and start…
          </button>
        </div>
      </form>
      {confirming && preset !== undefined && first !== undefined && (
        <ConfirmDialog
          title={`Start rolling out ${draft.candidate} in ${environment}?`}
          confirmLabel={`Start at ${stageLabel(first)}`}
          busy={busy}
          error={error}
          onConfirm={start}
          onClose={() => setConfirming(false)}
        >
          <p>
            <strong>{draft.candidate}</strong> is served to <strong>{stageLabel(first)}</strong> of the units
            in {environment} at once (the rest get <strong>{draft.control}</strong>), then{' '}
            {preset.stages
              .slice(1)
              .map((s) => stageLabel(s))
              .join(' → ')}{' '}
            as each stage passes its checks.
          </p>
          <p className="muted">
            The flag’s fallthrough becomes the rollout’s split; its rules and targets stay.
          </p>
        </ConfirmDialog>
      )}
    </FieldProblemsContext.Provider>
  );
}

/** The create form once the presets (and the policy, for its guardrails) are loaded. */
export function RolloutCreateForm(props: Omit<Props, 'presets'>) {
  const api = useApi();
  const presets = useResource('rollout-presets', (signal) =>
    api.get<{ items: PresetView[] }>('/api/v1/rollouts/presets', { signal }),
  );
  if (presets.data === undefined)
    return presets.error === undefined ? (
      <p className="loading">Loading…</p>
    ) : (
      <ErrorBanner error={presets.error} onRetry={presets.reload} />
    );
  return <CreateForm {...props} presets={presets.data.items} />;
}
