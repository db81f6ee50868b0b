import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { estimateTokens } from '../src/index.js';
import { type FakeProvider, fakeAnswer, startFakeProvider } from '../src/testing/index.js';

// The official clients are the reference for the wire protocols: if they work against the fake, the
// fake speaks the protocols, and the adapters tested against it speak them too.
let fake: FakeProvider;
beforeAll(async () => {
  fake = await startFakeProvider({ apiKey: 'sk-test' });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const PROMPT = 'What is the capital of France?';
const ANSWER = fakeAnswer(PROMPT);

describe('the openai client against the fake', () => {
  const client = () => new OpenAI({ baseURL: `${fake.url}/v1`, apiKey: 'sk-test', maxRetries: 0 });

  it('creates a completion and reads its usage', async () => {
    const completion = await client().chat.completions.create({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: PROMPT },
      ],
    });
    expect(completion.choices[0]?.message.content).toBe(ANSWER);
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({
      prompt_tokens: estimateTokens('Be brief.') + estimateTokens(PROMPT),
      completion_tokens: estimateTokens(ANSWER),
    });
    expect(fake.requests[0]).toMatchObject({
      path: '/v1/chat/completions',
      headers: { authorization: 'Bearer sk-test' },
    });
  });

  it('streams chunks, usage last', async () => {
    const stream = await client().chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: PROMPT }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(ANSWER);
    expect(usage).toMatchObject({
      prompt_tokens: estimateTokens(PROMPT),
      completion_tokens: estimateTokens(ANSWER),
    });
  });

  it('assembles streamed tool calls with its stream helper', async () => {
    const stream = client().chat.completions.stream({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'please call lookup_order' }],
      tools: [
        {
          type: 'function',
          function: { name: 'lookup_order', parameters: { type: 'object', properties: {} } },
        },
      ],
    });
    const completion = await stream.finalChatCompletion();
    expect(completion.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      type: 'function',
      function: { name: 'lookup_order', arguments: JSON.stringify({ prompt: 'please call lookup_order' }) },
    });
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('surfaces a 429 as RateLimitError with its retry-after header', async () => {
    fake.script({ kind: 'rate-limit', retryAfter: '7' });
    const error = await client()
      .chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: PROMPT }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).headers?.get('retry-after')).toBe('7');
  });

  it('surfaces a 500 as InternalServerError and a stream error event as APIError', async () => {
    fake.script({ kind: 'server-error' });
    await expect(
      client().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: PROMPT }] }),
    ).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    fake.script({ kind: 'sse-error', afterChunks: 1 });
    const stream = await client().chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: PROMPT }],
      stream: true,
    });
    await expect(
      (async () => {
        for await (const _ of stream) void _;
      })(),
    ).rejects.toBeInstanceOf(OpenAI.APIError);
  });
});

describe('the anthropic client against the fake', () => {
  const client = () => new Anthropic({ baseURL: fake.url, apiKey: 'sk-test', maxRetries: 0 });

  it('creates a message and reads its usage', async () => {
    const message = await client().messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 1024,
      system: 'Be brief.',
      messages: [{ role: 'user', content: PROMPT }],
    });
    expect(message.content).toEqual([{ type: 'text', text: ANSWER }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject({
      input_tokens: estimateTokens('Be brief.') + estimateTokens(PROMPT),
      output_tokens: estimateTokens(ANSWER),
    });
    expect(fake.requests[0]).toMatchObject({
      path: '/v1/messages',
      headers: { authorization: 'Bearer sk-test' },
    });
  });

  it('streams with its stream helper and reads the final usage', async () => {
    const stream = client().messages.stream({
      model: 'claude-sonnet-4-6',
      max_tokens: 1024,
      messages: [{ role: 'user', content: PROMPT }],
    });
    let text = '';
    stream.on('text', (delta) => {
      text += delta;
    });
    const message = await stream.finalMessage();
    expect(text).toBe(ANSWER);
    expect(message.usage).toMatchObject({
      input_tokens: estimateTokens(PROMPT),
      output_tokens: estimateTokens(ANSWER),
    });
  });

  it('assembles a streamed tool use', async () => {
    const message = await client()
      .messages.stream({
        model: 'claude-sonnet-4-6',
        max_tokens: 1024,
        messages: [{ role: 'user', content: 'call lookup_order' }],
        tools: [{ name: 'lookup_order', input_schema: { type: 'object', properties: {} } }],
      })
      .finalMessage();
    expect(message.content).toEqual([
      { type: 'tool_use', id: 'toolu_1', name: 'lookup_order', input: { prompt: 'call lookup_order' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
  });

  it('surfaces 429 as RateLimitError and 529 as OverloadedError', async () => {
    fake.script({ kind: 'rate-limit', retryAfter: '3' }, { kind: 'overloaded' });
    const request = {
      model: 'claude-sonnet-4-6',
      max_tokens: 64,
      messages: [{ role: 'user' as const, content: PROMPT }],
    };
    const limited = await client()
      .messages.create(request)
      .catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError);
    expect((limited as InstanceType<typeof Anthropic.RateLimitError>).headers?.get('retry-after')).toBe('3');
    await expect(client().messages.create(request)).rejects.toBeInstanceOf(Anthropic.OverloadedError);
  });

  it('surfaces an error event in a stream', async () => {
    fake.script({ kind: 'sse-error', afterChunks: 2 });
    const stream = client().messages.stream({
      model: 'claude-sonnet-4-6',
      max_tokens: 64,
      messages: [{ role: 'user', content: PROMPT }],
    });
    await expect(stream.finalMessage()).rejects.toMatchObject({ type: 'overloaded_error' });
  });

  it('fails a stream cut mid-way', async () => {
    fake.script({ kind: 'stream-cut', afterChunks: 2 });
    const stream = client().messages.stream({
      model: 'claude-sonnet-4-6',
      max_tokens: 64,
      messages: [{ role: 'user', content: PROMPT }],
    });
    await expect(stream.finalMessage()).rejects.toThrow();
  });

  it('is refused without max_tokens, as the real API does', async () => {
    const error = await client()
      // @ts-expect-error max_tokens is required, which is the point
      .messages.create({ model: 'claude-sonnet-4-6', messages: [{ role: 'user', content: PROMPT }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
  });
});
