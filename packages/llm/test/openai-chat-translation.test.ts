import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  anthropicMessagesAdapter,
  type ChatRequest,
  chatRequestFromOpenAiBody,
  estimateTokens,
  OpenAiChatChunkEncoder,
  toOpenAiChatBody,
  toOpenAiChatCompletion,
  UnsupportedRequestError,
} from '../src/index.js';
import { type FakeProvider, fakeAnswer, startFakeProvider } from '../src/testing/index.js';

let fake: FakeProvider;
beforeAll(async () => {
  fake = await startFakeProvider();
});
afterAll(() => fake.close());

/** An OpenAI client whose every response is the given one (what a translating gateway would send). */
function clientAnswering(respond: () => Response): OpenAI {
  return new OpenAI({
    apiKey: 'k',
    baseURL: 'http://gateway.test/v1',
    maxRetries: 0,
    fetch: async () => respond(),
  });
}

const REQUEST: ChatRequest = {
  model: 'gpt-4o',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Where is order 7?' },
    {
      role: 'assistant',
      content: '',
      toolCalls: [{ id: 'call_1', name: 'lookup_order', arguments: '{"id":7}' }],
    },
    { role: 'tool', toolCallId: 'call_1', content: 'shipped' },
  ],
  params: {
    temperature: 0.1,
    topP: 1,
    maxTokens: 99,
    stop: ['x'],
    presencePenalty: 0,
    frequencyPenalty: 0.5,
    seed: 1,
  },
  tools: [{ name: 'lookup_order', description: 'Finds', parameters: { type: 'object', properties: {} } }],
  user: 'u-9',
};

describe('chatRequestFromOpenAiBody', () => {
  it('reads back what toOpenAiChatBody writes', () => {
    expect(chatRequestFromOpenAiBody(toOpenAiChatBody(REQUEST, { stream: true }))).toEqual({
      request: REQUEST,
      stream: true,
    });
  });

  it('joins text parts, takes a single stop string and max_completion_tokens', () => {
    const { request, stream } = chatRequestFromOpenAiBody({
      model: 'o3',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Hello ' },
            { type: 'text', text: 'there' },
          ],
        },
      ],
      stop: 'END',
      max_completion_tokens: 12,
    });
    expect(stream).toBe(false);
    expect(request).toEqual({
      model: 'o3',
      messages: [{ role: 'user', content: 'Hello there' }],
      params: { stop: ['END'], maxTokens: 12 },
    });
  });

  it('names the field it cannot carry', () => {
    const image = {
      model: 'gpt-4o',
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }],
    };
    expect(() => chatRequestFromOpenAiBody(image)).toThrow(
      new UnsupportedRequestError('messages[0].content[0]', 'only text parts are supported'),
    );
    expect(() => chatRequestFromOpenAiBody({ messages: [] })).toThrow('model: is required');
    expect(() =>
      chatRequestFromOpenAiBody({ model: 'm', messages: [{ role: 'function', content: '' }] }),
    ).toThrow('messages[0].role');
  });
});

describe('serving an OpenAI client from Anthropic', () => {
  const anthropic = () => anthropicMessagesAdapter({ baseUrl: fake.url, apiKey: 'k' });

  it('encodes a whole answer as a chat.completion the official client reads', async () => {
    const { request } = chatRequestFromOpenAiBody({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'translate me' }],
    });
    const result = await anthropic().chat({ ...request, model: 'claude-sonnet-4-6' });
    const body = toOpenAiChatCompletion(result, { id: 'chatcmpl-gw1', created: 1_767_225_600 });
    const completion = await clientAnswering(() => Response.json(body)).chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'translate me' }],
    });
    expect(completion.choices[0]?.message.content).toBe(fakeAnswer('translate me'));
    expect(completion.model).toBe('claude-sonnet-4-6');
    expect(completion.usage?.completion_tokens).toBe(estimateTokens(fakeAnswer('translate me')));
  });

  it('encodes a stream (text and tool calls) as chunks the official client assembles', async () => {
    const stream = await anthropic().stream({
      model: 'claude-sonnet-4-6',
      messages: [{ role: 'user', content: 'call lookup_order' }],
      tools: [{ name: 'lookup_order' }],
    });
    const encoder = new OpenAiChatChunkEncoder({
      id: 'chatcmpl-gw2',
      created: 1_767_225_600,
      model: 'claude-sonnet-4-6',
      includeUsage: true,
    });
    let sse = '';
    for await (const chunk of stream) sse += encoder.encode(chunk).join('');
    const completion = await clientAnswering(
      () => new Response(sse, { headers: { 'content-type': 'text/event-stream' } }),
    )
      .chat.completions.stream({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'call lookup_order' }],
        stream_options: { include_usage: true },
      })
      .finalChatCompletion();
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(completion.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      id: 'toolu_1',
      function: { name: 'lookup_order', arguments: JSON.stringify({ prompt: 'call lookup_order' }) },
    });
    expect(completion.usage?.prompt_tokens).toBe(estimateTokens('call lookup_order'));
  });
});
