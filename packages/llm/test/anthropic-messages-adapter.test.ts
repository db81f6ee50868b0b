import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  anthropicMessagesAdapter,
  type ChatChunk,
  DEFAULT_ANTHROPIC_MAX_TOKENS,
  estimateTokens,
} from '../src/index.js';
import { type FakeProvider, fakeAnswer, startFakeProvider } from '../src/testing/index.js';

let fake: FakeProvider;
beforeAll(async () => {
  fake = await startFakeProvider({ apiKey: 'sk-ant-test' });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const adapter = (options: Partial<Parameters<typeof anthropicMessagesAdapter>[0]> = {}) =>
  anthropicMessagesAdapter({ baseUrl: fake.url, apiKey: 'sk-ant-test', ...options });

describe('anthropicMessagesAdapter', () => {
  it('maps a neutral request onto messages: system on top, tool turns as blocks', async () => {
    await adapter({
      headers: { 'anthropic-beta': 'tools-2024-04-04', authorization: 'Bearer not-forwarded' },
    }).chat({
      model: 'claude-sonnet-4-6',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: 'Answer in French.' },
        { role: 'user', content: 'Where are my orders?' },
        {
          role: 'assistant',
          content: 'Let me look.',
          toolCalls: [
            { id: 'toolu_a', name: 'lookup_order', arguments: '{"id":"1"}' },
            { id: 'toolu_b', name: 'lookup_order', arguments: '{"id":"2"}' },
          ],
        },
        { role: 'tool', toolCallId: 'toolu_a', content: 'shipped' },
        { role: 'tool', toolCallId: 'toolu_b', content: 'pending' },
      ],
      params: {
        temperature: 0.5,
        topP: 0.8,
        maxTokens: 256,
        stop: ['END'],
        presencePenalty: 1,
        frequencyPenalty: 1,
        seed: 3,
      },
      tools: [
        {
          name: 'lookup_order',
          description: 'Finds an order',
          parameters: { type: 'object', properties: {} },
        },
      ],
      user: 'u-1',
    });
    const [request] = fake.requests;
    expect(request?.path).toBe('/v1/messages');
    expect(request?.headers).toMatchObject({
      'x-api-key': 'sk-ant-test',
      'anthropic-version': '2023-06-01',
      'anthropic-beta': 'tools-2024-04-04',
    });
    expect(request?.headers.authorization).toBeUndefined();
    expect(request?.body).toEqual({
      model: 'claude-sonnet-4-6',
      max_tokens: 256,
      system: 'Be brief.\n\nAnswer in French.',
      messages: [
        { role: 'user', content: 'Where are my orders?' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Let me look.' },
            { type: 'tool_use', id: 'toolu_a', name: 'lookup_order', input: { id: '1' } },
            { type: 'tool_use', id: 'toolu_b', name: 'lookup_order', input: { id: '2' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_a', content: 'shipped' },
            { type: 'tool_result', tool_use_id: 'toolu_b', content: 'pending' },
          ],
        },
      ],
      temperature: 0.5,
      top_p: 0.8,
      stop_sequences: ['END'],
      metadata: { user_id: 'u-1' },
      tools: [
        {
          name: 'lookup_order',
          description: 'Finds an order',
          input_schema: { type: 'object', properties: {} },
        },
      ],
    });
  });

  it('defaults max_tokens, which Anthropic requires', async () => {
    await adapter().chat({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'Hi' }] });
    await adapter({ defaultMaxTokens: 1000 }).chat({
      model: 'claude-haiku-4-5',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(fake.requests.map((r) => (r.body as { max_tokens: number }).max_tokens)).toEqual([
      DEFAULT_ANTHROPIC_MAX_TOKENS,
      1000,
    ]);
  });

  it('returns the text, finish reason, usage and raw body', async () => {
    const result = await adapter().chat({
      model: 'claude-sonnet-4-6',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello there' },
      ],
    });
    expect(result).toMatchObject({
      model: 'claude-sonnet-4-6',
      text: fakeAnswer('Hello there'),
      finishReason: 'stop',
      usage: {
        inputTokens: estimateTokens('Be brief.') + estimateTokens('Hello there'),
        outputTokens: estimateTokens(fakeAnswer('Hello there')),
        cachedInputTokens: 0,
      },
      raw: { type: 'message' },
    });
  });

  it('returns tool use as tool calls', async () => {
    const result = await adapter().chat({
      model: 'claude-sonnet-4-6',
      messages: [{ role: 'user', content: 'call refund' }],
      tools: [{ name: 'refund', observeOnly: true }],
    });
    expect(result.finishReason).toBe('tool-calls');
    expect(result.toolCalls).toEqual([
      {
        id: 'toolu_1',
        name: 'refund',
        arguments: JSON.stringify({ prompt: 'call refund' }),
        observeOnly: true,
      },
    ]);
  });

  it('streams text chunks then one finish chunk with usage from message_start and message_delta', async () => {
    const stream = await adapter().stream({
      model: 'claude-sonnet-4-6',
      messages: [{ role: 'user', content: 'Stream this' }],
    });
    const chunks: ChatChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(fake.requests[0]?.body).toMatchObject({ stream: true });
    const text = chunks.flatMap((c) => (c.type === 'text' ? [c.text] : [])).join('');
    expect(text).toBe(fakeAnswer('Stream this'));
    expect(chunks.at(-1)).toEqual({
      type: 'finish',
      finishReason: 'stop',
      model: 'claude-sonnet-4-6',
      usage: {
        inputTokens: estimateTokens('Stream this'),
        outputTokens: estimateTokens(text),
        cachedInputTokens: 0,
      },
    });
    expect((await stream.result()).raw).toContainEqual({ type: 'ping' });
  });

  it('measures the time to first token of a stream', async () => {
    fake.script({ kind: 'slow-first-token', delayMs: 80 });
    const stream = await adapter().stream({
      model: 'claude-sonnet-4-6',
      messages: [{ role: 'user', content: 'slow' }],
    });
    await stream.result();
    expect(stream.ttftMs).toBeGreaterThanOrEqual(70);
  });

  it('assembles streamed tool use', async () => {
    const stream = await adapter().stream({
      model: 'claude-sonnet-4-6',
      messages: [{ role: 'user', content: 'call lookup_order' }],
      tools: [{ name: 'lookup_order' }],
    });
    const result = await stream.result();
    expect(result.finishReason).toBe('tool-calls');
    expect(result.toolCalls).toEqual([
      { id: 'toolu_1', name: 'lookup_order', arguments: JSON.stringify({ prompt: 'call lookup_order' }) },
    ]);
  });
});
