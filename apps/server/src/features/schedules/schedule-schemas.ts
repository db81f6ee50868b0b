import { z } from 'zod';
import { slug } from '../../http/schemas.js';
import { serveSchema } from '../flags/flag-schemas.js';
import { SCHEDULE_ACTIONS, SCHEDULE_STATUSES } from './schedule-store.js';

const at = z.iso.datetime({ offset: true }).describe('When to apply it (ISO-8601, not in the past)');

export const scheduleCreateSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('enable'), at }).strict(),
  z.object({ action: z.literal('disable'), at }).strict(),
  z
    .object({
      action: z.literal('fallthrough'),
      at,
      fallthrough: serveSchema.describe(
        'What the flag serves when no target or rule matches: a variant or a split',
      ),
    })
    .strict(),
]);
export type ScheduleCreate = z.infer<typeof scheduleCreateSchema>;

export const scheduleViewSchema = z.object({
  id: z.string(),
  project: z.string(),
  flag: z.string(),
  environment: z.string(),
  action: z.enum(SCHEDULE_ACTIONS),
  fallthrough: serveSchema.nullable(),
  at: z.string(),
  status: z.enum(SCHEDULE_STATUSES),
  createdVersion: z.number().describe("The flag's configuration version when the change was scheduled"),
  appliedVersion: z.number().nullable().describe('The version the change wrote'),
  result: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.string(),
  finishedAt: z.string().nullable(),
});
export type ScheduleView = z.infer<typeof scheduleViewSchema>;

export const scheduleListQuerySchema = z
  .object({
    project: slug.default('default'),
    status: z.enum(SCHEDULE_STATUSES).optional(),
  })
  .strict();
