import type { Page } from '../api/api-types.js';
import { useApi } from '../session/session-context.js';
import { formatTime } from '../ui/format.js';
import { useResource } from '../ui/use-resource.js';
import type { AlertEventView, AlertView } from './alert-types.js';

/** How far back the list looks for a rule's last firing. */
const HISTORY_LOOKBACK = 20;

/** When a rule last fired: now, if it is firing; else from its recent history (the list does not carry it). */
export function AlertLastFired({ rule }: { rule: AlertView }) {
  const api = useApi();
  const firing = rule.state === 'firing';
  const history = useResource(firing ? null : `alert-fired:${rule.id}:${rule.stateSince ?? ''}`, (signal) =>
    api.get<Page<AlertEventView, number>>(`/api/v1/alerts/${encodeURIComponent(rule.id)}/history`, {
      query: { limit: HISTORY_LOOKBACK },
      signal,
    }),
  );
  if (firing) return <time dateTime={rule.stateSince ?? undefined}>{formatTime(rule.stateSince)}</time>;
  if (history.error !== undefined) return <span className="muted">unknown</span>;
  if (history.data === undefined) return <span className="muted">…</span>;
  const fired = history.data.items.find((e) => e.kind === 'fired');
  if (fired === undefined) return <span className="muted">never</span>;
  return <time dateTime={fired.at}>{formatTime(fired.at)}</time>;
}
