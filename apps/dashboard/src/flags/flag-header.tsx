import { useState } from 'react';
import type { FlagView } from '../api/api-types.js';
import { Link } from '../routing/link.js';
import { paths } from '../routing/routes.js';
import { useProject } from '../session/project-context.js';
import { useApi } from '../session/session-context.js';
import { ConfirmDialog } from '../ui/confirm-dialog.js';
import { FLAG_KINDS } from './flag-kinds.js';

interface Props {
  flag: FlagView;
  onChanged: (flag: FlagView) => void;
  onReload: () => void;
}

/** The flag's name, key, kind and tags, with archive and restore. */
export function FlagHeader({ flag, onChanged, onReload }: Props) {
  const api = useApi();
  const { project } = useProject();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const action = flag.archived ? 'restore' : 'archive';

  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const next = await api.post<FlagView>(
        `/api/v1/flags/${encodeURIComponent(flag.key)}/${action}`,
        { version: flag.version },
        { query: { project } },
      );
      onChanged(next);
      setConfirming(false);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="flag-header">
      <div>
        <h1>
          {flag.name} {flag.archived && <span className="pill pill-muted">archived</span>}
        </h1>
        <p className="flag-meta">
          <span className="mono">{flag.key}</span> · {FLAG_KINDS[flag.kind] ?? flag.kind} · {flag.changeType}
          {flag.tags.map((tag) => (
            <span key={tag} className="tag">
              {tag}
            </span>
          ))}
        </p>
        {flag.description !== '' && <p className="description">{flag.description}</p>}
      </div>
      <div className="flag-actions">
        <Link href={paths.audit({ flag: flag.key })} className="button button-quiet">
          Audit log
        </Link>
        <button type="button" className="button" onClick={() => setConfirming(true)}>
          {flag.archived ? 'Restore' : 'Archive'}
        </button>
      </div>
      {confirming && (
        <ConfirmDialog
          title={flag.archived ? `Restore ${flag.key}?` : `Archive ${flag.key}?`}
          confirmLabel={flag.archived ? 'Restore' : 'Archive'}
          danger={!flag.archived}
          busy={busy}
          error={error}
          onConfirm={run}
          onClose={() => setConfirming(false)}
          onReload={() => {
            setConfirming(false);
            setError(undefined);
            onReload();
          }}
        >
          <p>
            {flag.archived
              ? 'It comes back into every snapshot, with the configuration it had.'
              : 'It leaves every snapshot: SDKs stop knowing it and serve their defaults. It can be restored.'}
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
