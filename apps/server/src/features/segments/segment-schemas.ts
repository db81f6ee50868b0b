import { z } from 'zod';
import { errorResponse, slug, version } from '../../http/schemas.js';
import { storableText } from '../../http/storable.js';
import { clauseSchema } from '../flags/flag-schemas.js';

/** Limits that keep one segment's document bounded (values per clause: see flag-schemas.ts). */
export const SEGMENT_LIMITS = {
  clauses: 50,
  unitIds: 100_000,
} as const;

const unitIds = z
  .array(z.string().min(1).max(512))
  .max(SEGMENT_LIMITS.unitIds)
  .describe('Unit ids (targetingKey, else userId); duplicates are dropped');
const clauses = z
  .array(clauseSchema)
  .max(SEGMENT_LIMITS.clauses)
  .describe('All must match; inSegment may name other segments of the project');

export const segmentCreateSchema = z
  .object({
    key: slug,
    name: storableText({ min: 1, max: 200 }).optional(),
    description: storableText({ max: 10_000 }).optional(),
    included: unitIds.optional(),
    excluded: unitIds.optional().describe('Always wins over included and clauses'),
    clauses: clauses.optional(),
  })
  .strict();

export const segmentPatchSchema = z
  .object({
    name: storableText({ min: 1, max: 200 }).optional(),
    description: storableText({ max: 10_000 }).optional(),
    included: unitIds.optional(),
    excluded: unitIds.optional(),
    clauses: clauses.optional(),
    version: version.optional().describe('The version read; or send If-Match'),
  })
  .strict();

export const segmentViewSchema = z.object({
  project: z.string(),
  key: z.string(),
  name: z.string(),
  description: z.string(),
  included: z.array(z.string()),
  excluded: z.array(z.string()),
  clauses: z.array(
    z.object({
      attribute: z.string().optional(),
      op: z.string(),
      values: z.array(z.unknown()),
      negate: z.boolean().optional(),
    }),
  ),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** A refused delete names what still uses the segment. */
export const segmentInUseResponse = errorResponse.extend({
  flags: z.array(z.string()).optional(),
  segments: z.array(z.string()).optional(),
});
