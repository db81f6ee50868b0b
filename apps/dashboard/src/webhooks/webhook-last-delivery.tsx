import { formatTime } from '../ui/format.js';
import { statusPillClass } from './delivery-words.js';
import type { WebhookListItem } from './webhook-types.js';

/** A webhook's newest delivery, as the list carries it: its status and when. */
export function WebhookLastDelivery({ delivery }: { delivery: WebhookListItem['lastDelivery'] }) {
  if (delivery === null) return <span className="muted">none yet</span>;
  return (
    <div data-testid="last-delivery" data-status={delivery.status}>
      <span className={statusPillClass(delivery.status)}>{delivery.status}</span>
      <div className="muted">
        <span className="mono">{delivery.eventType}</span> · {formatTime(delivery.createdAt)}
      </div>
    </div>
  );
}
