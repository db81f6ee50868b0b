import { useState } from 'react';
import { Link } from '../routing/link.js';
import { useRouter } from '../routing/router.js';
import { paths } from '../routing/routes.js';
import { useApi } from '../session/session-context.js';
import { ErrorBanner } from '../ui/error-banner.js';
import { formatTime } from '../ui/format.js';
import { useResource } from '../ui/use-resource.js';
import { DeliveryLog } from './delivery-log.js';
import { SigningHelp } from './signing-help.js';
import { WebhookActions } from './webhook-actions.js';
import { WebhookForm } from './webhook-form.js';
import { WebhookSecretDialog } from './webhook-secret-dialog.js';
import type { WebhookView, WebhookWithSecret } from './webhook-types.js';

/** A webhook: create one (its secret shown once), or edit, test, rotate, delete one and read its deliveries. */
export function WebhookEditPage({ webhookId }: { webhookId: string | undefined }) {
  const api = useApi();
  const { navigate } = useRouter();
  const [created, setCreated] = useState<WebhookWithSecret>();
  const [refresh, setRefresh] = useState(0);
  const webhook = useResource(webhookId === undefined ? null : `webhook:${webhookId}`, (signal) =>
    api.get<WebhookView>(`/api/v1/webhooks/${encodeURIComponent(webhookId ?? '')}`, { signal }),
  );
  const stored = webhook.data;
  return (
    <>
      <p className="breadcrumb">
        <Link href={paths.webhooks}>Webhooks</Link> /{' '}
        {webhookId === undefined ? 'New webhook' : (stored?.name ?? '…')}
      </p>
      <h1>{webhookId === undefined ? 'New webhook' : (stored?.name ?? 'Webhook')}</h1>
      {webhookId === undefined ? (
        <WebhookForm stored={undefined} onCreated={setCreated} onSaved={() => {}} onReload={() => {}} />
      ) : stored === undefined ? (
        webhook.error === undefined ? (
          <p className="loading">Loading…</p>
        ) : (
          <ErrorBanner error={webhook.error} onRetry={webhook.reload} />
        )
      ) : (
        <>
          <p className="muted">
            Created {formatTime(stored.createdAt)} by {stored.createdBy} · version {stored.version} · secret
            stored{' '}
            {stored.secretStorage === 'encrypted'
              ? 'encrypted'
              : 'in plain text (set SWITCHBOARD_ENCRYPTION_KEY)'}
          </p>
          <WebhookForm
            stored={stored}
            onCreated={() => {}}
            onSaved={webhook.setData}
            onReload={webhook.reload}
          />
          <WebhookActions
            webhook={stored}
            onTested={() => setRefresh((r) => r + 1)}
            onRotated={webhook.setData}
          />
          <DeliveryLog webhookId={stored.id} refresh={refresh} />
        </>
      )}
      <SigningHelp />
      {created !== undefined && (
        <WebhookSecretDialog
          name={created.name}
          secret={created.secret}
          rotated={false}
          onClose={() => navigate(paths.webhook(created.id), { replace: true })}
        />
      )}
    </>
  );
}
