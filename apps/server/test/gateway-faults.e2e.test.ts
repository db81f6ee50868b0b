import { type FakeProvider, startFakeProvider } from '@switchboard/llm/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAiFlag, createKey, fakeProviders, UPSTREAM_KEY } from './gateway-fixtures.js';
import { startTestApp, type TestApp } from './harness.js';

// The gateway against an upstream that answers garbage: truncated JSON, the wrong content type,
// invalid SSE, giant bodies, a slow drip, a disconnect mid-stream. Whatever comes back, the caller gets
// either a usable answer or a clear error in its own protocol's shape (never a 500 from the gateway
// itself, never a hang), and the server stays healthy.

const ATTEMPT_TIMEOUT_MS = 800;
/** Beyond the attempt timeout and the upstream's own drip, what the gateway may take to answer: a hang is anything longer. */
const ANSWER_BOUND_MS = 10_000;
/** Stands for a 64 KiB chunk in the generated faults (so that a counterexample stays readable). */
const GIANT = 'GIANT';
const GIANT_CHUNK = 'x'.repeat(64 * 1024);

const nastyBodies: fc.Arbitrary<string[]> = fc.constantFrom(
  ['{"id":"chatcmpl-1","choices":[{"message":'],
  ['{"id":"msg_1","type":"message","content":[{"type":"text","text":"hi'],
  ['<html><body>502 Bad Gateway</body></html>'],
  [''],
  ['null'],
  ['[]'],
  ['{"choices":"none"}'],
  ['{"type":"message","content":"not a list"}'],
  ['data: {not json}\n\n'],
  ['data: [DONE]\n\n'],
  ['event: message_start\ndata: {"type":"message_start"}\n\n'],
  ['data: {"choices":[{"delta":{"content":"half'],
  [
    'event: content_block_delta\ndata: {"type":"content_block_delta","delta":{"type":"text_delta","text":"x"}}\n\n',
  ],
  ['\u0000\u0001\u0002\ufffd binary'],
  ['data: {"choices":[{"delta":{"content":"a"}}]}\n\n', 'data: {"choices":[{"delta":{"content":"b"}}]}\n\n'],
  [GIANT],
);

const fault = fc
  .record({
    status: fc.constantFrom(200, 200, 200, 500, 502, 418),
    contentType: fc.constantFrom<string | undefined>(
      'application/json',
      'text/event-stream',
      'text/html',
      'application/octet-stream',
      undefined,
    ),
    chunks: nastyBodies,
    repeat: fc.constantFrom(1, 1, 1, 300),
    chunkDelayMs: fc.constantFrom(0, 0, 0, 40),
    cut: fc.boolean(),
  })
  // A long body drips 1 ms a chunk, not 40: 600 chunks 40 ms apart would be a 24 s valid stream, slow
  // to test, not a fault (gateway.e2e's slow-drip test covers a drip past the attempt timeout).
  .map((f) => (f.repeat > 1 && f.chunkDelayMs > 1 ? { ...f, chunkDelayMs: 1 } : f));

/** Whether the text is an error in the protocol's shape. */
function isProtocolError(protocol: 'openai' | 'anthropic', body: unknown): boolean {
  const error = (body as { error?: { message?: unknown; type?: unknown } } | null)?.error;
  if (typeof error?.message !== 'string' || error.message.length === 0) return false;
  return protocol === 'openai'
    ? true
    : (body as { type?: unknown }).type === 'error' && typeof error.type === 'string';
}

