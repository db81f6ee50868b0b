import { z } from 'zod';
import { slug, version } from '../../http/schemas.js';

const DAY_MS = 86_400_000;

/**
 * A promotion policy as stored: any subset of `PromotionPolicy` (DESIGN.md §5); missing fields take the
 * playbook's defaults (see `resolvePromotionPolicy` in @switchboard/core/stats).
 */
export const policySettingsSchema = z
  .object({
    minUnitsPerArm: z.number().int().min(100).max(1_000_000_000).optional().describe('At least 100'),
    minDurationMs: z
      .number()
      .int()
      .min(0)
      .max(365 * DAY_MS)
      .optional(),
    qualityDelta: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe('Quality may drop at most this much (absolute score)'),
    requireQualityFeedback: z.boolean().optional(),
    maxP95LatencyIncreaseMs: z.number().min(0).max(3_600_000).optional(),
    maxCostPerRequestUsd: z.number().min(0).max(1_000_000).nullable().optional().describe('null: no budget'),
    maxCostIncreaseRatio: z
      .number()
      .min(0)
      .max(1_000)
      .nullable()
      .optional()
      .describe('0.2 = +20%; null: no limit'),
    maxErrorRateIncrease: z.number().min(0).max(1).optional(),
    maxFallbackRate: z.number().min(0).max(1).optional(),
    srmThreshold: z.number().min(1e-9).max(0.5).optional(),
    alpha: z.number().min(0.0001).max(0.5).optional(),
    sequential: z.boolean().optional(),
    sequentialTuningParameter: z.number().int().min(1).max(1_000_000_000).optional(),
  })
  .strict();
export type PolicySettings = z.infer<typeof policySettingsSchema>;

export const policyBodySchema = z
  .object({
    version: version.optional(),
    control: slug.nullable().optional().describe('The control variant; null: chosen from the configuration'),
    policy: policySettingsSchema.default({}),
  })
  .strict();

const policyFigures = z.record(z.string(), z.unknown());

export const policyViewSchema = z.object({
  flag: z.string(),
  environment: z.string(),
  control: z.string().nullable(),
  settings: policySettingsSchema,
  policy: policyFigures.describe('The policy in force: the settings over the defaults'),
  version: z.number(),
  updatedAt: z.string().nullable(),
});
export type PolicyView = z.infer<typeof policyViewSchema>;

export const resultsQuerySchema = z
  .object({
    project: slug.default('default'),
    env: slug,
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    control: slug.optional().describe('Compare against this variant instead of the configured control'),
  })
  .strict();
