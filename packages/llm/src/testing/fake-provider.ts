import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  anthropicMessage,
  anthropicStreamEvents,
  composeAnswer,
  errorBody,
  type FakeProtocol,
  type FakeRequestBody,
  type FakeToolCall,
  openAiCompletion,
  openAiStreamEvents,
  type SseEvent,
} from './fake-responses.js';

/** Something that can go wrong (or differently) with one request. */
export type FakeFault =
  /** 429 with `retry-after` (a header value: seconds or an HTTP date) and/or `retry-after-ms`. */
  | { kind: 'rate-limit'; retryAfter?: string; retryAfterMs?: number }
  /** A 5xx (500 unless `status` says otherwise). */
  | { kind: 'server-error'; status?: number }
  /** Anthropic's 529 `overloaded_error`. */
  | { kind: 'overloaded' }
  /** A 4xx (400 unless `status` says otherwise) that no retry or fallback fixes. */
  | { kind: 'bad-request'; status?: number; message?: string }
  /** Waits before sending anything. */
  | { kind: 'slow-response'; delayMs: number }
  /** A stream sends its headers and opening events at once, then waits before the first token; a whole answer waits. */
  | { kind: 'slow-first-token'; delayMs: number }
  /** A 200 whose body (or a stream's first data) is not JSON. */
  | { kind: 'malformed-json' }
  /** The connection is destroyed after `afterChunks` tokens (1 unless given). */
  | { kind: 'stream-cut'; afterChunks?: number }
  /** An error event after `afterChunks` tokens (0 unless given), then the end: `overloaded_error` unless `errorType` says otherwise. */
  | { kind: 'sse-error'; afterChunks?: number; errorType?: string }
  /** Answers with this text and/or these tool calls instead of the echo. */
  | { kind: 'reply'; text?: string; toolCalls?: FakeToolCall[] }
  /**
   * Answers with exactly these bytes, streamed or not: a wrong content type, invalid SSE, truncated
   * JSON, a giant body (`repeat` the chunks), a slow drip (`chunkDelayMs` between chunks), or a
   * disconnect once they are written (`cut`).
   */
  | {
      kind: 'raw-response';
      status?: number;
      contentType?: string;
      chunks: string[];
      repeat?: number;
      chunkDelayMs?: number;
      cut?: boolean;
    };

/** A scripted fault: for the next matching request, or the next `times` ones. */
export type FakeScript = FakeFault & {
  /** Only requests for this model. */
  model?: string;
  /** Only requests in this protocol. */
  protocol?: FakeProtocol;
  /** How many matching requests it applies to; 1 unless given (`Infinity` for all). */
  times?: number;
};

/** A request the fake received. */
export interface FakeRequest {
  method: string;
  path: string;
  protocol: FakeProtocol | undefined;
  /** Lowercase header names. */
  headers: Record<string, string>;
  /** The parsed JSON body (the raw text when it is not JSON). */
  body: unknown;
}

/** Options of {@link startFakeProvider}. */
export interface FakeProviderOptions {
  /** When set, requests must carry it (`Authorization: Bearer …`, or `x-api-key` for Anthropic), or get a 401. */
  apiKey?: string;
  /** A pause between stream events; 0 (none) unless given. */
  chunkDelayMs?: number;
  /** Faults scripted from the start. */
  scripts?: FakeScript[];
}

/** A running fake provider. */
export interface FakeProvider {
  /** `http://127.0.0.1:PORT`: the OpenAI base URL is `${url}/v1`, the Anthropic one `url` itself. */
  url: string;
  /** Every request received, in order. */
  readonly requests: FakeRequest[];
  /** Adds scripted faults (first match wins, in the order they were added). */
  script(...scripts: FakeScript[]): void;
  /** Forgets the requests and the scripts left. */
  reset(): void;
  close(): Promise<void>;
}

const PATHS: Record<string, FakeProtocol> = { '/v1/chat/completions': 'openai', '/v1/messages': 'anthropic' };

/**
 * Starts a local HTTP server that speaks OpenAI chat completions (`POST /v1/chat/completions`) and
 * Anthropic messages (`POST /v1/messages`), streamed or not, with deterministic answers (an echo of the
 * last user message, see `fakeAnswer`), token counts, and scripted faults. The official clients work
 * against it: `new OpenAI({ baseURL: `${fake.url}/v1` })`, `new Anthropic({ baseURL: fake.url })`.
 *
 * @example
 * ```ts
 * const fake = await startFakeProvider();
 * fake.script({ kind: 'rate-limit', retryAfter: '2', model: 'gpt-4o' });
 * const adapter = openAiChatAdapter({ baseUrl: `${fake.url}/v1`, apiKey: 'test' });
 * await expect(adapter.chat({ model: 'gpt-4o', messages })).rejects.toMatchObject({ kind: 'rate_limit', retryAfterMs: 2000 });
 * await fake.close();
 * ```
 */
