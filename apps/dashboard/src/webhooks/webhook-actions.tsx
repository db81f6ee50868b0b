import { useState } from 'react';
import { useApi } from '../session/session-context.js';
import { ConfirmDialog } from '../ui/confirm-dialog.js';
import { ErrorBanner } from '../ui/error-banner.js';
import { deliveryOutcome, statusPillClass } from './delivery-words.js';
import { WebhookSecretDialog } from './webhook-secret-dialog.js';
import type { DeliveryView, WebhookView, WebhookWithSecret } from './webhook-types.js';

/** Send a test event now (the receiver's answer shown here) and rotate the signing secret (shown once). */
export function WebhookActions({
  webhook,
  onTested,
  onRotated,
}: {
  webhook: WebhookView;
  onTested: () => void;
  onRotated: (webhook: WebhookView) => void;
}) {
  const api = useApi();
  const path = `/api/v1/webhooks/${encodeURIComponent(webhook.id)}`;
  const [testing, setTesting] = useState(false);
  const [tested, setTested] = useState<DeliveryView>();
  const [confirmRotate, setConfirmRotate] = useState(false);
  const [rotated, setRotated] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const sendTest = async () => {
    setTesting(true);
    setError(undefined);
    setTested(undefined);
    try {
      setTested(await api.post<DeliveryView>(`${path}/test`));
      onTested();
    } catch (e) {
      setError(e);
    } finally {
      setTesting(false);
    }
  };

  const rotate = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const { secret, ...after } = await api.post<WebhookWithSecret>(`${path}/rotate-secret`);
      setConfirmRotate(false);
      setRotated(secret);
      onRotated(after);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="webhook-actions-title">
      <h2 id="webhook-actions-title">Test and secret</h2>
      {!confirmRotate && <ErrorBanner error={error} />}
      <div className="form-actions">
        <button type="button" className="button" onClick={sendTest} disabled={testing}>
          {testing ? 'Sending…' : 'Send test event'}
        </button>
        <button type="button" className="button" onClick={() => setConfirmRotate(true)}>
          Rotate secret
        </button>
      </div>
      <div role="status" className="test-result" data-testid="test-result">
        {tested !== undefined && (
          <p data-status={tested.status}>
            Test event: <span className={statusPillClass(tested.status)}>{tested.status}</span>{' '}
            {deliveryOutcome(tested)}
          </p>
        )}
      </div>
      {confirmRotate && (
        <ConfirmDialog
          title={`Rotate the secret of ${webhook.name}?`}
          confirmLabel="Rotate secret"
          busy={busy}
          error={error}
          onConfirm={rotate}
          onClose={() => {
            setConfirmRotate(false);
            setError(undefined);
          }}
        >
          <p>
            The old secret stops at once: deliveries from now on, retries included, are signed with the new
            one. Update your receiver with it.
          </p>
        </ConfirmDialog>
      )}
      {rotated !== undefined && (
        <WebhookSecretDialog
          name={webhook.name}
          secret={rotated}
          rotated
          onClose={() => setRotated(undefined)}
        />
      )}
    </section>
  );
}
