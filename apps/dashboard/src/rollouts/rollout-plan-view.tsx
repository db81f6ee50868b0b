import { Link } from '../routing/link.js';
import { paths } from '../routing/routes.js';
import { ErrorBanner } from '../ui/error-banner.js';
import { formatTime } from '../ui/format.js';
import { GuardrailsPanel, planPolicy } from './guardrails-panel.js';
import { RolloutControls } from './rollout-controls.js';
import { STATUS_WORDS } from './rollout-format.js';
import { isLive, latestMeasurement, stageLabel, stageProgress } from './rollout-model.js';
import { RolloutStatus } from './rollout-status.js';
import { RolloutTimeline } from './rollout-timeline.js';
import type { PlanView } from './rollout-types.js';
import { StageProgressView } from './stage-progress.js';
import { StageStepper } from './stage-stepper.js';
import type { RolloutResources } from './use-rollout.js';

interface Props {
  plan: PlanView;
  resources: RolloutResources;
  /** Whether the heading links to the flag (on the rollouts pages) or to the plan's own page (on the flag). */
  link: 'flag' | 'plan';
}

/**
 * One rollout plan: its status, the stages with the current one and its progress, the controls, the
 * guardrails with their figures and limits, and the timeline of decisions, newest first.
 */
export function RolloutPlanView({ plan, resources, link }: Props) {
  const { timeline, policy } = resources;
  const entries = timeline.data?.items;
  const measurement = latestMeasurement(plan, entries ?? []);
  const progress = stageProgress(plan, Date.now(), measurement);
  const current = plan.stage;
  const live = isLive(plan.status);
  return (
    <div className="rollout-plan" data-testid="rollout-plan" data-status={plan.status} data-plan={plan.id}>
      <section className="card rollout-summary" aria-labelledby="rollout-title">
        <div className="rollout-heading">
          <h2 id="rollout-title">
            {link === 'flag' ? (
              <Link href={paths.flag(plan.flag, plan.environment, { view: 'rollout' })} className="mono">
                {plan.flag}
              </Link>
            ) : (
              <span className="mono">{plan.flag}</span>
            )}{' '}
            in {plan.environment}
          </h2>
          <RolloutStatus status={plan.status} />
        </div>
        <p>
          <strong className="mono">{plan.candidate}</strong> over{' '}
          <strong className="mono">{plan.control}</strong> (control) · stage {plan.stageIndex + 1} of{' '}
          {plan.stages.length}
          {current === null ? '' : `: ${stageLabel(current)}`}
        </p>
        <p className="muted" data-testid="rollout-meaning">
          {STATUS_WORDS[plan.status].meaning}
          {plan.reason === null ? '' : ` ${plan.reason}.`}
        </p>
        <p className="hint">
          Started {formatTime(plan.createdAt)} by {plan.createdBy} · stage began{' '}
          {formatTime(plan.stageStartedAt)}
          {link === 'plan' && (
            <>
              {' · '}
              <Link href={paths.rollout(plan.id)}>Open the plan’s page</Link>
            </>
          )}
        </p>
        <StageStepper plan={plan} />
        {live && <StageProgressView progress={progress} />}
        <RolloutControls
          plan={plan}
          onChanged={(changed) => {
            resources.plan.setData(changed);
            timeline.reload();
          }}
          onReload={resources.reload}
        />
      </section>
      <ErrorBanner error={timeline.error} onRetry={timeline.reload} />
      <ErrorBanner error={policy.error} onRetry={policy.reload} />
      {policy.data !== undefined && (live || measurement !== undefined) && (
        <GuardrailsPanel
          plan={plan}
          policy={planPolicy(policy.data, plan.policy)}
          measurement={measurement}
        />
      )}
      <RolloutTimeline entries={entries} />
    </div>
  );
}
