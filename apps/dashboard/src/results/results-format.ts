/**
 * How results read: the same figure is written the same way in the table, the comparisons, the verdict
 * and the charts. Locale-independent (the dashboard is in English), and `—` for a figure that is unknown.
 */

export const UNKNOWN = '—';

const MINUS = '−';

type Figure = number | null | undefined;

const known = (value: Figure): value is number => typeof value === 'number' && Number.isFinite(value);

/** `1234567` → `1,234,567` (integers; others are rounded). */
export function formatCount(value: Figure): string {
  if (!known(value)) return UNKNOWN;
  const rounded = Math.round(Math.abs(value));
  const grouped = String(rounded).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return value < 0 && rounded !== 0 ? `${MINUS}${grouped}` : grouped;
}

/** A number with `digits` significant digits, without trailing zeros or exponent (`0.000123`). */
function significant(value: number, digits: number): string {
  if (value === 0) return '0';
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  const decimals = Math.min(Math.max(digits - 1 - magnitude, 0), 12);
  return Number(value.toFixed(decimals))
    .toFixed(decimals)
    .replace(/\.?0+$/, '');
}

/** Plain text of a magnitude: grouped above 1,000, else 3 significant digits. */
function magnitudeText(value: number): string {
  const abs = Math.abs(value);
  return abs >= 1000 ? formatCount(abs) : significant(abs, 3);
}

function signed(value: number, text: string, explicitPlus: boolean): string {
  if (text === '0' || value === 0) return text;
  if (value < 0) return `${MINUS}${text}`;
  return explicitPlus ? `+${text}` : text;
}

/** A share in [0, 1] as a percentage: `0.519` → `51.9%`, `0.0271` → `2.71%`, `0.000536` → `0.0536%`. */
export function formatPercent(value: Figure, { sign = false }: { sign?: boolean } = {}): string {
  if (!known(value)) return UNKNOWN;
  const percent = value * 100;
  const abs = Math.abs(percent);
  const text = abs >= 10 ? abs.toFixed(1).replace(/\.0$/, '') : significant(abs, 3);
  return `${signed(percent, text, sign)}%`;
}

/** A difference of two rates, in percentage points: `0.0041` → `+0.41 pp`. */
export function formatPoints(value: Figure): string {
  if (!known(value)) return UNKNOWN;
  const points = value * 100;
  return `${signed(points, significant(Math.abs(points), 3), true)} pp`;
}

/** Milliseconds: `3197.8` → `3,198 ms`, `41.26` → `41.3 ms`. */
export function formatMs(value: Figure, { sign = false }: { sign?: boolean } = {}): string {
  if (!known(value)) return UNKNOWN;
  const abs = Math.abs(value);
  const text = abs >= 100 ? formatCount(abs) : significant(abs, 3);
  return `${signed(value, text, sign)} ms`;
}

/** US dollars: `2.8139` → `$2.81`, `0.0019467` → `$0.00195`, `1234.5` → `$1,234.50`. */
export function formatUsd(value: Figure, { sign = false }: { sign?: boolean } = {}): string {
  if (!known(value)) return UNKNOWN;
  const abs = Math.abs(value);
  let text: string;
  if (abs >= 1000) text = `${formatCount(Math.trunc(abs))}.${abs.toFixed(2).slice(-2)}`;
  else if (abs >= 1) text = abs.toFixed(2);
  else text = significant(abs, 3);
  return signed(value, `$${text}`, sign);
}

/** A score in [0, 1] (quality): `0.84094` → `0.841`; differences get a sign. */
export function formatScore(value: Figure, { sign = false }: { sign?: boolean } = {}): string {
  if (!known(value)) return UNKNOWN;
  const abs = Math.abs(value);
  const text = abs >= 0.01 || abs === 0 ? abs.toFixed(3) : significant(abs, 2);
  return signed(value, text, sign);
}

/** A plain number with 3 significant digits (or grouped when large): chi-square, custom metrics. */
export function formatNumber(value: Figure, { sign = false }: { sign?: boolean } = {}): string {
  if (!known(value)) return UNKNOWN;
  return signed(value, magnitudeText(value), sign);
}

/** A p-value: `< 0.001`, `0.028`, `0.33`. */
export function formatPValue(value: Figure): string {
  if (!known(value)) return UNKNOWN;
  if (value < 0.001) return '< 0.001';
  if (value >= 0.1) return value.toFixed(2);
  return value.toFixed(3);
}

/** `p = 0.028`, `p < 0.001`: a p-value with its name. */
export function formatP(value: Figure): string {
  const text = formatPValue(value);
  return text.startsWith('<') ? `p ${text}` : `p = ${text}`;
}

const UNITS: readonly [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['min', 60_000],
  ['s', 1000],
];

/** A duration in words, to its two largest units: `108722098` → `1 d 6 h`, `90000` → `1 min 30 s`. */
export function formatDuration(ms: Figure): string {
  if (!known(ms)) return UNKNOWN;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const parts: string[] = [];
  let rest = Math.round(ms);
  let started = false;
  for (const [unit, size] of UNITS) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (!started && count === 0) continue;
    if (count > 0) parts.push(`${count} ${unit}`);
    if (started) break;
    started = true;
  }
  return parts.join(' ');
}

/** An interval `[a, b]` written with a formatter. */
export function formatInterval(ci: readonly [number, number], format: (v: number) => string): string {
  return `[${format(ci[0])}, ${format(ci[1])}]`;
}
