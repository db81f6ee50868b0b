import { formatShare, formatTimeProgress, formatUnitProgress } from './rollout-format.js';
import type { StageProgress } from './rollout-model.js';

function Bar({
  label,
  share,
  text,
  name,
}: {
  label: string;
  share: number | null;
  text: string;
  name: string;
}) {
  return (
    <div className="progress-row" data-progress={name}>
      <div className="progress-label">
        <span className="strong">{label}</span>
        <span className="progress-text" data-testid={`progress-${name}`}>
          {text}
        </span>
      </div>
      <div
        className="progress-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuetext={text}
        {...(share === null ? {} : { 'aria-valuenow': Math.round(share * 100) })}
      >
        <span
          className={share !== null && share >= 1 ? 'progress-fill is-full' : 'progress-fill'}
          style={{ width: formatShare(share ?? 0) }}
        />
      </div>
    </div>
  );
}

/** The current stage's progress: time run against its minimum duration, units against its minimum sample. */
export function StageProgressView({ progress }: { progress: StageProgress }) {
  return (
    <div className="stage-progress" data-testid="stage-progress">
      <Bar label="Time in stage" name="time" share={progress.timeShare} text={formatTimeProgress(progress)} />
      <Bar label="Sample" name="units" share={progress.unitShare} text={formatUnitProgress(progress)} />
    </div>
  );
}
