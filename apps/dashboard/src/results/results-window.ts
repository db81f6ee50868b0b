/** The time window results are read over, as the page's query names it (`?window=24h`). */
export type WindowName = 'all' | '24h' | '7d' | 'custom';

export interface ResultsWindow {
  name: WindowName;
  /** ISO times of a custom window; either may be open. */
  from?: string;
  to?: string;
}

/** The choices, in the order they are offered. */
export const WINDOW_CHOICES: readonly { name: WindowName; label: string }[] = [
  { name: 'all', label: 'All data' },
  { name: '24h', label: 'Last 24 hours' },
  { name: '7d', label: 'Last 7 days' },
  { name: 'custom', label: 'Custom' },
];

const HOUR_MS = 3_600_000;
const LAST_MS: Partial<Record<WindowName, number>> = { '24h': 24 * HOUR_MS, '7d': 7 * 24 * HOUR_MS };

const validTime = (text: string | null): string | undefined =>
  text !== null && text !== '' && !Number.isNaN(Date.parse(text)) ? new Date(text).toISOString() : undefined;

/** The window a page's query names: all data unless it names another. */
export function windowOf(search: URLSearchParams): ResultsWindow {
  const name = search.get('window');
  if (name === '24h' || name === '7d') return { name };
  if (name === 'custom') {
    const from = validTime(search.get('from'));
    const to = validTime(search.get('to'));
    return { name, ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) };
  }
  return { name: 'all' };
}

/** The query that names a window (all data is the default, named by nothing). */
export function windowQuery(window: ResultsWindow): { window?: string; from?: string; to?: string } {
  if (window.name === 'all') return {};
  if (window.name !== 'custom') return { window: window.name };
  return { window: 'custom', from: window.from, to: window.to };
}

/**
 * The `from` and `to` of the API for a window at `nowMs` (the server rounds them to whole UTC hours).
 * A "last" window is counted back from the moment it is read.
 */
export function rangeOf(window: ResultsWindow, nowMs: number): { from?: string; to?: string } {
  const last = LAST_MS[window.name];
  if (last !== undefined) return { from: new Date(nowMs - last).toISOString() };
  if (window.name === 'custom') {
    return {
      ...(window.from === undefined ? {} : { from: window.from }),
      ...(window.to === undefined ? {} : { to: window.to }),
    };
  }
  return {};
}

/** A window in words: `Last 24 hours`, `from 1 June 2026, 12:00 to now`. */
export function describeWindow(window: ResultsWindow, formatTime: (iso: string) => string): string {
  if (window.name !== 'custom') return WINDOW_CHOICES.find((c) => c.name === window.name)?.label ?? '';
  const from = window.from === undefined ? 'the first data' : formatTime(window.from);
  const to = window.to === undefined ? 'now' : formatTime(window.to);
  return `From ${from} to ${to}`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** An ISO time as a `datetime-local` input shows it, in the reader's time zone; '' for none. */
export function localInputOf(iso: string | undefined): string {
  if (iso === undefined) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `datetime-local` input's value (local time) as an ISO time; undefined when empty or unreadable. */
export function isoOfLocalInput(text: string): string | undefined {
  if (text.trim() === '') return undefined;
  const time = new Date(text).getTime();
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}
