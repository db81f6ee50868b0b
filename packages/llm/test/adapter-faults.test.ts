import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  anthropicMessagesAdapter,
  type ChatRequest,
  type Clock,
  openAiChatAdapter,
  ProviderError,
  type UpstreamFetch,
  type WireAdapter,
} from '../src/index.js';
import { createNodeUpstream } from '../src/node/index.js';
import {
  type FakeProtocol,
  type FakeProvider,
  ManualClock,
  startFakeProvider,
} from '../src/testing/index.js';

let fake: FakeProvider;
beforeAll(async () => {
  fake = await startFakeProvider();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

// Both ways of reaching a provider: the global fetch, and @switchboard/llm/node's node:http transport.
const node = createNodeUpstream();
afterAll(() => node.close());
const TRANSPORTS: { transport: string; fetch: UpstreamFetch | undefined }[] = [
  { transport: 'fetch', fetch: undefined },
  { transport: 'node:http', fetch: node.fetch },
];

const PROTOCOLS: {
  protocol: FakeProtocol;
  transport: string;
  make: (baseUrl: string, clock?: Clock) => WireAdapter;
}[] = TRANSPORTS.flatMap(({ transport, fetch }) => [
  {
    protocol: 'openai' as const,
    transport,
    make: (url: string, clock?: Clock) =>
      openAiChatAdapter({
        baseUrl: `${url}/v1`,
        apiKey: 'k',
        ...(clock && { clock }),
        ...(fetch && { fetch }),
      }),
  },
  {
    protocol: 'anthropic' as const,
    transport,
    make: (url: string, clock?: Clock) =>
      anthropicMessagesAdapter({
        baseUrl: url,
        apiKey: 'k',
        ...(clock && { clock }),
        ...(fetch && { fetch }),
      }),
  },
]);

const REQUEST: ChatRequest = {
  model: 'm-1',
  messages: [{ role: 'user', content: 'hello world, how are you' }],
};

async function failureOf(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

async function drain(adapter: WireAdapter, request: ChatRequest = REQUEST): Promise<unknown> {
  const stream = await adapter.stream(request);
  return stream.result();
}

describe.each(PROTOCOLS)('$protocol adapter faults over $transport', ({ protocol, make }) => {
  const adapter = () => make(fake.url);

  it('classifies a 429 as a retryable rate limit and reads Retry-After in seconds', async () => {
    fake.script({ kind: 'rate-limit', retryAfter: '2' });
    const error = await failureOf(adapter().chat(REQUEST));
    expect(error).toMatchObject({
      kind: 'rate_limit',
      retryable: true,
      status: 429,
      retryAfterMs: 2000,
      provider: expect.any(String),
    });
    expect(error.body).toContain('rate limit reached');
    expect(error.headers?.get('retry-after')).toBe('2');
  });

  it('prefers retry-after-ms and reads an HTTP-date Retry-After against the clock', async () => {
    fake.script({ kind: 'rate-limit', retryAfter: '9', retryAfterMs: 1500 });
    expect(await failureOf(adapter().chat(REQUEST))).toMatchObject({ retryAfterMs: 1500 });
    const clock = new ManualClock(Date.UTC(2026, 2, 1, 12, 0, 0));
    fake.script({ kind: 'rate-limit', retryAfter: new Date(clock.now() + 30_000).toUTCString() });
    expect(await failureOf(make(fake.url, clock).chat(REQUEST))).toMatchObject({ retryAfterMs: 30_000 });
  });

  it('classifies 5xx as retryable server errors', async () => {
    fake.script({ kind: 'server-error' }, { kind: 'server-error', status: 503 });
    expect(await failureOf(adapter().chat(REQUEST))).toMatchObject({
      kind: 'server',
      retryable: true,
      status: 500,
    });
    expect(await failureOf(adapter().stream(REQUEST))).toMatchObject({ kind: 'server', status: 503 });
  });

  it('classifies 529 overloaded as a rate limit', async () => {
    fake.script({ kind: 'overloaded' });
    expect(await failureOf(adapter().chat(REQUEST))).toMatchObject({
      kind: 'rate_limit',
      retryable: true,
      status: 529,
    });
  });

  it('classifies 4xx as an invalid request, not retryable', async () => {
    fake.script({ kind: 'bad-request', message: 'context too long' }, { kind: 'bad-request', status: 404 });
    const error = await failureOf(adapter().chat(REQUEST));
    expect(error).toMatchObject({
      kind: 'invalid_request',
      retryable: false,
      status: 400,
      type: 'invalid_request_error',
    });
    expect(error.message).toContain('context too long');
    expect(await failureOf(adapter().chat(REQUEST))).toMatchObject({ kind: 'invalid_request', status: 404 });
  });

  it('classifies a malformed body as a retryable `other` failure', async () => {
    fake.script({ kind: 'malformed-json' }, { kind: 'malformed-json' });
    expect(await failureOf(adapter().chat(REQUEST))).toMatchObject({
      kind: 'other',
      retryable: true,
      type: 'malformed_response',
    });
    expect(await failureOf(drain(adapter()))).toMatchObject({ kind: 'other', type: 'malformed_response' });
  });

  it('classifies a stream cut mid-way as a connection failure', async () => {
    fake.script({ kind: 'stream-cut', afterChunks: 2 });
    const stream = await adapter().stream(REQUEST);
    const seen: string[] = [];
    const error = await failureOf(
      (async () => {
        for await (const chunk of stream) if (chunk.type === 'text') seen.push(chunk.text);
      })(),
    );
    expect(error).toMatchObject({ kind: 'connection', retryable: true });
    expect(seen.length).toBeGreaterThan(0);
    expect(stream.latencyMs).toBeDefined();
  });

  it('classifies an error event in a stream by its type', async () => {
    fake.script({ kind: 'sse-error', afterChunks: 1 }, { kind: 'sse-error', errorType: 'api_error' });
    expect(await failureOf(drain(adapter()))).toMatchObject({
      kind: protocol === 'anthropic' ? 'rate_limit' : 'server',
      retryable: true,
    });
    expect(await failureOf(drain(adapter()))).toMatchObject({ kind: 'server' });
  });

  it('classifies an AbortSignal.timeout as a timeout, and a caller abort as the abort itself', async () => {
    fake.script({ kind: 'slow-response', delayMs: 2_000 }, { kind: 'slow-first-token', delayMs: 2_000 });
    expect(await failureOf(adapter().chat(REQUEST, { signal: AbortSignal.timeout(50) }))).toMatchObject({
      kind: 'timeout',
      retryable: true,
    });
    const controller = new AbortController();
    const stream = await adapter().stream(REQUEST, { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    await expect(stream.result()).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('classifies a refused connection as a connection failure', async () => {
    const port = await closedPort();
    const error = await failureOf(make(`http://127.0.0.1:${port}`).chat(REQUEST));
    expect(error).toMatchObject({ kind: 'connection', retryable: true });
  });
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
