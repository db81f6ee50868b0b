import { useId, useState } from 'react';
import type { FlagView, Page } from '../api/api-types.js';
import { useRouter } from '../routing/router.js';
import { paths } from '../routing/routes.js';
import { useProject } from '../session/project-context.js';
import { useApi } from '../session/session-context.js';
import { ErrorBanner } from '../ui/error-banner.js';
import { useResource } from '../ui/use-resource.js';
import { STATUS_WORDS } from './rollout-format.js';
import { isLive } from './rollout-model.js';
import { RolloutTable } from './rollout-table.js';
import type { PlanStatus, PlanView } from './rollout-types.js';
import { usePolling } from './use-polling.js';
import { PLAN_POLL_INTERVAL_MS } from './use-rollout.js';
import './rollouts.css';

/** Plans read at first, and how many more each "Show more" asks for (the API lists up to 500). */
const PAGE_SIZE = 25;
const MAX_LIMIT = 500;
/** Flags whose change type the list shows (the first page of the flags). */
const FLAG_CHOICES = 500;
const FILTERS: readonly { value: string; label: string }[] = [
  { value: '', label: 'Every state' },
  { value: 'live', label: 'Live (active or paused)' },
  ...(Object.keys(STATUS_WORDS) as PlanStatus[]).map((s) => ({ value: s, label: STATUS_WORDS[s].label })),
];

/**
 * The rollout plans of the project, newest first: filtered by state and environment (in the page's
 * address), followed while any listed plan is live, with more read on demand.
 */
export function RolloutsPage() {
  const api = useApi();
  const { project, environments } = useProject();
  const { location, navigate } = useRouter();
  const id = useId();
  const asked = location.search.get('status') ?? '';
  const status = FILTERS.some((f) => f.value === asked) ? asked : '';
  const environment = location.search.get('env') ?? '';
  const [limit, setLimit] = useState(PAGE_SIZE);
  const query = { project, status, environment, limit };
  const plans = useResource(JSON.stringify(query), (signal) =>
    api.get<{ items: PlanView[] }>('/api/v1/rollouts', { query, signal }),
  );
  const flags = useResource(`flags:${project}`, (signal) =>
    api.get<Page<FlagView>>('/api/v1/flags', {
      query: { project, limit: FLAG_CHOICES, archived: 'all' },
      signal,
    }),
  );
  const changeTypes = new Map((flags.data?.items ?? []).map((f) => [f.key, f.changeType]));
  const items = plans.data?.items;
  usePolling(plans.reload, PLAN_POLL_INTERVAL_MS, items?.some((p) => isLive(p.status)) ?? false);
  const show = (next: { status?: string; env?: string }) => {
    setLimit(PAGE_SIZE);
    const params = new URLSearchParams();
    const s = next.status ?? status;
    const e = next.env ?? environment;
    if (s !== '') params.set('status', s);
    if (e !== '') params.set('env', e);
    const text = params.toString();
    navigate(`${paths.rollouts()}${text === '' ? '' : `?${text}`}`, { replace: true });
  };

  return (
    <>
      <div className="page-heading">
        <h1>Rollouts</h1>
      </div>
      <p className="hint">
        Start a rollout from a flag’s Rollout tab, in one environment. Plans move through their stages on
        their own; this list follows them.
      </p>
      <search className="filters" aria-label="Filter rollouts">
        <div className="field">
          <label htmlFor={`${id}-status`}>State</label>
          <select id={`${id}-status`} value={status} onChange={(e) => show({ status: e.target.value })}>
            {FILTERS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-env`}>Environment</label>
          <select id={`${id}-env`} value={environment} onChange={(e) => show({ env: e.target.value })}>
            <option value="">Every environment</option>
            {environments.map((e) => (
              <option key={e.key} value={e.key}>
                {e.name}
              </option>
            ))}
          </select>
        </div>
      </search>
      <ErrorBanner error={plans.error} onRetry={plans.reload} />
      {items === undefined ? (
        plans.error === undefined && <p className="loading">Loading…</p>
      ) : items.length === 0 ? (
        <p className="empty" data-testid="rollouts-empty">
          {status === '' && environment === ''
            ? 'No rollouts yet. Start one from a flag’s Rollout tab.'
            : 'No rollout matches these filters.'}
        </p>
      ) : (
        <RolloutTable plans={items} changeTypes={changeTypes} />
      )}
      {items !== undefined && items.length >= limit && limit < MAX_LIMIT && (
        <div className="form-actions">
          <button
            type="button"
            className="button"
            onClick={() => setLimit(Math.min(MAX_LIMIT, limit + PAGE_SIZE))}
            disabled={plans.loading}
          >
            Show more
          </button>
        </div>
      )}
    </>
  );
}
