import type { Snapshot, SnapshotFlag } from '@switchboard/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClient } from '../src/index.js';

// The SDK's stream parser against everything a broken proxy, a truncated connection or a hostile
// server could send: malformed frames split at every byte boundary, huge lines, missing fields,
// unknown events, invalid JSON, wrong versions and unusable values. The client never throws, never
// applies a bad change, and keeps serving the last good snapshot.

const GOOD_VALUE = 'hello';

function flag(value: string, version: number, overrides: Record<string, unknown> = {}): SnapshotFlag {
  return {
    key: 'greeting',
    kind: 'string',
    variants: [{ key: 'v', value }],
    salt: 's',
    enabled: true,
    targets: [],
    rules: [],
    fallthrough: { variant: 'v' },
    prerequisites: [],
    version,
    ...overrides,
  } as SnapshotFlag;
}

const GOOD: Snapshot = { version: 5, flags: [flag(GOOD_VALUE, 5)], segments: [] };

const frame = (event: string | undefined, data: string | undefined, id?: string) =>
  `${event === undefined ? '' : `event: ${event}\n`}${id === undefined ? '' : `id: ${id}\n`}${
    data === undefined ? '' : `data: ${data}\n`
  }\n`;

/** Frames none of which may change what the client serves. */
const hostileFrame: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    frame('put', '{'),
    frame('patch', '{"version":'),
    frame('put', undefined, '6'),
    frame(undefined, undefined),
    frame('patch', ''),
    frame('patch', 'null'),
    frame('patch', '[]'),
    frame('patch', '"text"'),
    frame('put', JSON.stringify({ snapshot: { flags: [flag('bad', 9)], segments: [] } })),
    frame('put', JSON.stringify({ version: '9', snapshot: { flags: [flag('bad', 9)], segments: [] } })),
    frame('put', JSON.stringify({ version: 9.5, snapshot: { flags: [flag('bad', 9)], segments: [] } })),
    frame('put', '{"version":1e400,"snapshot":{"flags":[],"segments":[]}}'),
    frame('put', JSON.stringify({ version: 9, snapshot: { flags: 'none', segments: [] } })),
    frame('put', JSON.stringify({ version: 9, snapshot: null })),
    frame('put', JSON.stringify({ version: 9, snapshot: { flags: [42], segments: [] } })),
    // Older than what is held: a lagging replica must not take the client back in time.
    frame('put', JSON.stringify({ version: 1, snapshot: { flags: [flag('old', 1)], segments: [] } })),
    frame('patch', JSON.stringify({ version: 1, kind: 'flag', key: 'greeting', value: flag('old', 1) })),
    frame('patch', JSON.stringify({ version: 9, kind: 'flag', key: 'greeting', value: flag('stale', 4) })),
    frame('patch', JSON.stringify({ version: 9, kind: 'flag', key: 'other', value: flag('bad', 9) })),
    frame('patch', JSON.stringify({ version: 9, kind: 'flag', key: 'greeting', value: { key: 'greeting' } })),
    frame('patch', JSON.stringify({ version: 9, kind: 'flag', key: 'greeting', value: null })),
    frame('patch', JSON.stringify({ version: 9, kind: 'toggle', key: 'greeting', value: flag('bad', 9) })),
    frame('patch', JSON.stringify({ version: 9, kind: 'flag', value: flag('bad', 9) })),
    frame(
      'patch',
      JSON.stringify({
        version: 9,
        kind: 'flag',
        key: 'greeting',
        value: flag('bad', 9, { variants: 'none' }),
      }),
    ),
    frame(
      'patch',
      JSON.stringify({
        version: 9,
        kind: 'flag',
        key: 'greeting',
        value: flag('bad', 9, { fallthrough: { variant: 'ghost' } }),
      }),
    ),
    frame(
      'patch',
      JSON.stringify({
        version: 9,
        kind: 'flag',
        key: 'greeting',
        value: flag('bad', 9, { kind: 'number' }),
      }),
    ),
    frame('delete', JSON.stringify({ version: 9, kind: 'flag' })),
    frame('delete', JSON.stringify({ kind: 'flag', key: 'greeting' })),
    frame('delete', JSON.stringify({ version: 1, kind: 'flag', key: 'greeting' })),
    frame('heartbeat', '{"version":9}'),
    frame('surprise', '{"version":9,"flags":[]}'),
    frame('drain', '{"version":9}'),
    frame('message', '{"version":9}'),
    ': a comment\n\n',
    'retry: soon\n\n',
    'id: \u0000\n\n',
    '\ufeffevent: put\ndata: {\n\n',
    'event: put\r\ndata: {"version":\r\n\r\n',
    'data: {"version":9,\ndata: "snapshot":null}\n\n',
  ),
  fc.string({ unit: 'binary', maxLength: 60 }).map((text) => `${text.replace(/\n\n/g, '\n')}\n\n`),
  fc
    .constantFrom(10_000, 100_000, 1_000_000)
    .map((n) => frame('put', `{"version":9,"padding":"${'x'.repeat(n)}"`)),
  fc.jsonValue({ maxDepth: 3 }).map((value) => frame('patch', JSON.stringify(value))),
);

