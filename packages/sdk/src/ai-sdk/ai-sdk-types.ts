import type { wrapLanguageModel } from 'ai';

// Named through `ai` (the optional peer dependency) rather than `@ai-sdk/provider`, which the SDK does
// not depend on: these are the provider-level types of AI SDK v6 (specification v3).

/** A provider-level language model (AI SDK v6, specification v3). */
export type LanguageModelV3 = ReturnType<typeof wrapLanguageModel>;
/** The options of one `doGenerate`/`doStream` call: prompt, settings, tools, abort signal… */
export type LanguageModelCallOptions = Parameters<LanguageModelV3['doGenerate']>[0];
/** What `doGenerate` resolves to. */
export type LanguageModelGenerateResult = Awaited<ReturnType<LanguageModelV3['doGenerate']>>;
/** What `doStream` resolves to. */
export type LanguageModelStreamResult = Awaited<ReturnType<LanguageModelV3['doStream']>>;
/** One part of a provider-level stream. */
export type LanguageModelStreamPart =
  LanguageModelStreamResult['stream'] extends ReadableStream<infer P> ? P : never;
