import { useId, useState } from 'react';
import type { Page } from '../api/api-types.js';
import { useApi } from '../session/session-context.js';
import { ErrorBanner } from '../ui/error-banner.js';
import { formatTime } from '../ui/format.js';
import { Pager } from '../ui/pager.js';
import { usePages } from '../ui/use-pages.js';
import { useResource } from '../ui/use-resource.js';
import { attemptOutcome, deliveryOutcome, statusPillClass } from './delivery-words.js';
import { DELIVERY_STATUSES, type DeliveryView } from './webhook-types.js';

const PAGE_SIZE = 20;

/** A webhook's deliveries, newest first, page by page, each with its attempts; `refresh` reloads it. */
export function DeliveryLog({ webhookId, refresh }: { webhookId: string; refresh: number }) {
  const api = useApi();
  const id = useId();
  const [status, setStatus] = useState('');
  const listKey = `${webhookId}:${status}`;
  const pages = usePages<number>(listKey);
  const query = { limit: PAGE_SIZE, status, cursor: pages.cursor };
  const deliveries = useResource(`${listKey}:${pages.cursor ?? ''}:${refresh}`, (signal) =>
    api.get<Page<DeliveryView, number>>(`/api/v1/webhooks/${encodeURIComponent(webhookId)}/deliveries`, {
      query,
      signal,
    }),
  );
  const items = deliveries.data?.items;
  return (
    <section aria-labelledby={`${id}-title`}>
      <div className="page-heading">
        <h2 id={`${id}-title`}>Deliveries</h2>
        <div className="inline">
          <div className="field">
            <label htmlFor={`${id}-status`}>Status</label>
            <select id={`${id}-status`} value={status} onChange={(e) => setStatus(e.target.value)}>
              <option value="">Any</option>
              {DELIVERY_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </div>
          <button type="button" className="button" onClick={deliveries.reload}>
            Refresh
          </button>
        </div>
      </div>
      <ErrorBanner error={deliveries.error} onRetry={deliveries.reload} />
      {items === undefined ? (
        deliveries.error === undefined && <p className="loading">Loading…</p>
      ) : items.length === 0 ? (
        <p className="empty">No deliveries{status === '' ? ' yet' : ` ${status}`}.</p>
      ) : (
        <table className="table stack-on-phone" data-testid="delivery-log">
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Response</th>
              <th scope="col">Time</th>
            </tr>
          </thead>
          <tbody>
            {items.map((d) => (
              <tr key={d.id} data-delivery={d.id} data-event={d.eventType} data-status={d.status}>
                <td data-label="Event">
                  <span className="mono">{d.eventType}</span>
                </td>
                <td data-label="Status">
                  <span className={statusPillClass(d.status)}>{d.status}</span>
                  {d.nextAttemptAt !== null && d.status !== 'succeeded' && (
                    <div className="muted">next try {formatTime(d.nextAttemptAt)}</div>
                  )}
                </td>
                <td data-label="Attempts">
                  {d.attempts} of {d.maxAttempts}
                </td>
                <td data-label="Response">
                  <span data-testid="delivery-outcome">{deliveryOutcome(d)}</span>
                  {d.attemptLog.length > 1 && (
                    <details>
                      <summary>Every attempt</summary>
                      <ol className="attempt-log">
                        {d.attemptLog.map((a) => (
                          <li key={a.attempt}>
                            {formatTime(a.at)}: {attemptOutcome(a)}
                          </li>
                        ))}
                      </ol>
                    </details>
                  )}
                </td>
                <td data-label="Time">
                  <time dateTime={d.createdAt}>{formatTime(d.createdAt)}</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager
        label="Deliveries"
        page={pages.page}
        hasNext={deliveries.data?.nextCursor !== undefined}
        onPrevious={pages.previous}
        onNext={() => {
          const next = deliveries.data?.nextCursor;
          if (next !== undefined) pages.next(next);
        }}
      />
    </section>
  );
}
