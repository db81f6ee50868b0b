import { createServer, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  anthropicMessagesAdapter,
  type ForwardedResponse,
  type ForwardedSuccess,
  openAiChatAdapter,
  type WireAdapter,
} from '../src/index.js';
import { createNodeUpstream } from '../src/node/index.js';
import { type FakeProvider, startFakeProvider } from '../src/testing/index.js';

let fake: FakeProvider;
const node = createNodeUpstream();
beforeAll(async () => {
  fake = await startFakeProvider({ apiKey: 'upstream-key' });
});
afterAll(async () => {
  node.close();
  await fake.close();
});
beforeEach(() => fake.reset());

/** The fake numbers its answers and stamps them: the rest must be byte for byte the same. */
const same = (text: string) =>
  text.replace(/(chatcmpl|msg)_fake\d+/g, '$1_fake').replace(/"created":\d+/g, '"created":0');

function ok(response: ForwardedResponse): ForwardedSuccess {
  if (!response.ok) throw new Error(`expected a success, got ${response.status}: ${response.error.message}`);
  return response;
}

const CASES: { name: string; make: (f?: typeof node.fetch) => WireAdapter; body: (s: boolean) => string }[] =
  [
    {
      name: 'openai',
      make: (f) =>
        openAiChatAdapter({ baseUrl: `${fake.url}/v1`, apiKey: 'upstream-key', ...(f && { fetch: f }) }),
      body: (stream) =>
        JSON.stringify({
          model: 'gpt-4o',
          messages: [{ role: 'user', content: 'same bytes please' }],
          stream,
        }),
    },
    {
      name: 'anthropic',
      make: (f) =>
        anthropicMessagesAdapter({ baseUrl: fake.url, apiKey: 'upstream-key', ...(f && { fetch: f }) }),
      body: (stream) =>
        JSON.stringify({
          model: 'claude-sonnet-4',
          max_tokens: 64,
          messages: [{ role: 'user', content: 'same bytes please' }],
          stream,
        }),
    },
  ];

describe.each(CASES)('$name over node:http', ({ make, body }) => {
  it('forwards a whole answer with the same bytes and usage as over fetch, its bytes already read', async () => {
    const viaFetch = ok(await make().send(body(false)));
    const viaNode = ok(await make(node.fetch).send(body(false)));
    expect(viaNode.bytes).toBeInstanceOf(Uint8Array);
    expect(same(Buffer.from(viaNode.bytes ?? []).toString())).toBe(
      same(await new Response(viaFetch.body).text()),
    );
    expect(await new Response(viaNode.body).text()).toBe(Buffer.from(viaNode.bytes ?? []).toString());
    expect((await viaNode.metrics).usage).toEqual((await viaFetch.metrics).usage);
    expect(viaNode.headers.get('content-type')).toContain('application/json');
  });

  it('streams the same events as over fetch, measuring time to first token', async () => {
    fake.script({ kind: 'slow-first-token', delayMs: 40 });
    const viaNode = ok(await make(node.fetch).send(body(true)));
    const nodeText = await new Response(viaNode.body).text();
    fake.script({ kind: 'slow-first-token', delayMs: 40 });
    const viaFetch = ok(await make().send(body(true)));
    expect(same(nodeText)).toBe(same(await new Response(viaFetch.body).text()));
    const metrics = await viaNode.metrics;
    expect(metrics).toMatchObject({ completed: true, cancelled: false, error: undefined });
    expect(metrics.ttftMs).toBeGreaterThanOrEqual(30);
  });

  it('answers chat and stream calls in the neutral model as over fetch', async () => {
    const request = { model: 'm-1', messages: [{ role: 'user' as const, content: 'hello' }] };
    expect(same(JSON.stringify(await make(node.fetch).chat(request)))).toBe(
      same(JSON.stringify(await make().chat(request))),
    );
    const stream = await make(node.fetch).stream(request);
    expect((await stream.result()).text).toBe((await make().chat(request)).text);
  });

  it('gives a refusal’s bytes and classification as over fetch', async () => {
    fake.script({ kind: 'rate-limit', retryAfter: '3' });
    const refused = await make(node.fetch).send(body(false));
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.status).toBe(429);
    expect(refused.error).toMatchObject({ kind: 'rate_limit', retryAfterMs: 3_000 });
    expect(Buffer.from(refused.body).toString()).toContain('rate');
  });
});

describe('the node:http transport itself', () => {
  let server: Server;
  let url = '';
  let connections = 0;
  const seen: Record<string, string | string[] | undefined>[] = [];
  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push(request.headers);
      request.resume();
      request.on('end', () => {
        if (request.url === '/gzip') {
          response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
          response.end(gzipSync(JSON.stringify({ hello: 'compressed' })));
        } else if (request.url === '/cut') {
          response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
          response.write('{"partial":');
          setTimeout(() => response.destroy(), 10);
        } else if (request.url === '/slow') {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.write('{');
        } else {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end('{"ok":true}');
        }
      });
    });
    server.on('connection', () => {
      connections += 1;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const post = (path: string, signal?: AbortSignal) =>
    node.fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      ...(signal && { signal }),
    });

  it('keeps connections alive between requests and asks for an unencoded body', async () => {
    const before = connections;
    for (let i = 0; i < 5; i += 1) expect(await (await post('/')).text()).toBe('{"ok":true}');
    expect(connections - before).toBe(1);
    expect(seen.at(-1)?.['accept-encoding']).toBe('identity');
    expect(seen.at(-1)?.['content-length']).toBe('2');
  });

  it('decodes a gzip body a server sent anyway', async () => {
    expect(JSON.parse(await (await post('/gzip')).text())).toEqual({ hello: 'compressed' });
  });

  it('rejects reading a body that was cut, and a body read twice', async () => {
    const response = await post('/cut');
    await expect(response.text()).rejects.toThrow(TypeError);
    await expect(response.arrayBuffer()).rejects.toThrow('already been read');
  });

  it('rejects with the signal’s reason when aborted before or during the body', async () => {
    const reason = new Error('caller left');
    await expect(post('/', AbortSignal.abort(reason))).rejects.toBe(reason);
    const controller = new AbortController();
    const response = await post('/slow', controller.signal);
    const text = response.text();
    controller.abort(reason);
    await expect(text).rejects.toBe(reason);
  });

  it('fails like fetch when nothing listens: a TypeError with the network error as its cause', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await node
      .fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: {}, body: '' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
  });
});
