import { useMemo, useState } from 'react';
import type {
  EnvironmentConfig,
  ExperimentResults,
  FlagView,
  PolicyView,
  SeriesPoint,
} from '../api/api-types.js';
import { useRouter } from '../routing/router.js';
import { paths } from '../routing/routes.js';
import { useProject } from '../session/project-context.js';
import { useApi } from '../session/session-context.js';
import { ErrorBanner } from '../ui/error-banner.js';
import { problemsOf } from '../ui/field-problems.js';
import { formatTime } from '../ui/format.js';
import { useResource } from '../ui/use-resource.js';
import { ComparisonCard } from './comparison-card.js';
import { ControlPicker } from './control-picker.js';
import { MetricCharts } from './metric-charts.js';
import { PolicyEditor } from './policy-editor.js';
import { ResultsEmpty } from './results-empty.js';
import { ResultsNotices } from './results-notices.js';
import { describeWindow, type ResultsWindow, rangeOf, windowOf, windowQuery } from './results-window.js';
import { SampleRatioCheck } from './sample-ratio-check.js';
import { ShadowSection } from './shadow-section.js';
import { VariantTable } from './variant-table.js';
import { VerdictHeadline } from './verdict-headline.js';
import { WindowPicker } from './window-picker.js';

interface Props {
  flag: FlagView;
  environment: string;
  config: EnvironmentConfig;
}

/** Whether anything at all was recorded for the flag in the window. */
function hasData(results: ExperimentResults): boolean {
  return results.variants.some((v) => v.units > 0 || v.exposures > 0 || v.requests > 0 || v.quality.n > 0);
}

/**
 * A flag's results in one environment over a time window: the verdict on each candidate, every
 * variant's figures, the sample-ratio check, the differences with their intervals, the hourly charts,
 * and the promotion policy they are judged by. The window and a control picked for the view are in
 * the page's address, so a view can be shared.
 */
export function ResultsPanel({ flag, environment, config }: Props) {
  const api = useApi();
  const { project } = useProject();
  const { location, navigate } = useRouter();
  const timeWindow = windowOf(location.search);
  const asked = location.search.get('control');
  const control = asked !== null && flag.variants.some((v) => v.key === asked) ? asked : undefined;
  const [loadedAt, setLoadedAt] = useState<string>();
  const base = `/api/v1/flags/${encodeURIComponent(flag.key)}`;
  const windowKey = JSON.stringify(windowQuery(timeWindow));
  // A change of targeting (the split) changes the sample-ratio check: read again.
  const scope = `${project}/${flag.key}/${environment}/${windowKey}/${config.version}`;

  const results = useResource(`results:${scope}/${control ?? ''}`, async (signal) => {
    const range = rangeOf(timeWindow, Date.now());
    const data = await api.get<ExperimentResults>(`${base}/results`, {
      query: { project, env: environment, ...range, control },
      signal,
    });
    setLoadedAt(new Date().toISOString());
    return data;
  });
  const series = useResource(`series:${scope}`, (signal) =>
    api.get<{ items: SeriesPoint[] }>(`${base}/results/series`, {
      query: { project, env: environment, ...rangeOf(timeWindow, Date.now()) },
      signal,
    }),
  );
  const policy = useResource(`policy:${project}/${flag.key}/${environment}`, (signal) =>
    api.get<PolicyView>(`${base}/environments/${encodeURIComponent(environment)}/policy`, {
      query: { project },
      signal,
    }),
  );

  const show = (next: { window?: ResultsWindow; control?: string | undefined }) => {
    const w = next.window ?? timeWindow;
    const c = 'control' in next ? next.control : control;
    navigate(paths.flag(flag.key, environment, { view: 'results', ...windowQuery(w), control: c }), {
      replace: true,
    });
  };
  const refresh = () => {
    results.reload();
    series.reload();
  };

  const data = results.data;
  const variants = useMemo(() => data?.variants.map((v) => v.variant) ?? [], [data]);
  const tones = useMemo(() => {
    // Colours follow the flag's variants, so a variant keeps its colour whatever the window or control.
    const order = [
      ...flag.variants.map((v) => v.key),
      ...variants.filter((v) => !flag.variants.some((f) => f.key === v)),
    ];
    return new Map(order.map((v, i) => [v, i]));
  }, [flag.variants, variants]);
  const windowProblems = problemsOf(results.error).filter((p) => p.field.startsWith('querystring.'));

  return (
    <div className="results" data-testid="results">
      <div className="results-toolbar">
        <WindowPicker value={timeWindow} onChange={(w) => show({ window: w })} problems={windowProblems} />
        <ControlPicker
          variants={flag.variants.map((v) => v.key)}
          value={data?.control}
          picked={control !== undefined}
          onChange={(c) => show({ control: c })}
        />
        <div className="results-refresh">
          <button type="button" className="button" onClick={refresh} disabled={results.loading}>
            {results.loading ? 'Loading…' : 'Refresh'}
          </button>
          <span className="hint" data-testid="results-as-of">
            {describeWindow(timeWindow, formatTime)}
            {loadedAt === undefined ? '' : ` · as of ${formatTime(loadedAt)}`}
          </span>
        </div>
      </div>
      {windowProblems.length === 0 && <ErrorBanner error={results.error} onRetry={results.reload} />}
      {data === undefined ? (
        results.error === undefined && <p className="loading">Loading…</p>
      ) : (
        <div
          className={results.loading ? 'results-body is-loading' : 'results-body'}
          aria-busy={results.loading}
        >
          <ResultsNotices flag={flag} environment={environment} config={config} results={data} />
          {!hasData(data) ? (
            <ResultsEmpty
              flagKey={flag.key}
              variant={data.control}
              environment={environment}
              allData={timeWindow.name === 'all'}
              onShowAll={() => show({ window: { name: 'all' } })}
            />
          ) : (
            <>
              <VerdictHeadline results={data} tones={tones} />
              <VariantTable results={data} tones={tones} />
              <ShadowSection results={data} tones={tones} />
              <SampleRatioCheck results={data} tones={tones} />
              {data.comparisons.map((c) => (
                <ComparisonCard key={c.variant} comparison={c} policy={data.policy} tones={tones} />
              ))}
              <MetricCharts series={series} variants={variants} tones={tones} />
            </>
          )}
        </div>
      )}
      <ErrorBanner error={policy.error} onRetry={policy.reload} />
      {policy.data !== undefined && (
        <PolicyEditor
          flag={flag}
          environment={environment}
          view={policy.data}
          onSaved={(saved) => {
            policy.setData(saved);
            results.reload();
          }}
          onReload={policy.reload}
        />
      )}
    </div>
  );
}
