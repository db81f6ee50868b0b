const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?([Zz]|[+-]\d{2}:\d{2})?)?$/;

/**
 * Reads a date as milliseconds since the Unix epoch: a finite number is taken as is; a string must be
 * RFC 3339 (`2026-01-31`, `2026-01-31T12:00:00Z`, `2026-01-31T12:00:00.5+02:00`). A date without a time
 * is midnight UTC and a time without an offset is UTC, so the result never depends on the machine's
 * time zone. Returns undefined for anything else, including impossible dates like `2026-02-30`.
 */
export function parseDate(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = RFC3339.exec(value);
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4] ?? 0);
  const minute = Number(m[5] ?? 0);
  const second = Number(m[6] ?? 0);
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  // Date.UTC rolls over impossible days (Feb 30 → Mar 2); reject them instead.
  if (new Date(utc).getUTCDate() !== day) return undefined;
  const zone = m[8];
  if (zone === undefined || zone === 'Z' || zone === 'z') return utc;
  const sign = zone.startsWith('-') ? -1 : 1;
  const offsetHours = Number(zone.slice(1, 3));
  const offsetMinutes = Number(zone.slice(4, 6));
  if (offsetHours > 23 || offsetMinutes > 59) return undefined;
  return utc - sign * (offsetHours * 60 + offsetMinutes) * 60_000;
}