describe('the gateway against a malformed upstream', () => {
  let fake: FakeProvider;
  let t: TestApp;
  let base = '';
  let serverKey = '';

  beforeAll(async () => {
    fake = await startFakeProvider({ apiKey: UPSTREAM_KEY });
    t = await startTestApp('sqlite', {
      providers: fakeProviders(fake),
      gatewayAttemptTimeoutMs: ATTEMPT_TIMEOUT_MS,
      // Never open: every request must reach the faulty upstream.
      gatewayBreakerThreshold: 1_000_000,
    });
    base = await t.http.listen({ port: 0, host: '127.0.0.1' });
    serverKey = await createKey(t, 'server');
    await createAiFlag(t, 'garbage-in', { main: { provider: 'garbled', model: 'm-garbage' } });
  });
  afterAll(async () => {
    await t?.destroy();
    await fake?.close();
  });

  it('answers every fault with a usable answer or a clear error in the protocol, and stays healthy', async () => {
    await fc.assert(
      fc.asyncProperty(
        fault,
        fc.constantFrom('openai', 'anthropic') as fc.Arbitrary<'openai' | 'anthropic'>,
        fc.boolean(),
        async (script, protocol, stream) => {
          fake.reset();
          fake.script({
            kind: 'raw-response',
            model: 'm-garbage',
            ...script,
            chunks: script.chunks.map((c) => (c === GIANT ? GIANT_CHUNK : c)),
          });
          const path = protocol === 'openai' ? '/v1/chat/completions' : '/v1/messages';
          const body =
            protocol === 'openai'
              ? { model: 'flag:garbage-in', messages: [{ role: 'user', content: 'hi' }], user: 'u1', stream }
              : {
                  model: 'flag:garbage-in',
                  max_tokens: 50,
                  messages: [{ role: 'user', content: 'hi' }],
                  metadata: { user_id: 'u1' },
                  stream,
                };
          // A slow drip is the upstream's own time (a valid stream of 600 chunks 40 ms apart takes 24 s):
          // a hang is taking longer than that plus the bound.
          const bound = ANSWER_BOUND_MS + script.chunks.length * script.repeat * script.chunkDelayMs;
          const started = Date.now();
          const response = await fetch(`${base}${path}`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${serverKey}`,
              'content-type': 'application/json',
              'anthropic-version': '2023-06-01',
            },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(bound),
          });
          const text = await response.text();
          const context = `${protocol}${stream ? ' streamed' : ''} ${JSON.stringify({ ...script, chunks: script.chunks.map((c) => c.slice(0, 40)) })} → ${response.status} ${text.slice(0, 300)}`;
          expect(Date.now() - started, context).toBeLessThan(bound);
          if (response.status >= 400) {
            expect(response.headers.get('content-type'), context).toMatch(/^application\/json/);
            const error = JSON.parse(text) as { error: { message: string } };
            expect(isProtocolError(protocol, error), context).toBe(true);
            // A 5xx reports the upstream's failure, naming it: the gateway itself did not fail.
            if (response.status >= 500) expect(error.error.message, context).toMatch(/garbled/);
          } else if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
            // Headers went out before the upstream failed: the stream says so in the protocol's terms,
            // or it is a complete answer.
            const ended =
              protocol === 'openai'
                ? /data: \[DONE\]|"error"/.test(text)
                : /event: (message_stop|error)/.test(text);
            expect(ended, context).toBe(true);
          } else {
            const parsed = JSON.parse(text) as Record<string, unknown>;
            expect(
              protocol === 'openai' ? Array.isArray(parsed.choices) : Array.isArray(parsed.content),
              context,
            ).toBe(true);
          }
          const health = await fetch(`${base}/healthz`);
          expect(health.status).toBe(200);
        },
      ),
      {
        numRuns: 40,
        endOnFailure: true,
        examples: [
          // Found by this property: a 200 stream labelled application/json went out under that label.
          [
            {
              status: 200,
              contentType: 'application/json',
              chunks: [
                'data: {"choices":[{"delta":{"content":"a"}}]}\n\n',
                'data: {"choices":[{"delta":{"content":"b"}}]}\n\n',
              ],
              repeat: 1,
              chunkDelayMs: 0,
              cut: false,
            },
            'openai',
            true,
          ],
        ],
      },
    );
  });
});
