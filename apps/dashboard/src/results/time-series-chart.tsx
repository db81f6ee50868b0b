import { useEffect, useId, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ChartData } from './series-data.js';

interface Props {
  title: string;
  description: string;
  data: ChartData;
  /** The lines, in the order of `data.lines`. */
  variants: readonly { name: string; tone: number }[];
  format: (value: number) => string;
}

const HEIGHT = 200;
const FONT = '12px system-ui, sans-serif';
const MIN_WIDTH = 160;
const FALLBACK_TONES = ['#1f4fd1', '#e08a1e', '#2a9d6a', '#9b4dca', '#d1495b', '#5b6476'];

/** The stylesheet's colours (`--tone-0`...), so lines match the swatches. */
function cssColour(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value === '' ? fallback : value;
}

/**
 * One metric per variant over the hours, drawn by uPlot on a canvas: a line per variant in its colour,
 * a legend that shows the hovered hour's values, and a width that follows its container.
 */
export function TimeSeriesChart({ title, description, data, variants, format }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();

  useEffect(() => {
    const container = ref.current;
    if (container === null) return;
    const text = cssColour('--muted', '#5b6476');
    const grid = cssColour('--line', '#d9dee7');
    const widthOf = () => Math.max(Math.floor(container.clientWidth), MIN_WIDTH);
    const axis = {
      stroke: text,
      grid: { stroke: grid, width: 1 },
      ticks: { stroke: grid, width: 1 },
      font: FONT,
    };
    // The value axis is as wide as its longest label (`10,000 ms`, `$0.0015`), plus its ticks.
    const measure = document.createElement('canvas').getContext('2d');
    if (measure !== null) measure.font = FONT;
    const labelWidth = (label: string) => measure?.measureText(label).width ?? label.length * 7;
    const axisSize = (_u: uPlot, values: string[] | null) =>
      values === null ? 40 : Math.ceil(Math.max(0, ...values.map(labelWidth))) + 20;
    const options: uPlot.Options = {
      width: widthOf(),
      height: HEIGHT,
      series: [
        { label: 'Hour' },
        ...variants.map((v) => ({
          label: v.name,
          stroke: cssColour(`--tone-${v.tone % 6}`, FALLBACK_TONES[v.tone % 6] ?? '#1f4fd1'),
          width: 2,
          spanGaps: false,
          points: { size: 5 },
          value: (_u: uPlot, value: number | null) => (value === null ? '—' : format(value)),
        })),
      ],
      scales: {
        x: { time: true },
        // From zero: a rate or a cost read against its baseline, not magnified.
        y: { range: (_u, _min, max) => [0, max !== null && max > 0 ? max * 1.1 : 1] },
      },
      axes: [
        axis,
        {
          ...axis,
          size: axisSize,
          values: (_u, splits) => splits.map((v) => format(v)),
        },
      ],
      legend: { live: true },
      cursor: { focus: { prox: 16 } },
    };
    const chart = new uPlot(options, [data.x, ...data.lines] as uPlot.AlignedData, container);
    let width = widthOf();
    const observer = new ResizeObserver(() => {
      const next = widthOf();
      if (next === width) return;
      width = next;
      chart.setSize({ width, height: HEIGHT });
    });
    observer.observe(container);
    return () => {
      observer.disconnect();
      chart.destroy();
    };
  }, [data, variants, format]);

  return (
    <figure className="chart" aria-labelledby={titleId} data-chart={title}>
      <figcaption>
        <h4 id={titleId}>{title}</h4>
        <p className="hint">{description}</p>
      </figcaption>
      <div ref={ref} className="chart-canvas" />
    </figure>
  );
}