/** The text cut into chunks at arbitrary byte offsets (UTF-8 characters may be split across chunks). */
function chunked(text: string, cuts: number[]): Uint8Array[] {
  const bytes = new TextEncoder().encode(text);
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const at of [...points, bytes.length]) {
    if (at > from) chunks.push(bytes.subarray(from, at));
    from = at;
  }
  return chunks;
}

/**
 * A fetch serving the good snapshot, then one stream of `chunks`; `consumed` resolves once the client
 * has read them all (or dropped the stream). Later streams stay silent until aborted.
 */
function fakeServer(chunks: Uint8Array[]) {
  let consumed!: () => void;
  const done = new Promise<void>((resolve) => {
    consumed = resolve;
  });
  let streams = 0;
  const fetchImpl = (async (input: string | URL, init?: RequestInit) => {
    const url = String(input);
    if (url.includes('/api/v1/sdk/snapshot')) {
      return new Response(JSON.stringify(GOOD), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    }
    if (!url.includes('/api/v1/sdk/stream')) return new Response('{}', { status: 202 });
    streams += 1;
    if (streams > 1) {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          init?.signal?.addEventListener('abort', () => controller.error(new Error('aborted')));
        },
      });
      return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
    }
    let next = 0;
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          const chunk = chunks[next++];
          // Asked for more after the last chunk: every chunk before it was parsed and applied.
          if (chunk === undefined) {
            consumed();
            controller.close();
          } else controller.enqueue(chunk);
        },
        cancel() {
          consumed();
        },
      },
      { highWaterMark: 0 },
    );
    return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  }) as typeof fetch;
  return { fetchImpl, consumed: done };
}

describe('the SDK stream under hostile input', () => {
  it('never throws, never applies a bad change, and keeps the last good snapshot', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(hostileFrame, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        fc.boolean(),
        async (frames, cuts, truncated) => {
          let text = frames.join('');
          // A connection cut in the middle of a frame.
          if (truncated) text = text.slice(0, Math.max(1, text.length - 7));
          const server = fakeServer(chunked(text, cuts));
          const warnings: string[] = [];
          const client = createClient({
            url: 'http://switchboard.test',
            sdkKey: 'sb_server_test',
            fetch: server.fetchImpl,
            logger: {
              debug: () => {},
              info: () => {},
              warn: (message: string) => void warnings.push(message),
              error: (message: string) => void warnings.push(message),
            },
            events: { flushIntervalMs: 60_000 },
          });
          try {
            await client.ready({ timeoutMs: 2_000 });
            expect(client.getStringValue('greeting', { targetingKey: 'u1' }, 'default')).toBe(GOOD_VALUE);
            await server.consumed;
            expect(client.getStringValue('greeting', { targetingKey: 'u1' }, 'default')).toBe(GOOD_VALUE);
            expect(client.evaluate('greeting', { targetingKey: 'u1' }, 'default').reason).not.toBe('ERROR');
          } finally {
            await client.close();
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('still applies a put that carries a new flag it cannot use, beside the good ones', async () => {
    const broken = { ...flag('x', 6), key: 'other', variants: 'none' };
    const put = frame(
      'put',
      JSON.stringify({
        version: 6,
        snapshot: { version: 6, flags: [flag('world', 6), broken], segments: [] },
      }),
      '6',
    );
    const server = fakeServer(chunked(put, []));
    const client = createClient({
      url: 'http://switchboard.test',
      sdkKey: 'sb_server_test',
      fetch: server.fetchImpl,
      logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    });
    try {
      await client.ready({ timeoutMs: 2_000 });
      await server.consumed;
      expect(client.getStringValue('greeting', { targetingKey: 'u1' }, 'default')).toBe('world');
      expect(client.evaluate('other', { targetingKey: 'u1' }, 'default').reason).toBe('ERROR');
    } finally {
      await client.close();
    }
  });

  it('applies a good patch split at every byte boundary, so the property above is not vacuous', async () => {
    const patch = frame(
      'patch',
      JSON.stringify({ version: 6, kind: 'flag', key: 'greeting', value: flag('wörld 🌍', 6) }),
      '6',
    );
    const size = new TextEncoder().encode(patch).length;
    for (let at = 1; at < size; at += 1) {
      const server = fakeServer(chunked(patch, [at]));
      const client = createClient({
        url: 'http://switchboard.test',
        sdkKey: 'sb_server_test',
        fetch: server.fetchImpl,
        logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
      });
      try {
        await client.ready({ timeoutMs: 2_000 });
        await server.consumed;
        expect(client.getStringValue('greeting', { targetingKey: 'u1' }, 'default'), `cut at ${at}`).toBe(
          'wörld 🌍',
        );
      } finally {
        await client.close();
      }
    }
  });
});
