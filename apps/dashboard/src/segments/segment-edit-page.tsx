import type { SegmentView } from '../api/api-types.js';
import { Link } from '../routing/link.js';
import { paths } from '../routing/routes.js';
import { useProject } from '../session/project-context.js';
import { useApi } from '../session/session-context.js';
import { ErrorBanner } from '../ui/error-banner.js';
import { useResource } from '../ui/use-resource.js';
import { SegmentForm } from './segment-form.js';

/** A segment: create one, or edit and delete a stored one. */
export function SegmentEditPage({ segmentKey }: { segmentKey: string | undefined }) {
  const api = useApi();
  const { project } = useProject();
  const segment = useResource(segmentKey === undefined ? null : `${project}/${segmentKey}`, (signal) =>
    api.get<SegmentView>(`/api/v1/segments/${encodeURIComponent(segmentKey ?? '')}`, {
      query: { project },
      signal,
    }),
  );
  const all = useResource(`segments:${project}`, (signal) =>
    api.get<{ items: SegmentView[] }>('/api/v1/segments', { query: { project }, signal }),
  );
  const keys = all.data?.items.map((s) => s.key) ?? [];
  return (
    <>
      <p className="breadcrumb">
        <Link href={paths.segments}>Segments</Link> /{' '}
        {segmentKey === undefined ? 'New segment' : <span className="mono">{segmentKey}</span>}
      </p>
      <h1>{segmentKey === undefined ? 'New segment' : (segment.data?.name ?? segmentKey)}</h1>
      {segmentKey === undefined ? (
        <SegmentForm stored={undefined} segments={keys} onSaved={() => {}} onReload={() => {}} />
      ) : segment.data === undefined ? (
        segment.error === undefined ? (
          <p className="loading">Loading…</p>
        ) : (
          <ErrorBanner error={segment.error} onRetry={segment.reload} />
        )
      ) : (
        <SegmentForm
          stored={segment.data}
          segments={keys}
          onSaved={segment.setData}
          onReload={segment.reload}
        />
      )}
    </>
  );
}
