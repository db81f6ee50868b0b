import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type SwitchboardClient, toOpenAiChatParams } from '@switchboard/sdk';
import type OpenAI from 'openai';

/** What the chat service is built from. */
export interface ChatServiceOptions {
  switchboard: SwitchboardClient;
  /** An OpenAI client: OpenAI itself in production; here Switchboard's gateway as a stand-in. */
  openai: OpenAI;
  /** The ai-config flag that picks the model, prompt and parameters. */
  flag: string;
  /** Product name, a variable of the flag's prompt. */
  product?: string;
}

const MAX_BODY_BYTES = 16_384;

/**
 * A small chat service:
 * - `POST /chat` `{ userId, message }` → `{ answer, variant, model, generationId }`: the flag's AI
 *   config for this user, one call with it, tracked (latency, tokens, errors); `503` with Retry-After
 *   while the flag is killed;
 * - `POST /feedback` `{ userId, generationId, thumbs: "up" | "down" }` → `202`: the user's judgement
 *   of an answer, attributed to the variant they were served;
 * - `GET /healthz`.
 */
export function createChatService(options: ChatServiceOptions): Server {
  return createServer((request, response) => {
    route(options, request, response).catch((error: unknown) => {
      send(response, 500, { error: error instanceof Error ? error.message : String(error) });
    });
  });
}

async function route(options: ChatServiceOptions, request: IncomingMessage, response: ServerResponse) {
  if (request.method === 'GET' && request.url === '/healthz') return send(response, 200, { ok: true });
  if (request.method === 'POST' && request.url === '/chat')
    return chat(options, await readJson(request), response);
  if (request.method === 'POST' && request.url === '/feedback') {
    return feedback(options, await readJson(request), response);
  }
  send(response, 404, { error: `no route ${request.method} ${request.url}` });
}

async function chat(options: ChatServiceOptions, body: Record<string, unknown>, response: ServerResponse) {
  const { userId, message } = body;
  if (typeof userId !== 'string' || userId === '')
    return send(response, 400, { error: 'userId: a non-empty string' });
  if (typeof message !== 'string' || message === '')
    return send(response, 400, { error: 'message: a non-empty string' });
  const context = { targetingKey: userId };
  const killed = options.switchboard.killSwitch(options.flag, context);
  if (killed) {
    response.setHeader('retry-after', String(killed.retryAfterSeconds));
    return send(response, 503, killed);
  }
  const config = options.switchboard.aiConfig(options.flag, context, {
    variables: { question: message, product: options.product ?? 'Switchboard' },
  });
  const completion = await config.tracker.track((signal) =>
    options.openai.chat.completions.create(toOpenAiChatParams(config, { user: userId }), { signal }),
  );
  send(response, 200, {
    answer: completion.choices[0]?.message.content ?? '',
    variant: config.variant,
    model: config.model,
    generationId: config.tracker.lastGenerationId,
  });
}

function feedback(options: ChatServiceOptions, body: Record<string, unknown>, response: ServerResponse) {
  const { userId, generationId, thumbs } = body;
  if (typeof userId !== 'string' || userId === '')
    return send(response, 400, { error: 'userId: a non-empty string' });
  if (typeof generationId !== 'string') return send(response, 400, { error: 'generationId: a string' });
  if (thumbs !== 'up' && thumbs !== 'down') return send(response, 400, { error: 'thumbs: "up" or "down"' });
  options.switchboard.trackFeedback({
    flag: options.flag,
    context: { targetingKey: userId },
    generationId,
    thumbs,
  });
  send(response, 202, { recorded: true });
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of request) {
    text += chunk;
    if (text.length > MAX_BODY_BYTES) throw new Error('body: too large');
  }
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
