import { ChangeType } from '@switchboard/core';
import { z } from 'zod';
import { slug } from '../../http/schemas.js';
import { policySettingsSchema } from '../experiments/experiment-schemas.js';

const DAY_MS = 86_400_000;
const variantKey = z.string().min(1).max(100);
const duration = z
  .number()
  .int()
  .min(0)
  .max(365 * DAY_MS);
const minUnits = z.number().int().min(0).max(1_000_000_000).describe('Units per arm; never below 100');
const changeType = z.enum(Object.values(ChangeType) as [ChangeType, ...ChangeType[]]);

export const stageSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('shadow'),
      sampleRate: z
        .number()
        .min(0.0001)
        .max(1)
        .describe("Share of the control's requests also run on the candidate"),
      minDurationMs: duration,
      minUnitsPerArm: minUnits.describe('Shadow calls needed (they stand for units)'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('targeting'),
      segment: slug.describe('The segment served the candidate (internal or beta users)'),
      minDurationMs: duration,
      minUnitsPerArm: minUnits,
    })
    .strict(),
  z
    .object({
      kind: z.literal('percentage'),
      percent: z
        .number()
        .min(0.001)
        .max(100)
        .describe("The candidate's share of the fallthrough, in percent"),
      minDurationMs: duration,
      minUnitsPerArm: minUnits,
    })
    .strict(),
]);

const optionalStage = { minDurationMs: duration.optional(), minUnitsPerArm: minUnits.optional() };

export const planCreateSchema = z
  .object({
    candidate: variantKey.describe('The variant rolled out'),
    control: variantKey
      .optional()
      .describe(
        "Who gets the rest: default the promotion policy's control, a variant named control, or the served one",
      ),
    preset: changeType
      .optional()
      .describe("The preset's percentage stages (default: the flag's change type); ignored with stages"),
    stages: z
      .array(stageSchema)
      .min(1)
      .max(20)
      .optional()
      .describe(
        'Every stage, in order (a preset edited): optional shadow, optional targeting, then rising percentages ending at 100',
      ),
    shadow: z
      .object({ sampleRate: z.number().min(0.0001).max(1), ...optionalStage })
      .strict()
      .optional()
      .describe("Before the preset's stages: a shadow stage (ai-config flags)"),
    targeting: z
      .object({ segment: slug, ...optionalStage })
      .strict()
      .optional()
      .describe("Before the preset's stages: the segment gets the candidate first"),
    policy: policySettingsSchema
      .optional()
      .describe("Settings over the flag's promotion policy in the environment (only those given change)"),
    costCapPerDayUsd: z
      .number()
      .min(0)
      .max(1_000_000_000)
      .nullable()
      .optional()
      .describe("The candidate's budget per day: a stage whose projected spend exceeds it holds"),
  })
  .strict();
export type PlanCreate = z.infer<typeof planCreateSchema>;

export const planActionSchema = z
  .object({
    reason: z.string().min(1).max(1000).optional().describe('Recorded in the timeline and audit log'),
  })
  .strict();

export const planListQuerySchema = z
  .object({
    project: slug.default('default'),
    environment: slug.optional(),
    flag: slug.optional(),
    status: z
      .union([z.enum(['active', 'paused', 'completed', 'rolled-back', 'live']), z.array(z.string())])
      .optional()
      .describe('active, paused, completed, rolled-back, or live (active and paused)'),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict();

export const timelineQuerySchema = z
  .object({
    project: slug.default('default'),
    after: z.coerce.number().int().min(0).optional().describe('Entries after this id'),
    limit: z.coerce.number().int().min(1).max(1000).default(500),
  })
  .strict();

const record = z.record(z.string(), z.unknown());

export const planViewSchema = z.object({
  id: z.string(),
  project: z.string(),
  environment: z.string(),
  flag: z.string(),
  candidate: z.string(),
  control: z.string(),
  stages: z.array(record),
  stageIndex: z.number(),
  stage: record.nullable().describe('The current stage'),
  stageStartedAt: z.string(),
  status: z.enum(['active', 'paused', 'completed', 'rolled-back']),
  reason: z.string().nullable(),
  policy: policySettingsSchema.nullable().describe("The plan's own settings over the flag's policy"),
  costCapPerDayUsd: z.number().nullable(),
  changeType: z
    .string()
    .nullable()
    .describe('The change type the plan was made for: its preset, else the flag’s own (null on older plans)'),
  version: z.number(),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
});
export type PlanView = z.infer<typeof planViewSchema>;

export const timelineEntrySchema = z.object({
  id: z.number(),
  at: z.string(),
  lastAt: z.string(),
  repeats: z.number(),
  action: z.string(),
  actor: z.string(),
  stageIndex: z.number(),
  stage: record,
  verdict: z.string().nullable(),
  cause: z.string().nullable(),
  reason: z.string(),
  figures: record.nullable(),
});
