import { ProviderError } from '@switchboard/llm';
import { afterEach, describe, expect, it } from 'vitest';
import {
  generationErrorKind,
  type SwitchboardClient,
  toAnthropicMessageParams,
  toOpenAiChatParams,
} from '../src/index.js';
import type { Anthropic, OpenAI } from './ai-fixtures.js';
import { offlineClient } from './ai-fixtures.js';

const clients: SwitchboardClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

async function resolved(unit: string) {
  const client = offlineClient(clients);
  await client.ready({ timeoutMs: 200 });
  return client.aiConfig(
    'support-bot',
    { targetingKey: unit },
    { variables: { product: 'Acme', plan: { name: 'Pro' }, question: 'Hi?' } },
  );
}

describe('toOpenAiChatParams', () => {
  it("maps a configuration to the official client's arguments, tools in their mode", async () => {
    const config = await resolved('control-user');
    // The official client's own types accept them as they are.
    const params: OpenAI.ChatCompletionCreateParamsNonStreaming = toOpenAiChatParams(config);
    expect(params).toEqual({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'You support Acme customers on the Pro plan.' },
        { role: 'user', content: 'Hi?' },
      ],
      temperature: 0.2,
      top_p: 0.9,
      max_completion_tokens: 200,
      stop: ['END'],
      tools: [
        {
          type: 'function',
          function: {
            name: 'lookup_order',
            description: 'Finds an order',
            parameters: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
          },
        },
        {
          type: 'function',
          function: {
            name: 'refund',
            description: 'Refunds an order',
            parameters: { type: 'object', properties: {} },
          },
        },
      ],
    });
    const streaming: OpenAI.ChatCompletionCreateParamsStreaming = toOpenAiChatParams(config, {
      stream: true,
      maxTokensField: 'max_tokens',
      user: 'u-1',
    });
    expect(streaming).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 200,
      user: 'u-1',
    });
    expect(streaming).not.toHaveProperty('max_completion_tokens');
    // Compatible servers read max_tokens.
    expect(toOpenAiChatParams({ ...config, provider: 'vllm' })).toHaveProperty('max_tokens', 200);
  });
});

describe('toAnthropicMessageParams', () => {
  it('splits the system prompt out and always sets max_tokens', async () => {
    const config = await resolved('control-user');
    const params: Anthropic.MessageCreateParamsNonStreaming = toAnthropicMessageParams(config);
    expect(params).toEqual({
      model: 'gpt-4o',
      max_tokens: 200,
      system: 'You support Acme customers on the Pro plan.',
      messages: [{ role: 'user', content: 'Hi?' }],
      temperature: 0.2,
      top_p: 0.9,
      stop_sequences: ['END'],
      tools: [
        {
          name: 'lookup_order',
          description: 'Finds an order',
          input_schema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
        },
        { name: 'refund', description: 'Refunds an order', input_schema: { type: 'object', properties: {} } },
      ],
    });
    const streaming: Anthropic.MessageCreateParamsStreaming = toAnthropicMessageParams(
      { ...config, params: {} },
      { stream: true, defaultMaxTokens: 1024, user: 'u-1' },
    );
    expect(streaming).toMatchObject({ stream: true, max_tokens: 1024, metadata: { user_id: 'u-1' } });
  });
});

describe('generationErrorKind', () => {
  it('classifies the errors of every client by status, provider type, name and code', () => {
    const cases: [unknown, string][] = [
      [new ProviderError('x', { kind: 'timeout' }), 'timeout'],
      // The AI SDK's APICallError, and its RetryError around the last attempt's.
      [
        { name: 'AI_APICallError', statusCode: 429, data: { error: { type: 'rate_limit_error' } } },
        'rate_limit',
      ],
      [{ name: 'AI_RetryError', lastError: { name: 'AI_APICallError', statusCode: 503 } }, 'server'],
      [{ name: 'AI_APICallError', statusCode: 400 }, 'invalid_request'],
      // An error event inside a stream: no status, the provider's type.
      [{ status: undefined, error: { type: 'error', error: { type: 'overloaded_error' } } }, 'rate_limit'],
      [{ status: undefined, error: { message: 'x', type: 'server_error', code: null } }, 'server'],
      [{ status: 408 }, 'timeout'],
      [new DOMException('timed out', 'TimeoutError'), 'timeout'],
      [Object.assign(new Error('x'), { code: 'ECONNRESET' }), 'connection'],
      [
        new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) }),
        'connection',
      ],
      [
        new TypeError('fetch failed', {
          cause: Object.assign(new Error('x'), { code: 'UND_ERR_HEADERS_TIMEOUT' }),
        }),
        'timeout',
      ],
      [new DOMException('aborted', 'AbortError'), 'other'],
      [new RangeError('a bug'), 'other'],
      ['a string', 'other'],
      [null, 'other'],
    ];
    for (const [error, kind] of cases) expect([error, generationErrorKind(error)]).toEqual([error, kind]);
    const cyclic: { cause?: unknown } = {};
    cyclic.cause = cyclic;
    expect(generationErrorKind(cyclic)).toBe('other');
  });
});
