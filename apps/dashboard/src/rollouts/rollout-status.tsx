import { STATUS_WORDS } from './rollout-format.js';
import type { PlanStatus } from './rollout-types.js';

/** A plan's status in words and colour (never colour alone). */
export function RolloutStatus({ status }: { status: PlanStatus }) {
  return (
    <span className={`pill rollout-status status-${status}`} data-status={status}>
      {STATUS_WORDS[status]?.label ?? status}
    </span>
  );
}
