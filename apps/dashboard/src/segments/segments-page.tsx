import { useState } from 'react';
import type { SegmentView } from '../api/api-types.js';
import { Link } from '../routing/link.js';
import { paths } from '../routing/routes.js';
import { useProject } from '../session/project-context.js';
import { useApi } from '../session/session-context.js';
import { ErrorBanner } from '../ui/error-banner.js';
import { Pager } from '../ui/pager.js';
import { useResource } from '../ui/use-resource.js';

/** The server lists every segment at once; the page shows them this many at a time. */
const PAGE_SIZE = 25;

/** The project's segments: reusable groups of units for rules. */
export function SegmentsPage() {
  const api = useApi();
  const { project } = useProject();
  const [page, setPage] = useState(1);
  const [q, setQ] = useState('');
  const segments = useResource(`segments:${project}`, (signal) =>
    api.get<{ items: SegmentView[] }>('/api/v1/segments', { query: { project }, signal }),
  );
  const needle = q.trim().toLowerCase();
  const matching = (segments.data?.items ?? []).filter(
    (s) => needle === '' || s.key.includes(needle) || s.name.toLowerCase().includes(needle),
  );
  const shown = matching.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  return (
    <>
      <div className="page-heading">
        <h1>Segments</h1>
        <Link href={paths.newSegment} className="button button-primary">
          New segment
        </Link>
      </div>
      <search className="filters" aria-label="Filter segments">
        <div className="field">
          <label htmlFor="segment-search">Search</label>
          <input
            id="segment-search"
            type="search"
            placeholder="Key or name"
            value={q}
            onChange={(e) => {
              setQ(e.target.value);
              setPage(1);
            }}
          />
        </div>
      </search>
      <ErrorBanner error={segments.error} onRetry={segments.reload} />
      {segments.data === undefined ? (
        segments.error === undefined && <p className="loading">Loading…</p>
      ) : shown.length === 0 ? (
        <p className="empty">{needle === '' ? 'No segments yet.' : 'No segment matches.'}</p>
      ) : (
        <table className="table stack-on-phone">
          <thead>
            <tr>
              <th scope="col">Segment</th>
              <th scope="col">Included</th>
              <th scope="col">Excluded</th>
              <th scope="col">Conditions</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((s) => (
              <tr key={s.key}>
                <td data-label="Segment">
                  <Link href={paths.segment(s.key)} className="strong">
                    {s.name}
                  </Link>
                  <div className="mono muted">{s.key}</div>
                </td>
                <td data-label="Included">{s.included.length}</td>
                <td data-label="Excluded">{s.excluded.length}</td>
                <td data-label="Conditions">{s.clauses.length}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager
        label="Segments"
        page={page}
        hasNext={page * PAGE_SIZE < matching.length}
        onPrevious={() => setPage((p) => Math.max(1, p - 1))}
        onNext={() => setPage((p) => p + 1)}
      />
    </>
  );
}
