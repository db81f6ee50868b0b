import { describe, expect, it } from 'vitest';
import { type ChatChunk, ChatStream } from '../src/index.js';
import { ManualClock } from '../src/testing/index.js';

async function* chunks(clock: ManualClock, fail?: Error): AsyncGenerator<ChatChunk> {
  await clock.sleep(100);
  yield { type: 'text', text: '' };
  await clock.sleep(50);
  yield { type: 'tool-call', index: 0, id: 'c1', name: 'lookup', argumentsDelta: '{"id":' };
  yield { type: 'text', text: 'Hello' };
  yield { type: 'tool-call', index: 0, argumentsDelta: '1}' };
  yield { type: 'tool-call', index: 1, id: 'c2', name: 'ping', argumentsDelta: '' };
  if (fail) throw fail;
  await clock.sleep(25);
  yield {
    type: 'finish',
    finishReason: 'tool-calls',
    usage: { inputTokens: 4, outputTokens: 9 },
    model: 'm-2',
  };
}

describe('ChatStream', () => {
  it('assembles text and tool calls, and measures first token and latency on its clock', async () => {
    const clock = new ManualClock(0, { autoAdvance: true });
    const stream = new ChatStream(chunks(clock), {
      clock,
      startedAt: 0,
      tools: [{ name: 'ping', observeOnly: true }],
      raw: ['e'],
    });
    expect(await stream.result()).toEqual({
      model: 'm-2',
      text: 'Hello',
      toolCalls: [
        { id: 'c1', name: 'lookup', arguments: '{"id":1}' },
        { id: 'c2', name: 'ping', arguments: '{}', observeOnly: true },
      ],
      finishReason: 'tool-calls',
      usage: { inputTokens: 4, outputTokens: 9 },
      raw: ['e'],
    });
    // An empty text chunk is not a token.
    expect(stream.ttftMs).toBe(150);
    expect(stream.latencyMs).toBe(175);
  });

  it('can be read only once, and result() after a full read returns the answer', async () => {
    const clock = new ManualClock(0, { autoAdvance: true });
    const stream = new ChatStream(chunks(clock), { clock, startedAt: 0 });
    for await (const _ of stream) void _;
    expect(() => stream[Symbol.asyncIterator]()).toThrow('only once');
    expect((await stream.result()).text).toBe('Hello');
  });

  it('rethrows the failure from result(), and refuses a result of a stream left early', async () => {
    const clock = new ManualClock(0, { autoAdvance: true });
    const failure = new Error('cut');
    await expect(new ChatStream(chunks(clock, failure), { clock, startedAt: 0 }).result()).rejects.toBe(
      failure,
    );
    const left = new ChatStream(chunks(clock), { clock, startedAt: 0 });
    for await (const _ of left) break;
    await expect(left.result()).rejects.toThrow('not read to its end');
  });
});
