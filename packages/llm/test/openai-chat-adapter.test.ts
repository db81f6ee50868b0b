import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ChatChunk, estimateTokens, openAiChatAdapter } from '../src/index.js';
import { type FakeProvider, fakeAnswer, startFakeProvider } from '../src/testing/index.js';

let fake: FakeProvider;
beforeAll(async () => {
  fake = await startFakeProvider({ apiKey: 'sk-test' });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const adapter = (options: Partial<Parameters<typeof openAiChatAdapter>[0]> = {}) =>
  openAiChatAdapter({ baseUrl: `${fake.url}/v1/`, apiKey: 'sk-test', ...options });

describe('openAiChatAdapter', () => {
  it('maps a neutral request onto chat completions', async () => {
    await adapter({ headers: { 'OpenAI-Organization': 'org-1' } }).chat({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: 'Answer in French.' },
        { role: 'user', content: 'Where is my order?' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'call_9', name: 'lookup_order', arguments: '{"id":"42"}' }],
        },
        { role: 'tool', toolCallId: 'call_9', content: '{"status":"shipped"}' },
      ],
      params: {
        temperature: 0.2,
        topP: 0.9,
        maxTokens: 300,
        stop: ['\n\n'],
        presencePenalty: 0.1,
        frequencyPenalty: 0.3,
        seed: 7,
      },
      tools: [
        {
          name: 'lookup_order',
          description: 'Finds an order',
          parameters: { type: 'object', properties: { id: { type: 'string' } } },
        },
        { name: 'refund', observeOnly: true },
      ],
      user: 'u-1',
    });
    const [request] = fake.requests;
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.headers).toMatchObject({
      authorization: 'Bearer sk-test',
      'content-type': 'application/json',
      'openai-organization': 'org-1',
    });
    expect(request?.body).toEqual({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: 'Answer in French.' },
        { role: 'user', content: 'Where is my order?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_9', type: 'function', function: { name: 'lookup_order', arguments: '{"id":"42"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_9', content: '{"status":"shipped"}' },
      ],
      temperature: 0.2,
      top_p: 0.9,
      max_tokens: 300,
      stop: ['\n\n'],
      presence_penalty: 0.1,
      frequency_penalty: 0.3,
      seed: 7,
      user: 'u-1',
      tools: [
        {
          type: 'function',
          function: {
            name: 'lookup_order',
            description: 'Finds an order',
            parameters: { type: 'object', properties: { id: { type: 'string' } } },
          },
        },
        { type: 'function', function: { name: 'refund', parameters: { type: 'object', properties: {} } } },
      ],
    });
  });

  it('sends max_completion_tokens and system for developer messages when told to', async () => {
    await adapter({ maxTokensField: 'max_completion_tokens', developerRole: 'system' }).chat({
      model: 'o3',
      messages: [
        { role: 'developer', content: 'Think.' },
        { role: 'user', content: 'Hi' },
      ],
      params: { maxTokens: 50 },
    });
    expect(fake.requests[0]?.body).toEqual({
      model: 'o3',
      messages: [
        { role: 'system', content: 'Think.' },
        { role: 'user', content: 'Hi' },
      ],
      max_completion_tokens: 50,
    });
  });

  it('returns the text, finish reason, usage, model and raw body', async () => {
    const result = await adapter().chat({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello there' },
      ],
    });
    expect(result).toMatchObject({
      model: 'gpt-4o',
      text: fakeAnswer('Hello there'),
      toolCalls: [],
      finishReason: 'stop',
      usage: {
        inputTokens: estimateTokens('Be brief.') + estimateTokens('Hello there'),
        outputTokens: estimateTokens(fakeAnswer('Hello there')),
        cachedInputTokens: 0,
      },
      raw: { object: 'chat.completion' },
    });
  });

  it('returns tool calls, marking those of observe-only tools', async () => {
    const result = await adapter().chat({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'call refund' }],
      tools: [{ name: 'refund', observeOnly: true }],
    });
    expect(result.finishReason).toBe('tool-calls');
    expect(result.toolCalls).toEqual([
      {
        id: 'call_1',
        name: 'refund',
        arguments: JSON.stringify({ prompt: 'call refund' }),
        observeOnly: true,
      },
    ]);
  });

  it('reports a length finish when max tokens cut the answer', async () => {
    const result = await adapter().chat({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'a long question that gets a long answer' }],
      params: { maxTokens: 2 },
    });
    expect(result).toMatchObject({
      finishReason: 'length',
      text: fakeAnswer('a long question that gets a long answer').slice(0, 8),
    });
  });

  it('streams text chunks then one finish chunk with usage, asking for usage', async () => {
    const stream = await adapter().stream({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Stream this' }],
    });
    const chunks: ChatChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(fake.requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(fake.requests[0]?.headers.accept).toBe('text/event-stream');
    const text = chunks.flatMap((c) => (c.type === 'text' ? [c.text] : [])).join('');
    expect(text).toBe(fakeAnswer('Stream this'));
    expect(chunks.filter((c) => c.type === 'text').length).toBeGreaterThan(1);
    expect(chunks.at(-1)).toEqual({
      type: 'finish',
      finishReason: 'stop',
      model: 'gpt-4o',
      usage: {
        inputTokens: estimateTokens('Stream this'),
        outputTokens: estimateTokens(text),
        cachedInputTokens: 0,
      },
    });
    const result = await stream.result();
    expect(result.text).toBe(text);
    expect(result.raw).toHaveLength(chunks.filter((c) => c.type === 'text').length + 3);
  });

  it('measures the time to first token of a stream', async () => {
    fake.script({ kind: 'slow-first-token', delayMs: 80 });
    const stream = await adapter().stream({ model: 'gpt-4o', messages: [{ role: 'user', content: 'slow' }] });
    expect(stream.ttftMs).toBeUndefined();
    const { usage } = await stream.result();
    expect(stream.ttftMs).toBeGreaterThanOrEqual(70);
    expect(stream.latencyMs).toBeGreaterThanOrEqual(stream.ttftMs ?? 0);
    expect(usage?.outputTokens).toBe(estimateTokens(fakeAnswer('slow')));
  });

  it('assembles streamed tool calls', async () => {
    const stream = await adapter().stream({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'call lookup_order' }],
      tools: [{ name: 'lookup_order' }],
    });
    const result = await stream.result();
    expect(result.finishReason).toBe('tool-calls');
    expect(result.toolCalls).toEqual([
      { id: 'call_1', name: 'lookup_order', arguments: JSON.stringify({ prompt: 'call lookup_order' }) },
    ]);
    expect(stream.ttftMs).toBeDefined();
  });

  it('sends no Authorization header without a key (a local Ollama)', async () => {
    const open = await startFakeProvider();
    try {
      await openAiChatAdapter({ baseUrl: `${open.url}/v1`, provider: 'ollama' }).chat({
        model: 'llama3.2',
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(open.requests[0]?.headers.authorization).toBeUndefined();
    } finally {
      await open.close();
    }
  });
});
