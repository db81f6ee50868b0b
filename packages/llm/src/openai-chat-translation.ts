import type {
  ChatChunk,
  ChatMessage,
  ChatRequest,
  ChatResult,
  ChatTool,
  FinishReason,
  ToolCall,
  Usage,
} from './chat-request.js';
import { arrayField, field, numberField, stringField } from './wire-values.js';

/** A chat completions request body that cannot be read as a neutral request. */
export class UnsupportedRequestError extends Error {
  override name = 'UnsupportedRequestError';
  constructor(
    /** The offending field, as a path (`messages[2].role`). */
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/**
 * Reads an OpenAI chat completions request body as a neutral request, for a gateway that serves it
 * from another protocol. Only text content is carried (text parts of a content list are joined); a
 * body that is not a chat completions request throws {@link UnsupportedRequestError} naming the field.
 *
 * @example
 * ```ts
 * const { request, stream } = chatRequestFromOpenAiBody(await req.json());
 * const answer = await anthropic.chat({ ...request, model: 'claude-sonnet-4-6' });
 * res.json(toOpenAiChatCompletion(answer, { id: 'chatcmpl-1', created: Math.floor(Date.now() / 1000) }));
 * ```
 */
export function chatRequestFromOpenAiBody(body: unknown): { request: ChatRequest; stream: boolean } {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new UnsupportedRequestError('body', 'must be an object');
  const model = stringField(body, 'model');
  if (model === undefined || model === '') throw new UnsupportedRequestError('model', 'is required');
  if (!Array.isArray(field(body, 'messages')))
    throw new UnsupportedRequestError('messages', 'must be a list');
  const messages = arrayField(body, 'messages').map((m, i) => messageFrom(m, `messages[${i}]`));
  const stop = field(body, 'stop');
  const params = Object.fromEntries(
    Object.entries({
      temperature: numberField(body, 'temperature'),
      topP: numberField(body, 'top_p'),
      maxTokens: numberField(body, 'max_completion_tokens') ?? numberField(body, 'max_tokens'),
      stop:
        typeof stop === 'string'
          ? [stop]
          : Array.isArray(stop)
            ? stop.filter((s) => typeof s === 'string')
            : undefined,
      presencePenalty: numberField(body, 'presence_penalty'),
      frequencyPenalty: numberField(body, 'frequency_penalty'),
      seed: numberField(body, 'seed'),
    }).filter(([, v]) => v !== undefined),
  );
  const tools: ChatTool[] = arrayField(body, 'tools').map((tool, i) => {
    const fn = field(tool, 'function');
    const name = stringField(fn, 'name');
    if (stringField(tool, 'type') !== 'function' || name === undefined) {
      throw new UnsupportedRequestError(`tools[${i}]`, 'only function tools are supported');
    }
    const description = stringField(fn, 'description');
    const parameters = field(fn, 'parameters');
    return {
      name,
      ...(description !== undefined && { description }),
      ...(typeof parameters === 'object' &&
        parameters !== null && { parameters: parameters as Record<string, unknown> }),
    };
  });
  const user = stringField(body, 'user');
  return {
    request: {
      model,
      messages,
      ...(Object.keys(params).length > 0 && { params }),
      ...(tools.length > 0 && { tools }),
      ...(user !== undefined && { user }),
    },
    stream: field(body, 'stream') === true,
  };
}

function messageFrom(message: unknown, path: string): ChatMessage {
  const role = stringField(message, 'role');
  const content = textOf(field(message, 'content'), `${path}.content`);
  switch (role) {
    case 'system':
    case 'developer':
    case 'user':
      return { role, content };
    case 'assistant': {
      const toolCalls: ToolCall[] = arrayField(message, 'tool_calls').map((call) => ({
        id: stringField(call, 'id') ?? '',
        name: stringField(field(call, 'function'), 'name') ?? '',
        arguments: stringField(field(call, 'function'), 'arguments') ?? '{}',
      }));
      return toolCalls.length > 0 ? { role, content, toolCalls } : { role, content };
    }
    case 'tool':
      return { role, toolCallId: stringField(message, 'tool_call_id') ?? '', content };
    default:
      throw new UnsupportedRequestError(`${path}.role`, `unsupported role ${JSON.stringify(role)}`);
  }
}

function textOf(content: unknown, path: string): string {
  if (content === undefined || content === null) return '';
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw new UnsupportedRequestError(path, 'must be a string or a list of parts');
  return content
    .map((part, i) => {
      const text = stringField(part, 'text');
      if (stringField(part, 'type') !== 'text' || text === undefined) {
        throw new UnsupportedRequestError(`${path}[${i}]`, 'only text parts are supported');
      }
      return text;
    })
    .join('');
}

const FINISH_REASONS: Record<FinishReason, string> = {
  stop: 'stop',
  length: 'length',
  'tool-calls': 'tool_calls',
  'content-filter': 'content_filter',
  other: 'stop',
};

function usageOf(usage: Usage): Record<string, unknown> {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    ...(usage.cachedInputTokens !== undefined && {
      prompt_tokens_details: { cached_tokens: usage.cachedInputTokens },
    }),
  };
}

/** Identifies a translated answer: the `id` and `created` (epoch seconds) of its OpenAI body. */
export interface OpenAiAnswerIdentity {
  id: string;
  created: number;
  /** The model to name; the result's own by default. */
  model?: string;
}

/** A `chat.completion` body for a neutral result (the answer of a gateway that translated the request). */
export function toOpenAiChatCompletion(
  result: ChatResult,
  identity: OpenAiAnswerIdentity,
): Record<string, unknown> {
  return {
    id: identity.id,
    object: 'chat.completion',
    created: identity.created,
    model: identity.model ?? result.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: result.text === '' && result.toolCalls.length > 0 ? null : result.text,
          refusal: null,
          ...(result.toolCalls.length > 0 && {
            tool_calls: result.toolCalls.map((call) => ({
              id: call.id,
              type: 'function',
              function: { name: call.name, arguments: call.arguments },
            })),
          }),
        },
        logprobs: null,
        finish_reason: FINISH_REASONS[result.finishReason],
      },
    ],
    ...(result.usage !== undefined && { usage: usageOf(result.usage) }),
  };
}

