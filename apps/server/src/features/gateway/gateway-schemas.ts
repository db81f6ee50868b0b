import { z } from 'zod';
import { jsonDepth, MAX_JSON_DEPTH } from '../../http/storable.js';

/** Limits of one gateway request, besides its size. */
export const GATEWAY_LIMITS = {
  messages: 10_000,
  tools: 512,
  stopSequences: 16,
  /** Unit ids are stored with generations, as event unit ids are. */
  unitLength: 200,
  modelLength: 256,
} as const;

const DEPTH_MESSAGE = `must not nest deeper than ${MAX_JSON_DEPTH} levels`;
const shallow = (body: unknown) => jsonDepth(body) <= MAX_JSON_DEPTH;

/** A content part: a text part, or any other part a provider takes (images…), forwarded as it is. */
const part = z.looseObject({ type: z.string().min(1) });

const openAiMessage = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: z.union([z.string(), z.array(part), z.null()]).optional(),
});

const openAiTool = z.looseObject({
  type: z.string().min(1),
  function: z.looseObject({ name: z.string().min(1).max(128) }).optional(),
});

/**
 * A chat completions request as `POST /v1/chat/completions` takes it. Fields the gateway reads are
 * checked; every other field is kept and forwarded as sent. `model` is `flag:<key>`, or anything when
 * the flag is named by the `x-switchboard-flag` header.
 */
export const openAiChatBody = z
  .looseObject({
    model: z
      .string()
      .min(1)
      .max(GATEWAY_LIMITS.modelLength)
      .describe('flag:<key>, or any model name when x-switchboard-flag names the flag'),
    messages: z.array(openAiMessage).max(GATEWAY_LIMITS.messages),
    stream: z.boolean().nullable().optional(),
    stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullable().optional(),
    user: z.string().max(GATEWAY_LIMITS.unitLength).optional().describe('The unit flags are evaluated for'),
    temperature: z.number().min(0).max(2).nullable().optional(),
    top_p: z.number().min(0).max(1).nullable().optional(),
    max_tokens: z.number().int().min(1).nullable().optional(),
    max_completion_tokens: z.number().int().min(1).nullable().optional(),
    // null as a branch, not .nullable(): OpenAPI 3.0 has no nullable without a type.
    stop: z.union([z.string(), z.array(z.string()).max(GATEWAY_LIMITS.stopSequences), z.null()]).optional(),
    presence_penalty: z.number().min(-2).max(2).nullable().optional(),
    frequency_penalty: z.number().min(-2).max(2).nullable().optional(),
    seed: z.number().int().nullable().optional(),
    tools: z.array(openAiTool).max(GATEWAY_LIMITS.tools).optional(),
  })
  .refine(shallow, { message: DEPTH_MESSAGE });

export type OpenAiChatBody = z.infer<typeof openAiChatBody>;

const anthropicContent = z.union([z.string(), z.array(part)]);

const anthropicTool = z.looseObject({ name: z.string().min(1).max(128), type: z.string().optional() });

/**
 * A messages request as `POST /v1/messages` takes it. Fields the gateway reads are checked; every
 * other field is kept and forwarded as sent.
 */
export const anthropicMessagesBody = z
  .looseObject({
    model: z
      .string()
      .min(1)
      .max(GATEWAY_LIMITS.modelLength)
      .describe('flag:<key>, or any model name when x-switchboard-flag names the flag'),
    max_tokens: z.number().int().min(1),
    messages: z
      .array(z.looseObject({ role: z.enum(['user', 'assistant']), content: anthropicContent }))
      .max(GATEWAY_LIMITS.messages),
    system: z.union([z.string(), z.array(part)]).optional(),
    metadata: z
      .looseObject({
        user_id: z
          .string()
          .max(GATEWAY_LIMITS.unitLength)
          .nullable()
          .optional()
          .describe('The unit flags are evaluated for'),
      })
      .optional(),
    stream: z.boolean().optional(),
    temperature: z.number().min(0).max(1).optional(),
    top_p: z.number().min(0).max(1).optional(),
    top_k: z.number().int().min(0).optional(),
    stop_sequences: z.array(z.string()).max(GATEWAY_LIMITS.stopSequences).optional(),
    tools: z.array(anthropicTool).max(GATEWAY_LIMITS.tools).optional(),
  })
  .refine(shallow, { message: DEPTH_MESSAGE });

export type AnthropicMessagesBody = z.infer<typeof anthropicMessagesBody>;

/** The headers the gateway reads (besides the key), documented. */
export const gatewayHeaders = z.looseObject({
  'x-switchboard-flag': z.string().optional().describe('The flag, when model does not say flag:<key>'),
  'x-switchboard-user': z
    .string()
    .optional()
    .describe('The unit flags are evaluated for; wins over the body’s user / metadata.user_id'),
  'x-switchboard-context': z
    .string()
    .optional()
    .describe('JSON object of context attributes for targeting rules'),
  'x-switchboard-variables': z
    .string()
    .optional()
    .describe('JSON object of the values of the variant’s {{variables}}'),
  'x-switchboard-precedence': z
    .string()
    .optional()
    .describe('variant (default): the variant’s params win; request: the request’s win'),
});

/** Admin keys name the environment; server keys are bound to theirs. */
export const gatewayQuery = z.object({
  project: z.string().max(100).optional(),
  environment: z.string().max(100).optional(),
});
