import { useId } from 'react';
import type { Page } from '../api/api-types.js';
import { useApi } from '../session/session-context.js';
import { ErrorBanner } from '../ui/error-banner.js';
import { formatTime } from '../ui/format.js';
import { Pager } from '../ui/pager.js';
import { usePages } from '../ui/use-pages.js';
import { useResource } from '../ui/use-resource.js';
import type { AlertEventKind, AlertEventView, AlertMetric } from './alert-types.js';
import { metricValueText } from './alert-words.js';

const PAGE_SIZE = 20;

const KIND_WORDS: Record<AlertEventKind, { text: string; pill: string }> = {
  fired: { text: 'fired', pill: 'pill pill-off' },
  resolved: { text: 'resolved', pill: 'pill pill-on' },
  rolled_back: { text: 'rolled back', pill: 'pill pill-off' },
  rollback_failed: { text: 'rollback failed', pill: 'pill pill-off' },
};

/** What an entry's details say: its reason, or its other figures. */
function detailsText(details: Record<string, unknown>): string {
  if (typeof details.reason === 'string') return details.reason;
  if (typeof details.error === 'string') return details.error;
  const entries = Object.entries(details);
  return entries.length === 0 ? '' : JSON.stringify(details);
}

/** When a rule fired and resolved, and what its rollbacks did, newest first, page by page. */
export function AlertHistory({ ruleId, metric }: { ruleId: string; metric: AlertMetric }) {
  const api = useApi();
  const id = useId();
  const pages = usePages<number>(ruleId);
  const history = useResource(`alert-history:${ruleId}:${pages.cursor ?? ''}`, (signal) =>
    api.get<Page<AlertEventView, number>>(`/api/v1/alerts/${encodeURIComponent(ruleId)}/history`, {
      query: { limit: PAGE_SIZE, cursor: pages.cursor },
      signal,
    }),
  );
  const items = history.data?.items;
  return (
    <section aria-labelledby={`${id}-title`}>
      <div className="page-heading">
        <h2 id={`${id}-title`}>History</h2>
        <button type="button" className="button" onClick={history.reload}>
          Refresh
        </button>
      </div>
      <ErrorBanner error={history.error} onRetry={history.reload} />
      {items === undefined ? (
        history.error === undefined && <p className="loading">Loading…</p>
      ) : items.length === 0 ? (
        <p className="empty">It has not fired yet.</p>
      ) : (
        <table className="table stack-on-phone" data-testid="alert-history">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">What</th>
              <th scope="col">Figure</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.id} data-kind={e.kind}>
                <td data-label="When">
                  <time dateTime={e.at}>{formatTime(e.at)}</time>
                </td>
                <td data-label="What">
                  <span className={KIND_WORDS[e.kind].pill}>{KIND_WORDS[e.kind].text}</span>
                </td>
                <td data-label="Figure">
                  {e.value === null ? '—' : metricValueText(metric, e.value)}
                  {e.variant !== null && <div className="muted">variant {e.variant}</div>}
                </td>
                <td data-label="Details">{detailsText(e.details)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager
        label="History"
        page={pages.page}
        hasNext={history.data?.nextCursor !== undefined}
        onPrevious={pages.previous}
        onNext={() => {
          const next = history.data?.nextCursor;
          if (next !== undefined) pages.next(next);
        }}
      />
    </section>
  );
}