/**
 * Encodes neutral chunks as a chat completions stream: SSE frames (`data: {…}\n\n`), opening with the
 * assistant role, closing with the finish reason, the usage chunk when asked for, and `data: [DONE]`.
 */
export class OpenAiChatChunkEncoder {
  private opened = false;

  constructor(private readonly identity: OpenAiAnswerIdentity & { model: string; includeUsage?: boolean }) {}

  /** The frames for one chunk, in order. */
  encode(chunk: ChatChunk): string[] {
    const frames: string[] = [];
    if (!this.opened) {
      this.opened = true;
      frames.push(this.frame({ role: 'assistant', content: '' }, null));
    }
    if (chunk.type === 'text') frames.push(this.frame({ content: chunk.text }, null));
    else if (chunk.type === 'tool-call') {
      frames.push(
        this.frame(
          {
            tool_calls: [
              {
                index: chunk.index,
                ...(chunk.id !== undefined && { id: chunk.id, type: 'function' }),
                function: {
                  ...(chunk.name !== undefined && { name: chunk.name }),
                  arguments: chunk.argumentsDelta,
                },
              },
            ],
          },
          null,
        ),
      );
    } else {
      frames.push(this.frame({}, FINISH_REASONS[chunk.finishReason]));
      if (this.identity.includeUsage && chunk.usage !== undefined) {
        frames.push(
          `data: ${JSON.stringify({ ...this.envelope(), choices: [], usage: usageOf(chunk.usage) })}\n\n`,
        );
      }
      frames.push('data: [DONE]\n\n');
    }
    return frames;
  }

  private envelope(): Record<string, unknown> {
    const { id, created, model } = this.identity;
    return { id, object: 'chat.completion.chunk', created, model };
  }

  private frame(delta: Record<string, unknown>, finish: string | null): string {
    const choices = [{ index: 0, delta, logprobs: null, finish_reason: finish }];
    return `data: ${JSON.stringify({ ...this.envelope(), choices })}\n\n`;
  }
}
