import { Link } from '../routing/link.js';
import { paths } from '../routing/routes.js';
import { useProject } from '../session/project-context.js';
import { ErrorBanner } from '../ui/error-banner.js';
import { RolloutPlanView } from './rollout-plan-view.js';
import { isMissing, useRollout } from './use-rollout.js';
import './rollouts.css';

/** One rollout plan by its id, followed while it is live. */
export function RolloutPage({ id }: { id: string }) {
  const { project } = useProject();
  const resources = useRollout({ id }, project);
  const { plan } = resources;
  return (
    <>
      <p className="breadcrumb">
        <Link href={paths.rollouts()}>Rollouts</Link> / <span className="mono">{plan.data?.flag ?? id}</span>
      </p>
      {plan.data === undefined ? (
        plan.error === undefined ? (
          <p className="loading">Loading…</p>
        ) : isMissing(plan.error) ? (
          <p className="empty" data-testid="rollout-missing">
            No rollout has the id <span className="mono">{id}</span>.
          </p>
        ) : (
          <ErrorBanner error={plan.error} onRetry={plan.reload} />
        )
      ) : (
        <>
          <ErrorBanner error={plan.error} onRetry={plan.reload} />
          <RolloutPlanView plan={plan.data} resources={resources} link="flag" />
        </>
      )}
    </>
  );
}
