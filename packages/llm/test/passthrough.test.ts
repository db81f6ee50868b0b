import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  anthropicMessagesAdapter,
  estimateTokens,
  type ForwardedResponse,
  type ForwardedSuccess,
  forwardableHeaders,
  openAiChatAdapter,
  type WireAdapter,
} from '../src/index.js';
import { type FakeProvider, fakeAnswer, startFakeProvider } from '../src/testing/index.js';

let fake: FakeProvider;
beforeAll(async () => {
  fake = await startFakeProvider({ apiKey: 'upstream-key' });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

/** A fetch that keeps a copy of every upstream body, to compare with what `send` hands on. */
function tappedFetch(): { fetch: typeof fetch; upstream: Promise<string>[] } {
  const upstream: Promise<string>[] = [];
  return {
    upstream,
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      if (response.body === null) return response;
      const [mine, theirs] = response.body.tee();
      upstream.push(new Response(theirs).text());
      return new Response(mine, { status: response.status, headers: response.headers });
    },
  };
}

function ok(response: ForwardedResponse): ForwardedSuccess {
  if (!response.ok) throw new Error(`expected a success, got ${response.status}: ${response.error.message}`);
  return response;
}

const OPENAI_BODY = (stream: boolean) =>
  JSON.stringify({
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'passthrough please' }],
    stream,
    ...(stream && { stream_options: { include_usage: true } }),
    logprobs: false,
    metadata: { ticket: 'T-1' },
  });

const ANTHROPIC_BODY = (stream: boolean) =>
  JSON.stringify({
    model: 'claude-sonnet-4-6',
    max_tokens: 512,
    system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
    messages: [{ role: 'user', content: [{ type: 'text', text: 'passthrough please' }] }],
    stream,
  });

const CASES: {
  name: string;
  make: (f: typeof fetch) => WireAdapter;
  body: (stream: boolean) => string;
  input: number;
}[] = [
  {
    name: 'openai',
    make: (f) => openAiChatAdapter({ baseUrl: `${fake.url}/v1`, apiKey: 'upstream-key', fetch: f }),
    body: OPENAI_BODY,
    input: estimateTokens('passthrough please'),
  },
  {
    name: 'anthropic',
    make: (f) => anthropicMessagesAdapter({ baseUrl: fake.url, apiKey: 'upstream-key', fetch: f }),
    body: ANTHROPIC_BODY,
    input: estimateTokens('Be brief.') + estimateTokens('passthrough please'),
  },
];

describe.each(CASES)('$name send (same-protocol passthrough)', ({ make, body, input }) => {
  it('sends the body as it is, with the adapter’s credentials instead of the caller’s', async () => {
    const { fetch } = tappedFetch();
    await make(fetch).send(body(false), {
      headers: { authorization: 'Bearer client-key', 'x-trace': 'abc' },
    });
    const [request] = fake.requests;
    expect(request?.body).toEqual(JSON.parse(body(false)));
    expect(request?.headers['x-trace']).toBe('abc');
    expect([request?.headers.authorization, request?.headers['x-api-key']]).toContain(
      request?.path === '/v1/messages' ? 'upstream-key' : 'Bearer upstream-key',
    );
    expect(JSON.stringify(request?.headers)).not.toContain('client-key');
  });

  it('streams the upstream bytes unchanged while measuring time to first token and reading usage', async () => {
    fake.script({ kind: 'slow-first-token', delayMs: 60 });
    const tap = tappedFetch();
    const forwarded = ok(await make(tap.fetch).send(body(true)));
    expect(forwarded.status).toBe(200);
    expect(forwarded.headers.get('content-type')).toBe('text/event-stream');
    const text = await new Response(forwarded.body).text();
    expect(text).toBe(await tap.upstream[0]);
    const metrics = await forwarded.metrics;
    expect(metrics).toMatchObject({
      completed: true,
      cancelled: false,
      error: undefined,
      finishReason: 'stop',
      usage: { inputTokens: input, outputTokens: estimateTokens(fakeAnswer('passthrough please')) },
    });
    expect(metrics.ttftMs).toBeGreaterThanOrEqual(50);
    expect(metrics.latencyMs).toBeGreaterThanOrEqual(metrics.ttftMs ?? 0);
  });

  it('forwards a whole answer and reads its usage at once', async () => {
    const tap = tappedFetch();
    const forwarded = ok(await make(tap.fetch).send(JSON.parse(body(false)) as Record<string, unknown>));
    expect(await new Response(forwarded.body).text()).toBe(await tap.upstream[0]);
    expect(await forwarded.metrics).toMatchObject({ completed: true, usage: { inputTokens: input } });
  });

  it('returns a refusal with its bytes, status and classified error', async () => {
    fake.script({ kind: 'rate-limit', retryAfter: '4' });
    const forwarded = await make(fetch).send(body(true));
    expect(forwarded.ok).toBe(false);
    if (forwarded.ok) return;
    expect(forwarded.status).toBe(429);
    expect(forwarded.error).toMatchObject({ kind: 'rate_limit', retryAfterMs: 4000 });
    expect(new TextDecoder().decode(forwarded.body)).toContain('rate limit reached');
  });

  it('refuses a stream whose error event comes before the first token, so it can fall back', async () => {
    fake.script({ kind: 'sse-error', afterChunks: 0 });
    const forwarded = await make(fetch).send(body(true));
    expect(forwarded).toMatchObject({ ok: false, status: 200, error: { retryable: true } });
  });

  it('passes an error event after the first token on, and reports it in the metrics', async () => {
    fake.script({ kind: 'sse-error', afterChunks: 2 });
    const forwarded = ok(await make(fetch).send(body(true)));
    const text = await new Response(forwarded.body).text();
    expect(text).toContain('Overloaded');
    expect(await forwarded.metrics).toMatchObject({ completed: false, error: { retryable: true } });
  });

  it('errors the body of a stream cut after its first token, and reports it', async () => {
    fake.script({ kind: 'stream-cut', afterChunks: 2 });
    const forwarded = ok(await make(fetch).send(body(true)));
    await expect(new Response(forwarded.body).text()).rejects.toThrow();
    expect(await forwarded.metrics).toMatchObject({ completed: false, error: { kind: 'connection' } });
  });

  it('refuses a stream cut before its first token', async () => {
    fake.script({ kind: 'stream-cut', afterChunks: 0 });
    expect(await make(fetch).send(body(true))).toMatchObject({ ok: false, error: { kind: 'connection' } });
  });

  it('refuses a malformed whole answer', async () => {
    fake.script({ kind: 'malformed-json' });
    expect(await make(fetch).send(body(false))).toMatchObject({
      ok: false,
      status: 200,
      error: { kind: 'other' },
    });
  });

  it('reports a body cancelled by its reader', async () => {
    fake.script({ kind: 'slow-first-token', delayMs: 0 });
    const forwarded = ok(await make(fetch).send(body(true), { peek: false }));
    await forwarded.body.cancel();
    expect(await forwarded.metrics).toMatchObject({ cancelled: true, completed: false });
  });
});

describe('forwardableHeaders', () => {
  it('drops hop-by-hop headers and those fetch invalidated by decoding the body', () => {
    const headers = forwardableHeaders(
      new Headers({
        'content-type': 'text/event-stream',
        'content-encoding': 'gzip',
        'content-length': '120',
        'transfer-encoding': 'chunked',
        connection: 'keep-alive',
        'x-request-id': 'req_1',
      }),
    );
    expect([...headers.keys()].sort()).toEqual(['content-type', 'x-request-id']);
  });
});
