import { formatTime } from '../ui/format.js';
import type { AlertListItem } from './alert-types.js';

/** When a rule last fired, as the list carries it. */
export function AlertLastFired({ rule }: { rule: AlertListItem }) {
  if (rule.lastFiredAt === null) return <span className="muted">never</span>;
  return <time dateTime={rule.lastFiredAt}>{formatTime(rule.lastFiredAt)}</time>;
}