export async function startFakeProvider(options: FakeProviderOptions = {}): Promise<FakeProvider> {
  const requests: FakeRequest[] = [];
  let scripts: FakeScript[] = [...(options.scripts ?? [])];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let sequence = 0;
  let closing = false;

  const wait = (ms: number) =>
    ms <= 0
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            timers.delete(timer);
            resolve();
          }, ms);
          timers.add(timer);
        });

  const take = (protocol: FakeProtocol, model: unknown): FakeScript | undefined => {
    const index = scripts.findIndex(
      (s) =>
        (s.model === undefined || s.model === model) && (s.protocol === undefined || s.protocol === protocol),
    );
    const found = scripts[index];
    if (found === undefined) return undefined;
    const times = (found.times ?? 1) - 1;
    if (times <= 0) scripts.splice(index, 1);
    else scripts[index] = { ...found, times };
    return found;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const text = await readBody(req);
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const protocol = PATHS[path];
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
    );
    requests.push({ method: req.method ?? '', path, protocol, headers, body });
    const fail = (status: number, type: string, message: string, extra: Record<string, string> = {}) =>
      sendJson(res, status, errorBody(protocol ?? 'openai', type, message), extra);

    if (protocol === undefined || req.method !== 'POST')
      return fail(404, 'not_found_error', `no route ${req.method} ${path}`);
    if (options.apiKey !== undefined) {
      // Anthropic takes `x-api-key`; its newer clients send the key as a Bearer token, which it takes too.
      const bearer = headers.authorization === `Bearer ${options.apiKey}`;
      const keyed = protocol === 'anthropic' && headers['x-api-key'] === options.apiKey;
      if (!bearer && !keyed) return fail(401, 'authentication_error', 'invalid api key');
    }
    const problem = invalidRequest(protocol, body, headers);
    if (problem !== undefined) return fail(400, 'invalid_request_error', problem);
    const request = body as Record<string, unknown> & { model: string };
    const script = take(protocol, request.model);
    switch (script?.kind) {
      case 'rate-limit':
        return fail(429, 'rate_limit_error', 'rate limit reached', {
          ...(script.retryAfter !== undefined && { 'retry-after': script.retryAfter }),
          ...(script.retryAfterMs !== undefined && { 'retry-after-ms': String(script.retryAfterMs) }),
        });
      case 'server-error':
        return fail(script.status ?? 500, 'api_error', 'internal server error');
      case 'overloaded':
        return fail(529, 'overloaded_error', 'Overloaded');
      case 'bad-request':
        return fail(
          script.status ?? 400,
          script.status === 404 ? 'not_found_error' : 'invalid_request_error',
          script.message ?? 'bad request',
        );
      case 'slow-response':
        await wait(script.delayMs);
        break;
      case 'raw-response': {
        res.writeHead(
          script.status ?? 200,
          script.contentType === undefined ? {} : { 'content-type': script.contentType },
        );
        for (let round = 0; round < (script.repeat ?? 1); round++) {
          for (const chunk of script.chunks) {
            if (res.destroyed || closing) return;
            // Waits for the socket as a real server would, so a giant body does not pile up in memory.
            if (!res.write(chunk))
              await new Promise((resolve) => {
                res.once('drain', resolve);
                res.once('close', resolve);
              });
            await wait(script.chunkDelayMs ?? 0);
          }
        }
        if (script.cut === true) {
          await flushed(res);
          res.socket?.destroy();
        } else res.end();
        return;
      }
      default:
        break;
    }
    if (closing) return;
    const answer = composeAnswer(request as FakeRequestBody, script?.kind === 'reply' ? script : undefined);
    const id = `${protocol === 'openai' ? 'chatcmpl' : 'msg'}_fake${++sequence}`;
    const idHeader = protocol === 'openai' ? 'x-request-id' : 'request-id';
    if (request.stream !== true) {
      if (script?.kind === 'slow-first-token') await wait(script.delayMs);
      if (script?.kind === 'malformed-json')
        return sendRaw(res, 200, '{"id": "broken", "choices": [', { [idHeader]: id });
      const whole =
        protocol === 'openai'
          ? openAiCompletion(id, request.model, answer)
          : anthropicMessage(id, request.model, answer);
      if (script?.kind === 'stream-cut') {
        res.writeHead(200, { 'content-type': 'application/json', [idHeader]: id });
        res.write(JSON.stringify(whole).slice(0, 20));
        await flushed(res);
        res.socket?.destroy();
        return;
      }
      return sendJson(res, 200, whole, { [idHeader]: id });
    }

    const events: { preamble: string[]; deltas: string[]; ending: string[] } =
      protocol === 'openai'
        ? mapData(openAiStreamEvents(id, request.model, answer, isIncludeUsage(request.stream_options)))
        : mapEvents(anthropicStreamEvents(id, request.model, answer));
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', [idHeader]: id });
    const write = async (frame: string) => {
      if (res.destroyed || closing) return false;
      res.write(frame);
      await wait(options.chunkDelayMs ?? 0);
      return true;
    };
    if (script?.kind === 'malformed-json') {
      await write(
        protocol === 'openai' ? 'data: {"choices": [\n\n' : 'event: message_start\ndata: {"type": "mess\n\n',
      );
      return res.end();
    }
    for (const frame of events.preamble) if (!(await write(frame))) return;
    if (script?.kind === 'slow-first-token') await wait(script.delayMs);
    const faultAt =
      script?.kind === 'stream-cut'
        ? (script.afterChunks ?? 1)
        : script?.kind === 'sse-error'
          ? (script.afterChunks ?? 0)
          : -1;
    for (const [i, frame] of [...events.deltas, ...events.ending].entries()) {
      if (i === faultAt && script?.kind === 'stream-cut') {
        // What was written reaches the client first: the cut comes mid-way, not before the headers.
        await flushed(res);
        res.socket?.destroy();
        return;
      }
      if (i === faultAt && script?.kind === 'sse-error') {
        const error = errorBody(protocol, script.errorType ?? 'overloaded_error', 'Overloaded');
        await write(
          protocol === 'openai' ? sse(undefined, JSON.stringify(error)) : sse('error', JSON.stringify(error)),
        );
        return res.end();
      }
      if (!(await write(frame))) return;
    }
    res.end();
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, errorBody('openai', 'api_error', String(error)));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script(...more) {
      scripts.push(...more);
    },
    reset() {
      requests.length = 0;
      scripts = [];
    },
    async close() {
      closing = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function mapData(events: { preamble: string[]; deltas: string[]; ending: string[] }) {
  const frame = (data: string) => sse(undefined, data);
  return {
    preamble: events.preamble.map(frame),
    deltas: events.deltas.map(frame),
    ending: events.ending.map(frame),
  };
}

function mapEvents(events: { preamble: SseEvent[]; deltas: SseEvent[]; ending: SseEvent[] }) {
  const frame = ([name, data]: SseEvent) => sse(name, JSON.stringify(data));
  return {
    preamble: events.preamble.map(frame),
    deltas: events.deltas.map(frame),
    ending: events.ending.map(frame),
  };
}

/** One SSE frame; OpenAI's events have no name. */
function sse(event: string | undefined, data: string): string {
  return `${event === undefined ? '' : `event: ${event}\n`}data: ${data}\n\n`;
}

function isIncludeUsage(streamOptions: unknown): boolean {
  return (streamOptions as { include_usage?: unknown } | undefined)?.include_usage === true;
}

/** What the real APIs refuse with a 400 (the subset that catches a malformed adapter). */
function invalidRequest(
  protocol: FakeProtocol,
  body: unknown,
  headers: Record<string, string>,
): string | undefined {
  if (typeof body !== 'object' || body === null) return 'the body must be a JSON object';
  const request = body as Record<string, unknown>;
  if (typeof request.model !== 'string' || request.model === '') return 'model: field required';
  if (!Array.isArray(request.messages)) return 'messages: field required';
  if (protocol === 'anthropic') {
    if (headers['anthropic-version'] === undefined) return 'anthropic-version: header required';
    if (typeof request.max_tokens !== 'number') return 'max_tokens: field required';
    if (request.messages.some((m: { role?: unknown }) => m.role !== 'user' && m.role !== 'assistant')) {
      return 'messages: roles must be user or assistant (system goes to the top-level system field)';
    }
  }
  return undefined;
}

function flushed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => res.write('', () => resolve()));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendRaw(res, status, JSON.stringify(body), headers);
}

function sendRaw(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}
