import { formatTime } from '../ui/format.js';
import { TIMELINE_WORDS } from './rollout-format.js';
import { newestFirst, stageLabel } from './rollout-model.js';
import type { TimelineEntry } from './rollout-types.js';

/** Tones of the entries: a rollback stands out, a hold is a warning, the rest are plain. */
const TONES: Readonly<Record<string, string>> = {
  'rolled-back': 'danger',
  held: 'warning',
  completed: 'success',
  advanced: 'success',
};

/** Every decision on a plan, newest first: who or what decided, in which stage, and why. */
export function RolloutTimeline({ entries }: { entries: readonly TimelineEntry[] | undefined }) {
  return (
    <section className="card rollout-section" aria-labelledby="timeline-title">
      <h3 id="timeline-title">Timeline</h3>
      {entries === undefined ? (
        <p className="loading">Loading…</p>
      ) : entries.length === 0 ? (
        <p className="empty">Nothing recorded yet.</p>
      ) : (
        <ol className="rollout-timeline" data-testid="timeline">
          {newestFirst(entries).map((entry) => (
            <li
              key={entry.id}
              className={`timeline-entry tone-${TONES[entry.action] ?? 'plain'}`}
              data-action={entry.action}
            >
              <div className="timeline-head">
                <span className="timeline-action">{TIMELINE_WORDS[entry.action] ?? entry.action}</span>
                <span className="muted">
                  at {stageLabel(entry.stage)} · {entry.actor}
                </span>
                <time className="muted timeline-time" dateTime={entry.at}>
                  {formatTime(entry.at)}
                  {entry.repeats > 1 ? ` — ${formatTime(entry.lastAt)} (${entry.repeats} ticks)` : ''}
                </time>
              </div>
              <p className="timeline-reason" data-testid="timeline-reason">
                {entry.reason}
              </p>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
