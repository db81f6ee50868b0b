import { describe, expect, it } from 'vitest';
import { relaySse } from './sse-relay.js';

const encoder = new TextEncoder();

/** A stream of the given pieces, failing after them when `fail` is set. */
function source(pieces: string[], fail = false): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const piece = pieces[i++];
      if (piece !== undefined) controller.enqueue(encoder.encode(piece));
      else if (fail) controller.error(new Error('cut'));
      else controller.close();
    },
  });
}

async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

const chunk = (content: string) =>
  `data: {"id":"c1","choices":[{"index":0,"delta":{"content":"${content}"}}],"usage":null}\n\n`;
const USAGE = 'data: {"id":"c1","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2}}\n\n';
const DONE = 'data: [DONE]\n\n';

describe('relaySse', () => {
  it('relays the bytes unchanged, however the upstream splits them', async () => {
    const whole = `${chunk('Hel')}${chunk('lo')}${USAGE}${DONE}`;
    const pieces = [whole.slice(0, 7), whole.slice(7, 60), whole.slice(60, 61), whole.slice(61)];
    const relayed = relaySse(source(pieces), { withholdUsage: false, closing: async () => undefined });
    expect(await text(relayed)).toBe(whole);
  });

  it('withholds the usage-only chunk, even split across reads, and nothing else', async () => {
    const whole = `${chunk('Hi')}${USAGE}${DONE}`;
    const at = whole.indexOf('"usage":{') + 3;
    const relayed = relaySse(source([whole.slice(0, at), whole.slice(at)]), {
      withholdUsage: true,
      closing: async () => undefined,
    });
    expect(await text(relayed)).toBe(`${chunk('Hi')}${DONE}`);
  });

  it('ends a failed stream with the closing event instead of a torn one', async () => {
    const relayed = relaySse(source([chunk('Hi'), 'data: {"id":"c1","cho'], true), {
      withholdUsage: false,
      closing: async (failed) => (failed ? 'data: {"error":{"message":"cut"}}\n\n' : undefined),
    });
    expect(await text(relayed)).toBe(`${chunk('Hi')}\n\ndata: {"error":{"message":"cut"}}\n\n`);
  });

  it('keeps CRLF event boundaries', async () => {
    const whole = 'event: ping\r\ndata: {}\r\n\r\nevent: message_stop\r\ndata: {}\r\n\r\n';
    const relayed = relaySse(source([whole.slice(0, 20), whole.slice(20)]), {
      withholdUsage: false,
      closing: async () => undefined,
    });
    expect(await text(relayed)).toBe(whole);
  });
});
