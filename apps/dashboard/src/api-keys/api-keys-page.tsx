import { useState } from 'react';
import type { ApiKeyView } from '../api/api-types.js';
import { useApi } from '../session/session-context.js';
import { ConfirmDialog } from '../ui/confirm-dialog.js';
import { ErrorBanner } from '../ui/error-banner.js';
import { formatTime } from '../ui/format.js';
import { Pager } from '../ui/pager.js';
import { useResource } from '../ui/use-resource.js';
import { ApiKeyCreateForm } from './api-key-create-form.js';
import { CreatedKeyDialog } from './created-key-dialog.js';

const PAGE_SIZE = 25;

/** API keys: create (shown once), list, revoke. */
export function ApiKeysPage() {
  const api = useApi();
  const keys = useResource('keys', (signal) => api.get<{ items: ApiKeyView[] }>('/api/v1/keys', { signal }));
  const [created, setCreated] = useState<ApiKeyView & { key: string }>();
  const [revoking, setRevoking] = useState<ApiKeyView>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [page, setPage] = useState(1);
  const all = [...(keys.data?.items ?? [])].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const shown = all.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);

  const revoke = async () => {
    if (revoking === undefined) return;
    setBusy(true);
    setError(undefined);
    try {
      await api.delete(`/api/v1/keys/${encodeURIComponent(revoking.id)}`);
      setRevoking(undefined);
      keys.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h1>API keys</h1>
      <ApiKeyCreateForm
        onCreated={(key) => {
          setCreated(key);
          keys.reload();
        }}
      />
      {created !== undefined && <CreatedKeyDialog created={created} onClose={() => setCreated(undefined)} />}
      <h2>Keys</h2>
      <ErrorBanner error={keys.error} onRetry={keys.reload} />
      {keys.data !== undefined && (
        <table className="table stack-on-phone">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Environment</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((k) => (
              <tr key={k.id} data-key-name={k.name}>
                <td data-label="Name">
                  <span className="strong">{k.name}</span>
                  <div className="mono muted">{k.prefix}…</div>
                </td>
                <td data-label="Kind">{k.kind}</td>
                <td data-label="Environment">
                  {k.environment === null ? 'all' : `${k.project}/${k.environment}`}
                </td>
                <td data-label="Created">
                  {formatTime(k.createdAt)}
                  <div className="muted">by {k.createdBy}</div>
                </td>
                <td data-label="Last used">{formatTime(k.lastUsedAt)}</td>
                <td data-label="Status">
                  {k.revokedAt === null ? (
                    <button
                      type="button"
                      className="button button-small danger-text"
                      onClick={() => setRevoking(k)}
                    >
                      Revoke {k.name}
                    </button>
                  ) : (
                    <span className="pill pill-off">revoked {formatTime(k.revokedAt)}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager
        label="API keys"
        page={page}
        hasNext={page * PAGE_SIZE < all.length}
        onPrevious={() => setPage((p) => Math.max(1, p - 1))}
        onNext={() => setPage((p) => p + 1)}
      />
      {revoking !== undefined && (
        <ConfirmDialog
          title={`Revoke ${revoking.name}?`}
          confirmLabel="Revoke"
          danger
          busy={busy}
          error={error}
          onConfirm={revoke}
          onClose={() => {
            setRevoking(undefined);
            setError(undefined);
          }}
        >
          <p>It stops working at once, everywhere it is used. This cannot be undone.</p>
        </ConfirmDialog>
      )}
    </>
  );
}
