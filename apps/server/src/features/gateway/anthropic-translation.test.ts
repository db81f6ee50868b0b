import { UnsupportedRequestError } from '@switchboard/llm';
import { describe, expect, it } from 'vitest';
import {
  AnthropicChunkEncoder,
  chatRequestFromAnthropicBody,
  toAnthropicMessage,
} from './anthropic-translation.js';
import { anthropicMessagesBody } from './gateway-schemas.js';

const body = (fields: Record<string, unknown>) =>
  anthropicMessagesBody.parse({ model: 'flag:x', max_tokens: 50, messages: [], ...fields });

describe('chatRequestFromAnthropicBody', () => {
  it('reads system blocks, tool use and tool results, params and the user', () => {
    const request = chatRequestFromAnthropicBody(
      body({
        system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
        messages: [
          { role: 'user', content: 'Where is order 7?' },
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'Looking.' },
              { type: 'tool_use', id: 'toolu_1', name: 'lookup', input: { id: 7 } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'shipped' }] },
              { type: 'text', text: 'And?' },
            ],
          },
        ],
        tools: [{ name: 'lookup', description: 'Finds an order', input_schema: { type: 'object' } }],
        temperature: 0.3,
        stop_sequences: ['END'],
        metadata: { user_id: 'u1' },
      }),
    );
    expect(request).toEqual({
      model: 'flag:x',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Where is order 7?' },
        {
          role: 'assistant',
          content: 'Looking.',
          toolCalls: [{ id: 'toolu_1', name: 'lookup', arguments: '{"id":7}' }],
        },
        { role: 'tool', toolCallId: 'toolu_1', content: 'shipped' },
        { role: 'user', content: 'And?' },
      ],
      params: { maxTokens: 50, temperature: 0.3, stop: ['END'] },
      tools: [{ name: 'lookup', description: 'Finds an order', parameters: { type: 'object' } }],
      user: 'u1',
    });
  });

  it('refuses a block it cannot translate, naming it', () => {
    const read = () =>
      chatRequestFromAnthropicBody(
        body({ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64' } }] }] }),
      );
    expect(read).toThrow(UnsupportedRequestError);
    expect(read).toThrow('messages[0].content[0]');
  });
});

describe('toAnthropicMessage and AnthropicChunkEncoder', () => {
  it('answers with text and tool_use blocks', () => {
    const message = toAnthropicMessage(
      {
        model: 'gpt-4o',
        text: 'Checking.',
        toolCalls: [{ id: 'call_1', name: 'lookup', arguments: '{"id":7}' }],
        finishReason: 'tool-calls',
        usage: { inputTokens: 10, outputTokens: 4 },
        raw: {},
      },
      { id: 'msg_1', model: 'gpt-4o' },
    );
    expect(message).toMatchObject({
      content: [
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'call_1', name: 'lookup', input: { id: 7 } },
      ],
      stop_reason: 'tool_use',
      usage: { input_tokens: 10, output_tokens: 4 },
    });
  });

  it('streams one block at a time: each opened, filled and closed', () => {
    const encoder = new AnthropicChunkEncoder({ id: 'msg_1', model: 'gpt-4o' });
    const frames = [
      ...encoder.encode({ type: 'text', text: 'Hi' }),
      ...encoder.encode({ type: 'tool-call', index: 0, id: 'call_1', name: 'lookup', argumentsDelta: '' }),
      ...encoder.encode({ type: 'tool-call', index: 0, argumentsDelta: '{"id":7}' }),
      ...encoder.encode({
        type: 'finish',
        finishReason: 'tool-calls',
        usage: { inputTokens: 3, outputTokens: 5 },
        model: 'gpt-4o',
      }),
    ];
    const events = frames.map((f) => {
      const [event, data] = f.trim().split('\n');
      return { event: event?.slice(7), data: JSON.parse(data?.slice(6) ?? '{}') as Record<string, unknown> };
    });
    expect(events.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events[4]?.data).toMatchObject({ index: 1, content_block: { type: 'tool_use', name: 'lookup' } });
    expect(events[7]?.data).toMatchObject({
      delta: { stop_reason: 'tool_use' },
      usage: { output_tokens: 5 },
    });
  });
});
