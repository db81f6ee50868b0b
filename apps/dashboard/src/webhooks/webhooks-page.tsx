import { useState } from 'react';
import { Link } from '../routing/link.js';
import { paths } from '../routing/routes.js';
import { useProject } from '../session/project-context.js';
import { useApi } from '../session/session-context.js';
import { ErrorBanner } from '../ui/error-banner.js';
import { Pager } from '../ui/pager.js';
import { StatusPill } from '../ui/status-pill.js';
import { useResource } from '../ui/use-resource.js';
import { SigningHelp } from './signing-help.js';
import { eventsText } from './webhook-draft.js';
import { WebhookLastDelivery } from './webhook-last-delivery.js';
import type { WebhookListItem } from './webhook-types.js';

/** The server lists every webhook at once; the page shows them this many at a time. */
const PAGE_SIZE = 25;

/** The project's webhooks: where flag changes, rollout decisions and alerts are sent. */
export function WebhooksPage() {
  const api = useApi();
  const { project } = useProject();
  const [page, setPage] = useState(1);
  const webhooks = useResource(`webhooks:${project}`, (signal) =>
    api.get<{ items: WebhookListItem[] }>('/api/v1/webhooks', { query: { project }, signal }),
  );
  const all = webhooks.data?.items ?? [];
  const shown = all.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  return (
    <>
      <div className="page-heading">
        <h1>Webhooks</h1>
        <Link href={paths.newWebhook} className="button button-primary">
          New webhook
        </Link>
      </div>
      <ErrorBanner error={webhooks.error} onRetry={webhooks.reload} />
      {webhooks.data === undefined ? (
        webhooks.error === undefined && <p className="loading">Loading…</p>
      ) : shown.length === 0 ? (
        <p className="empty">No webhooks yet: create one to hear of flag changes, rollouts and alerts.</p>
      ) : (
        <table className="table stack-on-phone" data-testid="webhook-list">
          <thead>
            <tr>
              <th scope="col">Webhook</th>
              <th scope="col">Events</th>
              <th scope="col">Format</th>
              <th scope="col">Enabled</th>
              <th scope="col">Last delivery</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((w) => (
              <tr key={w.id} data-webhook={w.name}>
                <td data-label="Webhook">
                  <Link href={paths.webhook(w.id)} className="strong">
                    {w.name}
                  </Link>
                  <div className="mono muted">{w.url}</div>
                </td>
                <td data-label="Events">
                  <span className="mono">{eventsText(w.events)}</span>
                  {(w.flag !== null || w.environment !== null) && (
                    <div className="muted">
                      only {[w.flag, w.environment].filter((x) => x !== null).join(' in ')}
                    </div>
                  )}
                </td>
                <td data-label="Format">{w.format}</td>
                <td data-label="Enabled">
                  <StatusPill enabled={w.enabled} />
                </td>
                <td data-label="Last delivery">
                  <WebhookLastDelivery delivery={w.lastDelivery} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager
        label="Webhooks"
        page={page}
        hasNext={page * PAGE_SIZE < all.length}
        onPrevious={() => setPage((p) => Math.max(1, p - 1))}
        onNext={() => setPage((p) => p + 1)}
      />
      <SigningHelp />
    </>
  );
}
