import { BUCKET_SCALE, ChangeType, FlagKind, Operator } from '@switchboard/core';
import { z } from 'zod';
import { slug, version } from '../../http/schemas.js';
import { storableJson, storableText } from '../../http/storable.js';

/** Limits that keep one flag's document bounded. */
export const LIMITS = {
  variants: 100,
  rules: 200,
  clausesPerRule: 50,
  valuesPerClause: 1000,
  targets: 100,
  unitIdsPerTarget: 10_000,
  prerequisites: 20,
  splitEntries: 100,
  tags: 50,
} as const;

const tag = z
  .string()
  .max(64)
  .regex(/^[a-z0-9][a-z0-9:_.-]*$/, 'must be lowercase letters, digits and : _ . -');
const attribute = z.string().min(1).max(256);
const unitId = z.string().min(1).max(512);
const variantKey = z.string().min(1).max(100);
const clauseValue = z.union([z.string().max(1024), z.number().finite(), z.boolean()]);

export const clauseSchema = z.object({
  attribute: attribute.optional().describe('The context attribute; not needed for inSegment'),
  op: z.enum(Object.values(Operator) as [Operator, ...Operator[]]),
  values: z.array(clauseValue).max(LIMITS.valuesPerClause),
  negate: z.boolean().optional(),
});

export const serveSchema = z.union([
  z.object({ variant: variantKey }).strict(),
  z
    .object({
      split: z
        .array(z.object({ variant: variantKey, weight: z.number().int().min(0).max(BUCKET_SCALE) }))
        .min(1)
        .max(LIMITS.splitEntries)
        .describe(`Weights in units of 0.001%, totalling ${BUCKET_SCALE}`),
      bucketBy: attribute.optional(),
    })
    .strict(),
]);

export const ruleSchema = z.object({
  id: z.string().min(1).max(100).optional().describe('Generated when absent'),
  description: z.string().max(1000).optional(),
  clauses: z.array(clauseSchema).max(LIMITS.clausesPerRule),
  serve: serveSchema,
});

export const targetSchema = z.object({
  variant: variantKey,
  values: z.array(unitId).max(LIMITS.unitIdsPerTarget),
});

export const prerequisiteSchema = z.object({ flag: slug, variant: variantKey });

const message = z.object({
  role: z.enum(['system', 'user', 'assistant', 'developer']),
  content: z.string().max(100_000).describe('May contain {{variables}}'),
});
const providerModel = z.object({
  provider: z.string().min(1).max(64),
  model: z.string().min(1).max(200),
});

/** The value of an `ai-config` variant (DESIGN.md §2). */
export const aiConfigSchema = z
  .object({
    provider: z
      .string()
      .min(1)
      .max(64)
      .describe('openai, anthropic, an OpenAI-compatible server, or simulated'),
    model: z.string().min(1).max(200),
    messages: z.array(message).max(100).default([]),
    params: z
      .object({
        temperature: z.number().min(0).max(2).optional(),
        topP: z.number().min(0).max(1).optional(),
        maxTokens: z.number().int().min(1).max(10_000_000).optional(),
        contextWindow: z.number().int().min(1).max(100_000_000).optional(),
        stop: z.array(z.string().max(100)).max(16).optional(),
        presencePenalty: z.number().min(-2).max(2).optional(),
        frequencyPenalty: z.number().min(-2).max(2).optional(),
        seed: z.number().int().optional(),
      })
      .strict()
      .default({}),
    tools: z
      .array(
        z.object({
          name: z.string().min(1).max(64),
          mode: z
            .enum(['enabled', 'observe', 'off'])
            .describe('observe: the model may call it, the call is only logged'),
          description: z.string().max(4000).optional(),
          parameters: z.record(z.string(), z.unknown()).optional().describe('JSON Schema of the arguments'),
        }),
      )
      .max(128)
      .default([]),
    fallbacks: z
      .array(providerModel)
      .max(10)
      .default([])
      .describe('Tried in order on rate limits and errors'),
    pricing: z
      .object({
        inputPerMillion: z.number().min(0).describe('USD per million input tokens'),
        outputPerMillion: z.number().min(0).describe('USD per million output tokens'),
      })
      .optional()
      .describe('Overrides the built-in price table'),
  })
  .strict();

