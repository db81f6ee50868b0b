import type { EnvironmentConfig, FlagView, PolicyView } from '../api/api-types.js';
import { useProject } from '../session/project-context.js';
import { useApi } from '../session/session-context.js';
import { ErrorBanner } from '../ui/error-banner.js';
import { useResource } from '../ui/use-resource.js';
import { RolloutCreateForm } from './rollout-create-form.js';
import { isLive } from './rollout-model.js';
import { RolloutPlanView } from './rollout-plan-view.js';
import { isMissing, useRollout } from './use-rollout.js';
import './rollouts.css';

interface Props {
  flag: FlagView;
  environment: string;
  config: EnvironmentConfig;
  /** Read the flag again (its serving changed with the plan). */
  onReload: () => void;
}

/**
 * The Rollout view of a flag in one environment: its live plan (stages, progress, guardrails,
 * timeline and controls); once none is live, its last plan as it ended and the form that starts one.
 */
export function RolloutPanel({ flag, environment, config, onReload }: Props) {
  const api = useApi();
  const { project } = useProject();
  const resources = useRollout({ project, flag: flag.key, environment }, project);
  const { plan } = resources;
  const live = plan.data !== undefined && isLive(plan.data.status);
  const policy = useResource(live ? null : `policy:${project}/${flag.key}/${environment}`, (signal) =>
    api.get<PolicyView>(
      `/api/v1/flags/${encodeURIComponent(flag.key)}/environments/${encodeURIComponent(environment)}/policy`,
      { query: { project }, signal },
    ),
  );

  if (plan.data === undefined && plan.error === undefined) return <p className="loading">Loading…</p>;
  if (plan.error !== undefined && !isMissing(plan.error))
    return <ErrorBanner error={plan.error} onRetry={plan.reload} />;
  return (
    <div className="rollout-panel" data-testid="rollout-panel">
      {plan.data !== undefined && <RolloutPlanView plan={plan.data} resources={resources} link="plan" />}
      {!live &&
        (flag.archived ? (
          <p className="empty">An archived flag is not rolled out.</p>
        ) : (
          <RolloutCreateForm
            flag={flag}
            environment={environment}
            config={config}
            policy={policy.data}
            onCreated={(created) => {
              plan.setData(created);
              onReload();
            }}
          />
        ))}
    </div>
  );
}
