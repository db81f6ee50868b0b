import { Link } from '../routing/link.js';
import { paths } from '../routing/routes.js';
import { formatTime } from '../ui/format.js';
import { CHANGE_TYPE_WORDS } from './rollout-draft.js';
import { stageLabel } from './rollout-model.js';
import { RolloutStatus } from './rollout-status.js';
import type { PlanView } from './rollout-types.js';

interface Props {
  plans: readonly PlanView[];
  /** Each flag's change type, by key: shown for plans made before plans kept their own; missing while loading. */
  changeTypes: ReadonlyMap<string, string>;
}

/** Rollout plans with their flag, environment, the change type they were made for, state, current stage and start. */
export function RolloutTable({ plans, changeTypes }: Props) {
  return (
    <table className="table stack-on-phone rollout-table" data-testid="rollout-table">
      <thead>
        <tr>
          <th scope="col">Flag</th>
          <th scope="col">Environment</th>
          <th scope="col">Change type</th>
          <th scope="col">State</th>
          <th scope="col">Current stage</th>
          <th scope="col">Started</th>
        </tr>
      </thead>
      <tbody>
        {plans.map((plan) => {
          const type = plan.changeType ?? changeTypes.get(plan.flag);
          return (
            <tr key={plan.id} data-plan={plan.id} data-flag={plan.flag}>
              <td data-label="Flag">
                <Link href={paths.rollout(plan.id)} className="strong mono">
                  {plan.flag}
                </Link>
                <div className="muted">
                  <span className="mono">{plan.candidate}</span> over{' '}
                  <span className="mono">{plan.control}</span>
                </div>
              </td>
              <td data-label="Environment">{plan.environment}</td>
              <td data-label="Change type">
                {type === undefined ? <span className="muted">—</span> : (CHANGE_TYPE_WORDS[type] ?? type)}
              </td>
              <td data-label="State">
                <RolloutStatus status={plan.status} />
              </td>
              <td data-label="Current stage" data-testid="current-stage">
                {plan.stage === null ? '—' : stageLabel(plan.stage)}{' '}
                <span className="muted">
                  ({plan.stageIndex + 1} of {plan.stages.length})
                </span>
              </td>
              <td data-label="Started">
                {formatTime(plan.createdAt)}
                <div className="muted">by {plan.createdBy}</div>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
