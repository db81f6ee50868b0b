import { useState } from 'react';
import { Link } from '../routing/link.js';
import { paths } from '../routing/routes.js';
import { useProject } from '../session/project-context.js';
import { useApi } from '../session/session-context.js';
import { ErrorBanner } from '../ui/error-banner.js';
import { Pager } from '../ui/pager.js';
import { StatusPill } from '../ui/status-pill.js';
import { useDebounced } from '../ui/use-debounced.js';
import { useResource } from '../ui/use-resource.js';
import { AlertLastFired } from './alert-last-fired.js';
import { AlertStatePill } from './alert-state-pill.js';
import { ALERT_STATES, type AlertListItem } from './alert-types.js';
import { conditionText } from './alert-words.js';

/** The server lists every rule at once; the page shows them this many at a time. */
const PAGE_SIZE = 25;
const FLAG_KEY = /^[a-z0-9]+(?:[-_.][a-z0-9]+)*$/;

/** The project's alert rules, across flags and environments, with where each stands. */
export function AlertsPage() {
  const api = useApi();
  const { project, environments } = useProject();
  const [filters, setFilters] = useState({ flag: '', env: '', state: '' });
  const [page, setPage] = useState(1);
  const settled = useDebounced(filters, 250);
  const query = { project, flag: settled.flag.trim(), env: settled.env, state: settled.state };
  // The server refuses a flag filter that is no flag key; say so here rather than ask it.
  const flagProblem =
    query.flag === '' || FLAG_KEY.test(query.flag)
      ? undefined
      : 'A flag key: lowercase letters and digits, separated by single - _ or .';
  const rules = useResource(flagProblem === undefined ? JSON.stringify(query) : null, (signal) =>
    api.get<{ items: AlertListItem[] }>('/api/v1/alerts', { query, signal }),
  );
  const set = (patch: Partial<typeof filters>) => {
    setFilters({ ...filters, ...patch });
    setPage(1);
  };
  const all = flagProblem === undefined ? (rules.data?.items ?? []) : [];
  const shown = all.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  return (
    <>
      <div className="page-heading">
        <h1>Alerts</h1>
        <Link href={paths.newAlert()} className="button button-primary">
          New alert rule
        </Link>
      </div>
      <search className="filters" aria-label="Filter alert rules">
        <div className="field">
          <label htmlFor="alert-flag">Flag</label>
          <input
            id="alert-flag"
            type="search"
            className="mono"
            placeholder="Flag key"
            value={filters.flag}
            onChange={(e) => set({ flag: e.target.value })}
            {...(flagProblem === undefined
              ? {}
              : { 'aria-invalid': true, 'aria-describedby': 'alert-flag-error' })}
          />
          {flagProblem !== undefined && (
            <p className="field-error" id="alert-flag-error">
              {flagProblem}
            </p>
          )}
        </div>
        <div className="field">
          <label htmlFor="alert-env">Environment</label>
          <select id="alert-env" value={filters.env} onChange={(e) => set({ env: e.target.value })}>
            <option value="">Every environment</option>
            {environments.map((e) => (
              <option key={e.key} value={e.key}>
                {e.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="alert-state">State</label>
          <select id="alert-state" value={filters.state} onChange={(e) => set({ state: e.target.value })}>
            <option value="">Any</option>
            {ALERT_STATES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
      </search>
      <ErrorBanner error={rules.error} onRetry={rules.reload} />
      {flagProblem !== undefined ? null : rules.data === undefined ? (
        rules.error === undefined && <p className="loading">Loading…</p>
      ) : shown.length === 0 ? (
        <p className="empty">
          {query.flag === '' && query.env === '' && query.state === ''
            ? 'No alert rules yet: watch a flag’s error rate, latency, cost or fallbacks.'
            : 'No rule matches.'}
        </p>
      ) : (
        <table className="table stack-on-phone" data-testid="alert-list">
          <thead>
            <tr>
              <th scope="col">Rule</th>
              <th scope="col">Flag</th>
              <th scope="col">Condition</th>
              <th scope="col">Action</th>
              <th scope="col">Enabled</th>
              <th scope="col">State</th>
              <th scope="col">Last fired</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.id} data-alert={r.name}>
                <td data-label="Rule">
                  <Link href={paths.alert(r.id)} className="strong">
                    {r.name}
                  </Link>
                </td>
                <td data-label="Flag">
                  <Link href={paths.flag(r.flag, r.environment)} className="mono">
                    {r.flag}
                  </Link>
                  <div className="muted">{r.environment}</div>
                </td>
                <td data-label="Condition">{conditionText(r)}</td>
                <td data-label="Action">
                  <span className={r.action === 'rollback' ? 'pill pill-off' : 'pill'}>{r.action}</span>
                </td>
                <td data-label="Enabled">
                  <StatusPill enabled={r.enabled} />
                </td>
                <td data-label="State">
                  <AlertStatePill state={r.state} />
                  {r.lastError !== null && <div className="danger-text">{r.lastError}</div>}
                </td>
                <td data-label="Last fired">
                  <AlertLastFired rule={r} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager
        label="Alert rules"
        page={page}
        hasNext={page * PAGE_SIZE < all.length}
        onPrevious={() => setPage((p) => Math.max(1, p - 1))}
        onNext={() => setPage((p) => p + 1)}
      />
    </>
  );
}
