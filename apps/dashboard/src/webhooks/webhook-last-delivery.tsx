import type { Page } from '../api/api-types.js';
import { useApi } from '../session/session-context.js';
import { formatTime } from '../ui/format.js';
import { useResource } from '../ui/use-resource.js';
import { statusPillClass } from './delivery-words.js';
import type { DeliveryView } from './webhook-types.js';

/** A webhook's newest delivery: its status and when (the list endpoint does not carry it). */
export function WebhookLastDelivery({ webhookId }: { webhookId: string }) {
  const api = useApi();
  const last = useResource(`last-delivery:${webhookId}`, (signal) =>
    api.get<Page<DeliveryView, number>>(`/api/v1/webhooks/${encodeURIComponent(webhookId)}/deliveries`, {
      query: { limit: 1 },
      signal,
    }),
  );
  if (last.error !== undefined) return <span className="muted">unknown</span>;
  if (last.data === undefined) return <span className="muted">…</span>;
  const delivery = last.data.items[0];
  if (delivery === undefined) return <span className="muted">none yet</span>;
  return (
    <div data-testid="last-delivery" data-status={delivery.status}>
      <span className={statusPillClass(delivery.status)}>{delivery.status}</span>
      <div className="muted">
        <span className="mono">{delivery.eventType}</span> · {formatTime(delivery.createdAt)}
      </div>
    </div>
  );
}