export type AiConfig = z.infer<typeof aiConfigSchema>;

export const variantSchema = z.object({
  key: variantKey,
  value: storableJson().describe("A value of the flag's kind"),
  name: z.string().max(200).optional(),
  description: z.string().max(2000).optional(),
});

/** Shadow mode: the variant also run, in the background, on a share of requests (ai-config flags). */
export const shadowSchema = z
  .object({
    variant: variantKey.describe("One of the flag's variants"),
    sampleRate: z.number().min(0).max(1).describe('Share of requests, in [0, 1], that also run it'),
  })
  .strict();

/** A flag's configuration in one environment, as sent by clients (every field optional in a patch). */
export const environmentPatchSchema = z
  .object({
    enabled: z.boolean().optional(),
    offVariant: variantKey.nullable().optional().describe('null: serve the caller default when off'),
    targets: z.array(targetSchema).max(LIMITS.targets).optional(),
    rules: z.array(ruleSchema).max(LIMITS.rules).optional(),
    fallthrough: serveSchema.optional(),
    prerequisites: z.array(prerequisiteSchema).max(LIMITS.prerequisites).optional(),
    retryAfterSeconds: z.number().int().min(0).max(86_400).nullable().optional(),
    shadow: shadowSchema
      .nullable()
      .optional()
      .describe('ai-config flags: a variant run beside the served one on sampled requests; null: none'),
    version: version.optional().describe('The version read; or send If-Match'),
  })
  .strict();

export const flagCreateSchema = z
  .object({
    key: slug,
    kind: z.enum(Object.values(FlagKind) as [FlagKind, ...FlagKind[]]),
    name: storableText({ min: 1, max: 200 }).optional(),
    description: storableText({ max: 10_000 }).optional(),
    variants: z.array(variantSchema).min(1).max(LIMITS.variants),
    tags: z.array(tag).max(LIMITS.tags).optional(),
    changeType: z.enum(Object.values(ChangeType) as [ChangeType, ...ChangeType[]]).optional(),
  })
  .strict();

export const flagPatchSchema = z
  .object({
    name: storableText({ min: 1, max: 200 }).optional(),
    description: storableText({ max: 10_000 }).optional(),
    variants: z.array(variantSchema).min(1).max(LIMITS.variants).optional(),
    tags: z.array(tag).max(LIMITS.tags).optional(),
    changeType: z.enum(Object.values(ChangeType) as [ChangeType, ...ChangeType[]]).optional(),
    version: version.optional(),
  })
  .strict();

export const versionBodySchema = z.object({ version: version.optional() }).strict();

export const flagListQuerySchema = z.object({
  project: slug.default('default'),
  q: z.string().max(200).optional().describe('Matches key, name or description'),
  tag: z
    .union([tag, z.array(tag)])
    .optional()
    .describe('Flags having every tag given'),
  kind: z.enum(Object.values(FlagKind) as [FlagKind, ...FlagKind[]]).optional(),
  archived: z.enum(['true', 'false', 'all']).default('false'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});

const clauseViewSchema = z.object({
  attribute: z.string().optional(),
  op: z.string(),
  values: z.array(z.unknown()),
  negate: z.boolean().optional(),
});

export const environmentViewSchema = z.object({
  enabled: z.boolean(),
  offVariant: z.string().nullable(),
  targets: z.array(targetSchema),
  rules: z.array(
    z.object({
      id: z.string(),
      description: z.string().optional(),
      clauses: z.array(clauseViewSchema),
      serve: serveSchema,
    }),
  ),
  fallthrough: serveSchema,
  prerequisites: z.array(prerequisiteSchema),
  retryAfterSeconds: z.number().nullable(),
  shadow: shadowSchema.nullable(),
  version: z.number(),
});

export const flagViewSchema = z.object({
  project: z.string(),
  key: z.string(),
  name: z.string(),
  description: z.string(),
  kind: z.string(),
  variants: z.array(variantSchema),
  salt: z.string(),
  tags: z.array(z.string()),
  changeType: z.string(),
  archived: z.boolean(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
  environments: z.record(z.string(), environmentViewSchema),
});
