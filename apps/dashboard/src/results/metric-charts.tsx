import { useMemo } from 'react';
import type { SeriesPoint } from '../api/api-types.js';
import { ErrorBanner } from '../ui/error-banner.js';
import type { Resource } from '../ui/use-resource.js';
import { CHART_METRICS, chartData, hasValues, seriesVariants } from './series-data.js';
import { TimeSeriesChart } from './time-series-chart.js';

interface Props {
  series: Resource<{ items: SeriesPoint[] }>;
  /** The variants of the results, in order: their colours are kept. */
  variants: readonly string[];
  tones: ReadonlyMap<string, number>;
}

/** Each metric per variant and hour, a chart each. */
export function MetricCharts({ series, variants, tones }: Props) {
  const items = series.data?.items;
  const lines = useMemo(() => {
    const names = seriesVariants(items ?? [], variants);
    return names.map((name, i) => ({ name, tone: tones.get(name) ?? i }));
  }, [items, variants, tones]);
  const charts = useMemo(
    () =>
      CHART_METRICS.map((metric) => ({
        metric,
        data: chartData(
          items ?? [],
          lines.map((l) => l.name),
          metric,
        ),
      })),
    [items, lines],
  );

  return (
    <section className="card results-section" aria-labelledby="charts-title" data-testid="charts">
      <h3 id="charts-title">By hour</h3>
      <p className="hint">
        Per UTC hour and variant, in your time zone. Hover or tap a chart to read an hour's figures; click a
        variant in a legend to hide its line.
      </p>
      <ErrorBanner error={series.error} onRetry={series.reload} />
      {items === undefined ? (
        series.error === undefined && <p className="loading">Loading…</p>
      ) : items.length === 0 ? (
        <p className="empty">No hourly data in this window.</p>
      ) : (
        <div className="charts">
          {charts.map(({ metric, data }) =>
            hasValues(data) ? (
              <TimeSeriesChart
                key={metric.key}
                title={metric.title}
                description={metric.description}
                data={data}
                variants={lines}
                format={metric.format}
              />
            ) : (
              <figure key={metric.key} className="chart chart-empty" data-chart={metric.title}>
                <figcaption>
                  <h4>{metric.title}</h4>
                  <p className="hint">Nothing recorded in this window.</p>
                </figcaption>
              </figure>
            ),
          )}
        </div>
      )}
    </section>
  );
}
