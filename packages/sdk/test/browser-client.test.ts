import { afterEach, describe, expect, it } from 'vitest';
import {
  type BrowserClient,
  createBrowserClient,
  ListenerRegistry,
  type Logger,
} from '../src/browser/index.js';

const clients: BrowserClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

function json(body: unknown, init: ResponseInit = {}): Response {
  return new Response(JSON.stringify(body), { status: 200, ...init });
}

/** The body the client evaluate endpoint returns, one boolean flag `f` set to `value`. */
function flags(value: unknown) {
  return { flags: { f: { value, variant: String(value), reason: 'DEFAULT' } } };
}

function client(
  fetch: typeof globalThis.fetch,
  options: Partial<Parameters<typeof createBrowserClient>[0]> = {},
) {
  const c = createBrowserClient({
    url: 'http://flags.test/',
    clientKey: 'k',
    stream: false,
    fetch,
    ...options,
  });
  clients.push(c);
  return c;
}

/** An SSE body the test writes into. */
function sseStream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  const encoder = new TextEncoder();
  return {
    response: () => new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
    send: (event: string, data: unknown) =>
      controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)),
  };
}

describe('the browser client on a misbehaving network', () => {
  it('posts the context with the client key to the client evaluate endpoint', async () => {
    const seen: { url: string; init: RequestInit | undefined }[] = [];
    const c = client(
      async (url, init) => {
        seen.push({ url: String(url), init });
        return json(flags(true));
      },
      { context: { targetingKey: 'u1', plan: 'pro' } },
    );
    await c.ready();
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url).toBe('http://flags.test/api/v1/client/evaluate');
    expect(seen[0]?.init?.method).toBe('POST');
    expect(new Headers(seen[0]?.init?.headers).get('authorization')).toBe('Bearer k');
    expect(JSON.parse(String(seen[0]?.init?.body))).toEqual({ context: { targetingKey: 'u1', plan: 'pro' } });
  });

  it('retries a failed request with backoff and serves defaults meanwhile', async () => {
    let calls = 0;
    const errors: string[] = [];
    const c = client(async () => {
      calls++;
      if (calls === 1) throw new TypeError('network down');
      if (calls === 2) return new Response('oops', { status: 503 });
      return json(flags(true));
    });
    c.on('error', (e) => errors.push(e.message));
    expect(await c.ready({ timeoutMs: 5_000 })).toEqual({ loaded: true, refused: false });
    expect(calls).toBe(3);
    expect(errors).toEqual([
      expect.stringMatching(/unreachable.*network down/),
      expect.stringMatching(/failed with 503/),
    ]);
    expect(c.getBooleanValue('f', false)).toBe(true);
  });

  it('treats a malformed answer as a failure and keeps serving what it had', async () => {
    let answer: unknown = flags(true);
    const c = client(async () => json(answer));
    await c.ready();
    answer = { flags: { f: { value: 1 } } };
    const state = await c.setContext({ targetingKey: 'u2' });
    expect(state).toMatchObject({ loaded: false, error: "the server's answer is malformed" });
    expect(c.getBooleanValue('f', false)).toBe(true);
  });

  it('reports a context that cannot be sent instead of throwing', async () => {
    const circular: Record<string, unknown> = { targetingKey: 'u1' };
    circular.self = circular;
    const c = client(async () => json(flags(true)), { context: circular });
    expect(await c.ready({ timeoutMs: 200 })).toMatchObject({
      loaded: false,
      error: expect.stringMatching(/cannot be sent as JSON/),
    });
    expect(c.evaluate('f', false)).toMatchObject({ value: false, reason: 'ERROR', errorCode: 'GENERAL' });
  });

  it('applies only the newest answer when contexts change faster than the server answers', async () => {
    // This fetch ignores aborts, as a slow proxy might: the stale answer still arrives, late.
    const pending: (() => void)[] = [];
    const c = client(
      (_url, init) =>
        new Promise<Response>((resolve) => {
          const plan = JSON.parse(String(init?.body)).context.plan;
          pending.push(() => resolve(json(flags(plan))));
        }),
      { context: { plan: 'free' } },
    );
    const toPro = c.setContext({ plan: 'pro' });
    pending[1]?.();
    expect(await toPro).toEqual({ loaded: true, refused: false });
    pending[0]?.();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(c.getStringValue('f', 'none')).toBe('pro');
    expect(c.context).toEqual({ plan: 'pro' });
  });

  it('refreshes on a change signal with a new version, and not on a heartbeat of the same version', async () => {
    const stream = sseStream();
    let evaluations = 0;
    const c = client(
      async (url) => {
        if (String(url).endsWith('/api/v1/client/stream')) return stream.response();
        evaluations++;
        return json(flags(evaluations));
      },
      { stream: true },
    );
    await c.ready();
    const changes: string[][] = [];
    c.on('change', (keys) => changes.push(keys));
    const refreshed = new Promise<void>((resolve) => c.on('change', () => resolve()));
    stream.send('change', { version: 4 });
    await refreshed;
    stream.send('heartbeat', { version: 4 });
    stream.send('something-new', { version: 9 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(evaluations).toBe(2);
    expect(changes).toEqual([['f']]);
    expect(c.getNumberValue('f', 0)).toBe(2);
  });

  it('keeps calling listeners when one throws, and logs it', async () => {
    const logged: string[] = [];
    const logger: Logger = { debug() {}, info() {}, warn() {}, error: (m) => logged.push(m) };
    const c = client(async () => json(flags(true)), { logger });
    const seen: string[][] = [];
    c.on('change', () => {
      throw new Error('app bug');
    });
    c.on('change', (keys) => seen.push(keys));
    await c.ready();
    expect(seen).toEqual([['f']]);
    expect(logged).toEqual(['a change listener threw']);
  });
});

describe('ListenerRegistry', () => {
  it('adds each listener once, removes it, and lets listeners remove themselves while emitting', () => {
    const registry = new ListenerRegistry<{ ping: number }>();
    const calls: string[] = [];
    const a = (n: number) => calls.push(`a${n}`);
    registry.on('ping', a);
    registry.on('ping', a);
    const offB = registry.on('ping', (n) => {
      calls.push(`b${n}`);
      offB();
    });
    registry.emit('ping', 1);
    registry.emit('ping', 2);
    registry.off('ping', a);
    registry.emit('ping', 3);
    expect(calls).toEqual(['a1', 'b1', 'a2']);
  });
});
