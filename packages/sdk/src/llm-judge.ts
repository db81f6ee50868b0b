import type { EvaluationContext } from '@switchboard/core';
import type { ResolvedAiConfig } from './resolved-ai-config.js';
import type { ShadowJudge } from './shadow-runner.js';

/** What {@link llmJudge} needs of the client. */
export interface JudgeClient {
  aiConfig(
    flagKey: string,
    context: EvaluationContext,
    options: { variables: Record<string, unknown> },
  ): ResolvedAiConfig;
}

/** Options of {@link llmJudge}. */
export interface LlmJudgeOptions {
  /** The client (or a function giving it, for a judge given to the client's own options). */
  client: JudgeClient | (() => JudgeClient);
  /**
   * An ai-config flag holding the grading prompt: its messages grade one answer, with the variables
   * `{{input}}` (what was asked) and `{{answer}}`, and ask for a score between 0 and 1 alone. Its
   * variants can be rolled out like any other flag's.
   */
  flag: string;
  /**
   * Calls the judge model with the flag's configuration (your client, your keys: `toOpenAiChatParams`
   * and the like) and returns the text of its reply. Tracked as a generation of the judge flag.
   */
  call: (config: ResolvedAiConfig, signal: AbortSignal) => Promise<string>;
  /** The text of an input or an answer; {@link answerText} by default. */
  text?: (value: unknown) => string;
  /** The score in a reply; by default the first number in it, which must be in [0, 1]. */
  parse?: (reply: string) => number | undefined;
  /** The context the judge flag is evaluated for; the request's by default. */
  context?: EvaluationContext;
}

/**
 * A judge that asks a model, configured by an AI config flag, to grade the served and the shadow
 * answer of a request, each on its own (so neither is favoured by its position), in parallel.
 *
 * @example
 * const switchboard = createClient({ url, sdkKey, shadow: { judge: llmJudge({
 *   client: () => switchboard, // lazily: the judge is given to the client's own options
 *   flag: 'answer-grader',
 *   call: async (config, signal) =>
 *     (await openai.chat.completions.create(toOpenAiChatParams(config), { signal })).choices[0]?.message.content ?? '',
 * }) } });
 */
export function llmJudge(options: LlmJudgeOptions): ShadowJudge {
  const text = options.text ?? answerText;
  const parse = options.parse ?? firstScore;
  return async ({ context, input, served, shadow, signal }) => {
    const client = typeof options.client === 'function' ? options.client() : options.client;
    const grade = async (answer: unknown): Promise<number> => {
      const config = client.aiConfig(options.flag, options.context ?? context, {
        variables: { input: text(input), answer: text(answer) },
      });
      if (!config.enabled) throw new Error(`the judge flag ${options.flag} serves no configuration`);
      if (config.errors.length > 0) {
        throw new Error(`the judge flag's messages need ${config.errors.map((e) => e.variable).join(', ')}`);
      }
      const reply = await config.tracker.track((callSignal) =>
        options.call(config, AbortSignal.any([callSignal, signal])),
      );
      const score = parse(String(reply));
      if (score === undefined || !(score >= 0 && score <= 1)) {
        throw new Error(`no score in [0, 1] in the judge's reply: ${String(reply).slice(0, 200)}`);
      }
      return score;
    };
    const [servedScore, shadowScore] = await Promise.all([grade(served), grade(shadow)]);
    return { servedScore, shadowScore };
  };
}

/** The first number in a reply (`0.8`, `Score: .75`, `1`), or undefined. */
function firstScore(reply: string): number | undefined {
  const match = /-?(?:\d+(?:\.\d+)?|\.\d+)/.exec(reply);
  return match === null ? undefined : Number(match[0]);
}

/**
 * The text of an answer or an input, whatever produced it: a string; an OpenAI chat completion; an
 * Anthropic message; an AI SDK result (`text`); packages/llm's `ChatResult`; the chunks of a stream
 * of any of these; a list of messages (`role: content` lines). Anything else as JSON.
 */
export function answerText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    if (value.every(isMessage)) {
      return value.map((m) => `${m.role}: ${contentText(m.content)}`).join('\n');
    }
    return value.map(chunkText).join('');
  }
  if (typeof value !== 'object' || value === null) return value === undefined ? '' : String(value);
  const v = value as Record<string, unknown>;
  const choice = Array.isArray(v.choices) ? (v.choices[0] as { message?: { content?: unknown } }) : undefined;
  if (choice?.message !== undefined) return contentText(choice.message.content);
  if (Array.isArray(v.content)) return contentText(v.content);
  if (typeof v.text === 'string') return v.text;
  return JSON.stringify(value) ?? '';
}

function isMessage(value: unknown): value is { role: string; content: unknown } {
  return (
    typeof value === 'object' && value !== null && typeof (value as { role?: unknown }).role === 'string'
  );
}

/** Text content: a string, or the text blocks of a list of content blocks. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((block) =>
      typeof (block as { text?: unknown })?.text === 'string' ? (block as { text: string }).text : '',
    )
    .join('');
}

/** The text a streamed chunk adds: OpenAI deltas, Anthropic text deltas, AI SDK and packages/llm text parts. */
function chunkText(chunk: unknown): string {
  if (typeof chunk === 'string') return chunk;
  if (typeof chunk !== 'object' || chunk === null) return '';
  const c = chunk as Record<string, unknown>;
  if (Array.isArray(c.choices)) {
    const content = (c.choices[0] as { delta?: { content?: unknown } } | undefined)?.delta?.content;
    return typeof content === 'string' ? content : '';
  }
  const delta = c.delta as { type?: unknown; text?: unknown } | undefined;
  if (c.type === 'content_block_delta' && typeof delta?.text === 'string') return delta.text;
  if ((c.type === 'text-delta' || c.type === 'text') && typeof c.text === 'string') return c.text;
  if (c.type === 'text-delta' && typeof c.delta === 'string') return c.delta;
  return '';
}
