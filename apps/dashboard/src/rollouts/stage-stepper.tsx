import { formatCount } from '../results/results-format.js';
import { formatMinDuration } from './rollout-format.js';
import { stageLabel, stepState } from './rollout-model.js';
import type { PlanView } from './rollout-types.js';

const MARKS = { done: '✓', current: '●', upcoming: '' } as const;

/** A plan's stages in order, the current one highlighted, each with its minimum duration and sample. */
export function StageStepper({ plan }: { plan: Pick<PlanView, 'stages' | 'stageIndex' | 'status'> }) {
  return (
    <ol className="stage-stepper" aria-label="Stages" data-testid="stage-stepper">
      {plan.stages.map((stage, index) => {
        const state = stepState(plan, index);
        return (
          <li
            // biome-ignore lint/suspicious/noArrayIndexKey: a plan's stages never move; the index is the stage.
            key={index}
            className={`stage-step stage-${state}`}
            data-state={state}
            {...(state === 'current' ? { 'aria-current': 'step' as const } : {})}
          >
            <span className="stage-mark" aria-hidden="true">
              {MARKS[state] || index + 1}
            </span>
            <span className="stage-text">
              <span className="stage-name">{stageLabel(stage)}</span>
              <span className="stage-minimums muted">
                {formatMinDuration(stage.minDurationMs)} · {formatCount(stage.minUnitsPerArm)}/arm
              </span>
              <span className="visually-hidden">
                {state === 'done' ? ' (passed)' : state === 'current' ? ' (current stage)' : ' (to come)'}
              </span>
            </span>
          </li>
        );
      })}
    </ol>
  );
}
