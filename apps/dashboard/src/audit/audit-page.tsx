import { useState } from 'react';
import type { AuditEntry, Page } from '../api/api-types.js';
import { useRouter } from '../routing/router.js';
import { useProject } from '../session/project-context.js';
import { useApi } from '../session/session-context.js';
import { ErrorBanner } from '../ui/error-banner.js';
import { Pager } from '../ui/pager.js';
import { useDebounced } from '../ui/use-debounced.js';
import { usePages } from '../ui/use-pages.js';
import { useResource } from '../ui/use-resource.js';
import { AuditEntryRow } from './audit-entry-row.js';
import { AuditFilters, type AuditFilterValues } from './audit-filters.js';

const PAGE_SIZE = 25;

/** A datetime-local value (the reader's time zone) as ISO-8601 UTC, or undefined. */
function instant(local: string): string | undefined {
  if (local === '') return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** Every change, newest first, filterable by flag, actor, action and time, with before/after diffs. */
export function AuditPage() {
  const api = useApi();
  const { project } = useProject();
  const { location } = useRouter();
  const [filters, setFilters] = useState<AuditFilterValues>(() => ({
    flag: location.search.get('flag') ?? '',
    actor: '',
    action: '',
    from: '',
    to: '',
  }));
  const settled = useDebounced(filters, 250);
  const filter = {
    project,
    flag: settled.flag.trim(),
    actor: settled.actor.trim(),
    action: settled.action,
    from: instant(settled.from),
    to: instant(settled.to),
    limit: PAGE_SIZE,
  };
  const pages = usePages<number>(JSON.stringify(filter));
  const query = { ...filter, cursor: pages.cursor };
  const entries = useResource(JSON.stringify(query), (signal) =>
    api.get<Page<AuditEntry, number>>('/api/v1/audit', { query, signal }),
  );
  return (
    <>
      <h1>Audit log</h1>
      <AuditFilters values={filters} onChange={setFilters} />
      <ErrorBanner error={entries.error} onRetry={entries.reload} />
      {entries.data === undefined ? (
        entries.error === undefined && <p className="loading">Loading…</p>
      ) : entries.data.items.length === 0 ? (
        <p className="empty">No change matches these filters.</p>
      ) : (
        <ol className="audit-list">
          {entries.data.items.map((entry) => (
            <AuditEntryRow key={entry.id} entry={entry} />
          ))}
        </ol>
      )}
      <Pager
        label="Audit log"
        page={pages.page}
        hasNext={entries.data?.nextCursor !== undefined}
        onPrevious={pages.previous}
        onNext={() => entries.data?.nextCursor !== undefined && pages.next(entries.data.nextCursor)}
      />
    </>
  );
}
