import { useId, useState } from 'react';
import type { AuditEntry } from '../api/api-types.js';
import { formatTime } from '../ui/format.js';
import { JsonDiffView } from './json-diff-view.js';

/** One audited change; its before/after diff opens below it. */
export function AuditEntryRow({ entry }: { entry: AuditEntry }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  return (
    <li className="audit-entry" data-action={entry.action}>
      <div className="audit-summary">
        <time dateTime={entry.at}>{formatTime(entry.at)}</time>
        <span className="pill">{entry.action}</span>
        <span className="mono">
          {entry.resourceType} {entry.resourceType === 'api-key' ? '' : entry.resourceKey}
          {entry.environment !== null && ` · ${entry.environment}`}
        </span>
        <span className="muted">by {entry.actor}</span>
        <button
          type="button"
          className="button button-small"
          aria-expanded={open}
          aria-controls={id}
          onClick={() => setOpen(!open)}
        >
          {open ? 'Hide changes' : 'Show changes'}
        </button>
      </div>
      {open && (
        <div id={id} className="audit-diff">
          <JsonDiffView before={entry.before} after={entry.after} />
        </div>
      )}
    </li>
  );
}
