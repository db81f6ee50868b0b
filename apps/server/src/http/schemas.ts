import { z } from 'zod';
import { ValidationError, VersionRequiredError } from './errors.js';

/** Keys of flags, segments, projects and environments: lowercase letters and digits, single separators. */
export const slug = z
  .string()
  .max(100)
  .regex(
    /^[a-z0-9]+(?:[-_.][a-z0-9]+)*$/,
    'must be a slug: lowercase letters and digits, separated by single - _ or .',
  );

/** The project a request is about; `default` when not given. */
export const projectQuery = z.object({ project: slug.default('default') });

/** Versions are stored as 32-bit integers; nothing legitimate comes near the limit. */
export const MAX_VERSION = 2_147_483_647;

/** A version read earlier, sent back with a change. */
export const version = z.number().int().min(0).max(MAX_VERSION);

/** The error body of every 4xx and 5xx. */
export const errorResponse = z.object({
  error: z.string(),
  message: z.string(),
  field: z.string().optional(),
  currentVersion: z.number().optional(),
});

/** Cursor pagination of lists: at most `limit` items, then `nextCursor` for the next page. */
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});

/**
 * The version a change was based on: the `version` field of the body, or the `If-Match` header
 * (`"3"`, `3` or `W/"3"`). Changes without either are refused (428): no lost updates.
 */
export function expectedVersion(headers: Record<string, unknown>, bodyVersion: number | undefined): number {
  if (bodyVersion !== undefined) return bodyVersion;
  const header = headers['if-match'];
  if (typeof header === 'string') {
    const m = /^(?:W\/)?"?(\d{1,10})"?$/.exec(header.trim());
    if (m !== null && Number(m[1]) <= MAX_VERSION) return Number(m[1]);
    throw new ValidationError('headers.if-match', `must be a version between 0 and ${MAX_VERSION}, like "3"`);
  }
  throw new VersionRequiredError();
}
