import { useMemo } from 'react';
import type { FlagView, Page } from '../api/api-types.js';
import { Link } from '../routing/link.js';
import { useRouter } from '../routing/router.js';
import { paths } from '../routing/routes.js';
import { useProject } from '../session/project-context.js';
import { useApi } from '../session/session-context.js';
import { ErrorBanner } from '../ui/error-banner.js';
import { formatTime } from '../ui/format.js';
import { useResource } from '../ui/use-resource.js';
import { AlertForm } from './alert-form.js';
import { AlertHistory } from './alert-history.js';
import { AlertStatePill } from './alert-state-pill.js';
import type { AlertView } from './alert-types.js';
import { metricValueText } from './alert-words.js';

/** The flags a new rule can watch: the first this many (the list endpoint's largest page). */
const FLAG_CHOICES = 500;

/** An alert rule: create one (on `?flag=&env=` when given), or edit and delete one and read its history. */
export function AlertEditPage({ ruleId }: { ruleId: string | undefined }) {
  const api = useApi();
  const { project } = useProject();
  const { location } = useRouter();
  const flagParam = location.search.get('flag') ?? undefined;
  const envParam = location.search.get('env') ?? undefined;
  const start = useMemo(
    () => ({
      ...(flagParam === undefined ? {} : { flag: flagParam }),
      ...(envParam === undefined ? {} : { environment: envParam }),
    }),
    [flagParam, envParam],
  );
  const rule = useResource(ruleId === undefined ? null : `alert:${ruleId}`, (signal) =>
    api.get<AlertView>(`/api/v1/alerts/${encodeURIComponent(ruleId ?? '')}`, { signal }),
  );
  const stored = rule.data;
  const flagKey = stored?.flag;
  const flags = useResource(
    ruleId === undefined
      ? `alert-flags:${project}`
      : flagKey === undefined
        ? null
        : `alert-flag:${project}:${flagKey}`,
    async (signal): Promise<FlagView[]> => {
      if (flagKey !== undefined)
        return [
          await api.get<FlagView>(`/api/v1/flags/${encodeURIComponent(flagKey)}`, {
            query: { project },
            signal,
          }),
        ];
      const page = await api.get<Page<FlagView>>('/api/v1/flags', {
        query: { project, limit: FLAG_CHOICES },
        signal,
      });
      return page.items.filter((f) => !f.archived);
    },
  );
  return (
    <>
      <p className="breadcrumb">
        <Link href={paths.alerts}>Alerts</Link> /{' '}
        {ruleId === undefined ? 'New alert rule' : (stored?.name ?? '…')}
      </p>
      <h1>{ruleId === undefined ? 'New alert rule' : (stored?.name ?? 'Alert rule')}</h1>
      <ErrorBanner error={flags.error} onRetry={flags.reload} />
      {ruleId === undefined ? (
        <AlertForm
          stored={undefined}
          start={start}
          flags={flags.data ?? []}
          onSaved={() => {}}
          onReload={() => {}}
        />
      ) : stored === undefined ? (
        rule.error === undefined ? (
          <p className="loading">Loading…</p>
        ) : (
          <ErrorBanner error={rule.error} onRetry={rule.reload} />
        )
      ) : (
        <>
          <p className="alert-status">
            <AlertStatePill state={stored.state} /> since {formatTime(stored.stateSince)} · last evaluated{' '}
            {formatTime(stored.lastEvaluatedAt)}
            {stored.lastValue !== null &&
              ` · worst figure ${metricValueText(stored.metric, stored.lastValue)}${stored.lastVariant === null ? '' : ` (${stored.lastVariant})`}`}
          </p>
          {stored.lastError !== null && (
            <p className="danger-text">Last evaluation failed: {stored.lastError}</p>
          )}
          <AlertForm
            stored={stored}
            start={start}
            flags={flags.data ?? []}
            onSaved={rule.setData}
            onReload={rule.reload}
          />
          <AlertHistory ruleId={stored.id} metric={stored.metric} />
        </>
      )}
    </>
  );
}
