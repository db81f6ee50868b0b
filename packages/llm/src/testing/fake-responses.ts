import { estimateTokens } from '../token-estimate.js';

/** The protocols the fake provider speaks. */
export type FakeProtocol = 'openai' | 'anthropic';

/** A tool call the fake answers with. */
export interface FakeToolCall {
  name: string;
  /** JSON text of the arguments. */
  arguments: string;
}

/** What the fake answers: text, tool calls, or both. */
export interface FakeAnswer {
  text: string;
  toolCalls: FakeToolCall[];
  /** `stop`/`end_turn`, `length`/`max_tokens`, or `tool_calls`/`tool_use`. */
  finish: 'stop' | 'length' | 'tool';
  inputTokens: number;
  outputTokens: number;
}

/** The fake's deterministic answer to a prompt (the last user message's text). */
export function fakeAnswer(prompt: string): string {
  return `You said: ${prompt}`;
}

/** The text of a message's content: a string, or the text parts of a list of blocks. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: { type?: unknown; text?: unknown; content?: unknown }) =>
      typeof part.text === 'string'
        ? part.text
        : part.type === 'tool_result'
          ? contentText(part.content)
          : '',
    )
    .join('');
}

/** The fields of a request body the fake reads to answer. */
export interface FakeRequestBody {
  messages?: { role?: string; content?: unknown }[];
  system?: unknown;
  tools?: { name?: string; function?: { name?: string } }[];
  max_tokens?: number;
  max_completion_tokens?: number;
}

/**
 * Composes the answer to a request: the echo of the last user message, or a call of the tool it names
 * ("call lookup_order") when such a tool is offered; truncated (finish `length`) at the token limit.
 */
export function composeAnswer(
  body: FakeRequestBody,
  override?: { text?: string; toolCalls?: FakeToolCall[] },
): FakeAnswer {
  const messages = body.messages ?? [];
  const prompt = contentText([...messages].reverse().find((m) => m.role === 'user')?.content);
  const inputTokens =
    estimateTokens(contentText(body.system)) +
    messages.reduce((n, m) => n + estimateTokens(contentText(m.content)), 0);
  const offered = new Set((body.tools ?? []).map((t) => t.function?.name ?? t.name));
  const named = /\bcall (\w+)/.exec(prompt)?.[1];
  let text = override?.text ?? fakeAnswer(prompt);
  let toolCalls = override?.toolCalls ?? [];
  if (override === undefined && named !== undefined && offered.has(named)) {
    text = '';
    toolCalls = [{ name: named, arguments: JSON.stringify({ prompt }) }];
  }
  let finish: FakeAnswer['finish'] = toolCalls.length > 0 ? 'tool' : 'stop';
  const limit = body.max_tokens ?? body.max_completion_tokens;
  if (limit !== undefined && estimateTokens(text) > limit) {
    text = text.slice(0, limit * 4);
    finish = 'length';
  }
  const outputTokens =
    estimateTokens(text) + toolCalls.reduce((n, c) => n + estimateTokens(c.name + c.arguments), 0);
  return { text, toolCalls, finish, inputTokens, outputTokens };
}

/** Splits a text into the pieces a stream sends: one word (with its trailing space) each. */
export function pieces(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

const OPENAI_FINISH = { stop: 'stop', length: 'length', tool: 'tool_calls' } as const;
const ANTHROPIC_FINISH = { stop: 'end_turn', length: 'max_tokens', tool: 'tool_use' } as const;

/** A `chat.completion` body. */
export function openAiCompletion(id: string, model: string, answer: FakeAnswer): Record<string, unknown> {
  return {
    id,
    object: 'chat.completion',
    created: 1_767_225_600,
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: answer.toolCalls.length > 0 && answer.text === '' ? null : answer.text,
          refusal: null,
          ...(answer.toolCalls.length > 0 && {
            tool_calls: answer.toolCalls.map((call, i) => ({
              id: `call_${i + 1}`,
              type: 'function',
              function: { name: call.name, arguments: call.arguments },
            })),
          }),
        },
        logprobs: null,
        finish_reason: OPENAI_FINISH[answer.finish],
      },
    ],
    usage: openAiUsage(answer),
    system_fingerprint: 'fp_fake',
  };
}

function openAiUsage(answer: FakeAnswer): Record<string, unknown> {
  return {
    prompt_tokens: answer.inputTokens,
    completion_tokens: answer.outputTokens,
    total_tokens: answer.inputTokens + answer.outputTokens,
    prompt_tokens_details: { cached_tokens: 0 },
  };
}

