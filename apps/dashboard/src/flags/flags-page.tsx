import type { FlagKind } from '@switchboard/core';
import { useState } from 'react';
import type { FlagView, Page } from '../api/api-types.js';
import { Link } from '../routing/link.js';
import { paths } from '../routing/routes.js';
import { useProject } from '../session/project-context.js';
import { useApi } from '../session/session-context.js';
import { ErrorBanner } from '../ui/error-banner.js';
import { wordsOf } from '../ui/format.js';
import { Pager } from '../ui/pager.js';
import { useDebounced } from '../ui/use-debounced.js';
import { usePages } from '../ui/use-pages.js';
import { useResource } from '../ui/use-resource.js';
import { FlagFilters, type FlagFilterValues } from './flag-filters.js';
import { FlagTable } from './flag-table.js';

const PAGE_SIZE = 25;

/** The flags of the project: search, filter by tags, kind and archived, page through. */
export function FlagsPage() {
  const api = useApi();
  const { project, environments } = useProject();
  const [filters, setFilters] = useState<FlagFilterValues>({ q: '', tags: '', kind: '', archived: 'false' });
  const settled = useDebounced(filters, 250);
  const filter = {
    project,
    q: settled.q.trim(),
    tag: wordsOf(settled.tags),
    kind: settled.kind as FlagKind | '',
    archived: settled.archived,
    limit: PAGE_SIZE,
  };
  const pages = usePages<string>(JSON.stringify(filter));
  const query = { ...filter, cursor: pages.cursor };
  const flags = useResource(JSON.stringify(query), (signal) =>
    api.get<Page<FlagView>>('/api/v1/flags', { query, signal }),
  );

  return (
    <>
      <div className="page-heading">
        <h1>Flags</h1>
        <Link href={paths.newFlag} className="button button-primary">
          New flag
        </Link>
      </div>
      <FlagFilters values={filters} onChange={setFilters} />
      <ErrorBanner error={flags.error} onRetry={flags.reload} />
      {flags.data === undefined ? (
        flags.error === undefined && <p className="loading">Loading…</p>
      ) : flags.data.items.length === 0 ? (
        <p className="empty">
          {pages.page === 1 && Object.values(settled).every((v) => v === '' || v === 'false')
            ? 'No flags yet. Create the first one.'
            : 'No flag matches these filters.'}
        </p>
      ) : (
        <FlagTable flags={flags.data.items} environments={environments.map((e) => e.key)} />
      )}
      <Pager
        label="Flags"
        page={pages.page}
        hasNext={flags.data?.nextCursor !== undefined}
        onPrevious={pages.previous}
        onNext={() => flags.data?.nextCursor !== undefined && pages.next(flags.data.nextCursor)}
      />
    </>
  );
}
