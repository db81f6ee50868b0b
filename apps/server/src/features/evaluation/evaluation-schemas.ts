import { z } from 'zod';
import { errorResponse, slug } from '../../http/schemas.js';
import {
  clauseSchema,
  prerequisiteSchema,
  serveSchema,
  targetSchema,
  variantSchema,
} from '../flags/flag-schemas.js';

/** Most flags one request may name in `?flags=`. */
export const MAX_FLAGS_PER_REQUEST = 1000;

/** Which environment: admin keys name one; server and client keys serve their own. */
export const environmentQuery = z.object({
  project: slug
    .optional()
    .describe('Admin keys: the project (default "default"). Other keys may only name their own.'),
  environment: slug
    .optional()
    .describe('Admin keys: required. Server and client keys serve their own environment.'),
});

export const clientEvaluateQuery = environmentQuery.extend({
  flags: z
    .string()
    .max(20_000)
    .optional()
    .describe('Comma-separated flag keys to evaluate (default: every flag)'),
});

/** Deepest nesting accepted in a context: clauses read top-level attributes, and deeper JSON only costs. */
export const MAX_CONTEXT_DEPTH = 32;

/** Whether objects and arrays nest at most `max` levels in `value` (iteratively: no stack to overflow). */
export function nestsWithin(value: unknown, max: number): boolean {
  const stack: { node: unknown; depth: number }[] = [{ node: value, depth: 0 }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (typeof next.node !== 'object' || next.node === null) continue;
    if (next.depth >= max) return false;
    for (const child of Object.values(next.node)) stack.push({ node: child, depth: next.depth + 1 });
  }
  return true;
}

const nestingMessage = `nests deeper than ${MAX_CONTEXT_DEPTH} levels`;

/** A context as browsers and OFREP providers send it: an object of attributes. */
export const contextSchema = z
  .record(z.string(), z.unknown())
  .refine((context) => nestsWithin(context, MAX_CONTEXT_DEPTH), nestingMessage)
  .describe('The evaluation context: targetingKey (or userId) and any attributes');

export const clientEvaluateBody = z.object({ context: contextSchema.optional() });

/** A value-only result: what a browser may see. */
export const clientResultSchema = z.object({
  value: z.unknown().optional().describe("Absent when the caller's own default applies"),
  variant: z.string().optional(),
  reason: z.string(),
  errorCode: z.string().optional(),
});

export const clientEvaluateResponse = z.object({ flags: z.record(z.string(), clientResultSchema) });

const snapshotFlagSchema = z.object({
  key: z.string(),
  kind: z.string(),
  variants: z.array(variantSchema),
  salt: z.string(),
  tags: z.array(z.string()).optional(),
  changeType: z.string().optional(),
  enabled: z.boolean(),
  offVariant: z.string().optional(),
  targets: z.array(targetSchema),
  rules: z.array(
    z.object({
      id: z.string(),
      description: z.string().optional(),
      clauses: z.array(clauseSchema),
      serve: serveSchema,
    }),
  ),
  fallthrough: serveSchema,
  prerequisites: z.array(prerequisiteSchema),
  version: z.number(),
  retryAfterSeconds: z.number().optional(),
  shadow: z
    .object({ variant: z.string(), sampleRate: z.number() })
    .nullable()
    .optional()
    .describe('Informational for evaluators: the variant SDKs run beside the served one on sampled requests'),
});

const segmentSchema = z.object({
  key: z.string(),
  name: z.string().optional(),
  description: z.string().optional(),
  included: z.array(z.string()),
  excluded: z.array(z.string()),
  clauses: z.array(clauseSchema),
  version: z.number().optional(),
});

/** One environment's snapshot, as `@switchboard/core` reads it. */
export const snapshotSchema = z.object({
  environment: z.string(),
  version: z.number(),
  flags: z.array(snapshotFlagSchema),
  segments: z.array(segmentSchema),
});

/**
 * A snapshot sent inline for a what-if evaluation (the dashboard's preview of an unsaved draft). Only
 * its outline is checked here: the evaluator judges the rest and serves what is malformed as PARSE_ERROR.
 */
export const inlineSnapshotSchema = z.looseObject({
  flags: z.array(z.unknown()).max(10_000),
  segments: z.array(z.unknown()).max(10_000).optional(),
});

export const evaluateBody = z
  .object({
    project: slug.default('default'),
    environment: slug.optional().describe('Evaluate against this environment as stored'),
    snapshot: inlineSnapshotSchema.optional().describe('Or against this snapshot (what-if)'),
    context: z
      .unknown()
      .refine((context) => nestsWithin(context, MAX_CONTEXT_DEPTH), nestingMessage)
      .optional()
      .describe('The evaluation context; anything but an object is reported as INVALID_CONTEXT, as SDKs do'),
    default: z.unknown().optional().describe("The caller's default value"),
    flag: z.string().max(500).optional().describe('One flag; every flag of the snapshot when absent'),
  })
  .strict();

const resultSchema = z.object({
  value: z.unknown().optional(),
  variant: z.string().optional(),
  reason: z.string(),
  ruleId: z.string().optional(),
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
});

/** How one flag evaluated, step by step (core's `explain`). */
export const explanationSchema = z.object({
  flag: z.string(),
  result: resultSchema,
  decidedBy: z.string(),
  prerequisites: z.array(
    z.object({
      flag: z.string(),
      requiredVariant: z.string(),
      servedVariant: z.string().optional(),
      reason: z.string().optional(),
      met: z.boolean(),
    }),
  ),
  rules: z.array(
    z.object({
      ruleId: z.string(),
      matched: z.boolean(),
      clauses: z.array(
        z.object({
          index: z.number(),
          attribute: z.string(),
          op: z.string(),
          negate: z.boolean(),
          actual: z.unknown().optional(),
          comparison: z.enum(['holds', 'fails', 'not-made']),
          matched: z.boolean(),
        }),
      ),
    }),
  ),
  unitId: z.string().optional(),
  bucket: z.number().optional(),
  bucketBy: z.string().optional(),
});

export const evaluateResponse = z.union([
  explanationSchema,
  z.object({
    version: z.number().optional().describe('The stored snapshot version evaluated against'),
    flags: z.array(explanationSchema),
  }),
]);

/** The body OFREP providers send; the context is optional. */
export const ofrepRequest = z.object({ context: contextSchema.optional() }).nullish();

export const ofrepSuccess = z.object({
  key: z.string(),
  reason: z.string().describe('DEFAULT, TARGETING_MATCH, SPLIT, DISABLED or PREREQUISITE_FAILED'),
  variant: z.string().optional(),
  value: z
    .unknown()
    .optional()
    .describe("Absent when the provider should use the code default (OFREP's codeDefaultFlag)"),
  metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});

export const ofrepFailure = z.object({
  key: z.string(),
  errorCode: z.string().describe('PARSE_ERROR, TARGETING_KEY_MISSING, INVALID_CONTEXT or GENERAL'),
  errorDetails: z.string(),
});

export const ofrepNotFound = z.object({
  key: z.string(),
  errorCode: z.literal('FLAG_NOT_FOUND'),
  errorDetails: z.string(),
});

export const ofrepBulkFailure = z.object({ errorCode: z.string(), errorDetails: z.string() });

export const ofrepBulkSuccess = z.object({ flags: z.array(z.union([ofrepSuccess, ofrepFailure])) });

/** 429 on the client and OFREP endpoints. */
export const rateLimitedResponse = errorResponse.extend({ retryAfterSeconds: z.number() });