/** The `data:` payloads of a chat completions stream, split where faults may be injected. */
export function openAiStreamEvents(
  id: string,
  model: string,
  answer: FakeAnswer,
  includeUsage: boolean,
): { preamble: string[]; deltas: string[]; ending: string[] } {
  const chunk = (delta: Record<string, unknown>, finish: string | null) =>
    JSON.stringify({
      id,
      object: 'chat.completion.chunk',
      created: 1_767_225_600,
      model,
      system_fingerprint: 'fp_fake',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(includeUsage && { usage: null }),
    });
  const deltas = pieces(answer.text).map((text) => chunk({ content: text }, null));
  answer.toolCalls.forEach((call, index) => {
    deltas.push(
      chunk(
        {
          tool_calls: [
            {
              index,
              id: `call_${index + 1}`,
              type: 'function',
              function: { name: call.name, arguments: '' },
            },
          ],
        },
        null,
      ),
      chunk({ tool_calls: [{ index, function: { arguments: call.arguments } }] }, null),
    );
  });
  const ending = [chunk({}, OPENAI_FINISH[answer.finish])];
  if (includeUsage) {
    ending.push(
      JSON.stringify({
        id,
        object: 'chat.completion.chunk',
        created: 1_767_225_600,
        model,
        system_fingerprint: 'fp_fake',
        choices: [],
        usage: openAiUsage(answer),
      }),
    );
  }
  ending.push('[DONE]');
  return { preamble: [chunk({ role: 'assistant', content: '', refusal: null }, null)], deltas, ending };
}

/** A `message` body. */
export function anthropicMessage(id: string, model: string, answer: FakeAnswer): Record<string, unknown> {
  return {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content: [
      ...(answer.text === '' && answer.toolCalls.length > 0 ? [] : [{ type: 'text', text: answer.text }]),
      ...answer.toolCalls.map((call, i) => ({
        type: 'tool_use',
        id: `toolu_${i + 1}`,
        name: call.name,
        input: JSON.parse(call.arguments) as unknown,
      })),
    ],
    stop_reason: ANTHROPIC_FINISH[answer.finish],
    stop_sequence: null,
    usage: anthropicUsage(answer.inputTokens, answer.outputTokens),
  };
}

function anthropicUsage(input: number, output: number): Record<string, unknown> {
  return {
    input_tokens: input,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: output,
  };
}

/** One server-sent event: its name and JSON data. */
export type SseEvent = [event: string, data: Record<string, unknown>];

/** The events of a messages stream, split where faults may be injected. */
export function anthropicStreamEvents(
  id: string,
  model: string,
  answer: FakeAnswer,
): { preamble: SseEvent[]; deltas: SseEvent[]; ending: SseEvent[] } {
  const preamble: SseEvent[] = [
    [
      'message_start',
      {
        type: 'message_start',
        message: {
          id,
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: anthropicUsage(answer.inputTokens, 1),
        },
      },
    ],
  ];
  const deltas: SseEvent[] = [];
  let index = 0;
  if (answer.text !== '' || answer.toolCalls.length === 0) {
    preamble.push(
      [
        'content_block_start',
        { type: 'content_block_start', index, content_block: { type: 'text', text: '' } },
      ],
      ['ping', { type: 'ping' }],
    );
    for (const text of pieces(answer.text)) {
      deltas.push([
        'content_block_delta',
        { type: 'content_block_delta', index, delta: { type: 'text_delta', text } },
      ]);
    }
    deltas.push(['content_block_stop', { type: 'content_block_stop', index }]);
    index++;
  }
  answer.toolCalls.forEach((call, i) => {
    deltas.push(
      [
        'content_block_start',
        {
          type: 'content_block_start',
          index,
          content_block: { type: 'tool_use', id: `toolu_${i + 1}`, name: call.name, input: {} },
        },
      ],
      [
        'content_block_delta',
        {
          type: 'content_block_delta',
          index,
          delta: { type: 'input_json_delta', partial_json: call.arguments },
        },
      ],
      ['content_block_stop', { type: 'content_block_stop', index }],
    );
    index++;
  });
  const ending: SseEvent[] = [
    [
      'message_delta',
      {
        type: 'message_delta',
        delta: { stop_reason: ANTHROPIC_FINISH[answer.finish], stop_sequence: null },
        usage: { output_tokens: answer.outputTokens },
      },
    ],
    ['message_stop', { type: 'message_stop' }],
  ];
  return { preamble, deltas, ending };
}

const OPENAI_ERRORS: Record<string, { type: string; code: string | null }> = {
  rate_limit_error: { type: 'requests', code: 'rate_limit_exceeded' },
  overloaded_error: { type: 'server_error', code: null },
  api_error: { type: 'server_error', code: null },
  invalid_request_error: { type: 'invalid_request_error', code: null },
  authentication_error: { type: 'invalid_request_error', code: 'invalid_api_key' },
  not_found_error: { type: 'invalid_request_error', code: 'model_not_found' },
};

/** An error body in the protocol's format, from Anthropic's error type names. */
export function errorBody(protocol: FakeProtocol, type: string, message: string): Record<string, unknown> {
  if (protocol === 'anthropic') return { type: 'error', error: { type, message }, request_id: 'req_fake' };
  const mapped = OPENAI_ERRORS[type] ?? { type, code: null };
  return { error: { message, type: mapped.type, param: null, code: mapped.code } };
}
