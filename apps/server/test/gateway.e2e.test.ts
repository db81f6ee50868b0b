import Anthropic from '@anthropic-ai/sdk';
import { evaluate } from '@switchboard/core';
import { estimateTokens } from '@switchboard/llm';
import { type FakeProvider, fakeAnswer, startFakeProvider } from '@switchboard/llm/testing';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Metric } from '../src/features/events/event-metrics.js';
import {
  type AiValue,
  configure,
  createAiFlag,
  createKey,
  fakeProviders,
  generationsOf,
  readEvents,
  UPSTREAM_KEY,
} from './gateway-fixtures.js';
import { DIALECTS, startTestApp, type TestApp } from './harness.js';

const PROMPT = 'Where is my order?';
const ANSWER = fakeAnswer(PROMPT);
const VARIABLES = { 'x-switchboard-variables': JSON.stringify({ product: 'Acme' }) };
const CONTROL_SYSTEM = 'You support Acme.';
const CANDIDATE_SYSTEM = 'Be concise about Acme.';

/** The flag most tests use: control on OpenAI, candidate on Anthropic, each falling back to the other. */
const SUPPORT_BOT: Record<string, AiValue> = {
  control: {
    provider: 'openai',
    model: 'gpt-4o',
    messages: [{ role: 'system', content: 'You support {{product}}.' }],
    params: { temperature: 0.2, maxTokens: 300 },
    fallbacks: [{ provider: 'anthropic', model: 'claude-sonnet-4-5' }],
  },
  candidate: {
    provider: 'anthropic',
    model: 'claude-sonnet-4-5',
    messages: [{ role: 'system', content: 'Be concise about {{product}}.' }],
    params: { temperature: 0.7, maxTokens: 200 },
    fallbacks: [{ provider: 'openai', model: 'gpt-4o-mini' }],
  },
};

/** A one-variant flag (`main`) whose chain is `link` then `fallbacks`. */
const chainFlag = (
  provider: string,
  model: string,
  fallbacks: { provider: string; model: string }[] = [],
) => ({
  main: { provider, model, fallbacks },
});

const ATTEMPT_TIMEOUT_MS = 600;

describe('the gateway with the official clients', () => {
  let fake: FakeProvider;
  let t: TestApp;
  let base = '';
  let serverKey = '';
  let clientKey = '';
  const openai = (headers: Record<string, string> = {}) =>
    new OpenAI({
      baseURL: `${base}/v1`,
      apiKey: serverKey,
      maxRetries: 0,
      defaultHeaders: { ...VARIABLES, ...headers },
    });
  const anthropic = (headers: Record<string, string> = {}) =>
    new Anthropic({
      baseURL: base,
      apiKey: serverKey,
      maxRetries: 0,
      defaultHeaders: { ...VARIABLES, ...headers },
    });
  const lastUpstream = () => fake.requests.at(-1);
  const upstreamModels = () => fake.requests.map((r) => (r.body as { model?: string }).model);

  beforeAll(async () => {
    fake = await startFakeProvider({ apiKey: UPSTREAM_KEY });
    t = await startTestApp('sqlite', {
      providers: fakeProviders(fake),
      gatewayAttemptTimeoutMs: ATTEMPT_TIMEOUT_MS,
      gatewayBreakerThreshold: 3,
      gatewayBreakerCooldownMs: 60_000,
    });
    base = await t.http.listen({ port: 0, host: '127.0.0.1' });
    serverKey = await createKey(t, 'server');
    clientKey = await createKey(t, 'client');
    await createAiFlag(t, 'support-bot', SUPPORT_BOT, {
      fallthrough: {
        split: [
          { variant: 'control', weight: 50_000 },
          { variant: 'candidate', weight: 50_000 },
        ],
      },
    });
  });
  afterAll(async () => {
    await t?.destroy();
    await fake?.close();
  });
  beforeEach(() => fake.reset());

  describe('OpenAI chat completions', () => {
    it('forwards to an OpenAI variant with its model, messages and params, and relays the answer', async () => {
      const { data, response } = await openai()
        .chat.completions.create({
          model: 'flag:support-bot',
          messages: [{ role: 'user', content: PROMPT }],
          user: 'u-control',
          temperature: 1,
          logprobs: false,
        })
        .withResponse();
      expect(data.choices[0]?.message.content).toBe(ANSWER);
      expect(data.model).toBe('gpt-4o');
      expect(data.usage?.prompt_tokens).toBe(estimateTokens(CONTROL_SYSTEM) + estimateTokens(PROMPT));
      expect(response.headers.get('x-switchboard-variant')).toBe('control');
      expect(response.headers.get('x-switchboard-served')).toBe('openai/gpt-4o');
      expect(response.headers.get('x-switchboard-fallback')).toBe('false');
      expect(fake.requests).toHaveLength(1);
      expect(lastUpstream()).toMatchObject({
        path: '/v1/chat/completions',
        headers: { authorization: `Bearer ${UPSTREAM_KEY}` },
        body: {
          model: 'gpt-4o',
          messages: [
            { role: 'system', content: CONTROL_SYSTEM },
            { role: 'user', content: PROMPT },
          ],
          // The variant's params win over the request's by default; fields it does not set pass as sent.
          temperature: 0.2,
          max_completion_tokens: 300,
          user: 'u-control',
          logprobs: false,
        },
      });
      expect(JSON.stringify(lastUpstream()?.headers)).not.toContain(serverKey);
    });

    it("lets the request's params win with x-switchboard-precedence: request", async () => {
      await openai({ 'x-switchboard-precedence': 'request' }).chat.completions.create({
        model: 'flag:support-bot',
        messages: [{ role: 'user', content: PROMPT }],
        user: 'u-control',
        temperature: 1,
      });
      expect(lastUpstream()?.body).toMatchObject({ temperature: 1, max_completion_tokens: 300 });
    });

    it('streams an OpenAI variant byte for byte, asking upstream for usage without showing it', async () => {
      const stream = await openai().chat.completions.create({
        model: 'flag:support-bot',
        messages: [{ role: 'user', content: PROMPT }],
        user: 'u-control',
        stream: true,
      });
      let text = '';
      const chunks = [];
      for await (const chunk of stream) {
        chunks.push(chunk);
        text += chunk.choices[0]?.delta.content ?? '';
      }
      expect(text).toBe(ANSWER);
      expect(chunks.every((c) => c.choices.length === 1)).toBe(true);
      expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
      expect(lastUpstream()?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
      const [generation] = await generationsOf(t, 'support-bot').then((all) => all.slice(-1));
      expect(generation).toMatchObject({
        variant: 'control',
        provider: 'openai',
        model: 'gpt-4o',
        inputTokens: estimateTokens(CONTROL_SYSTEM) + estimateTokens(PROMPT),
        outputTokens: estimateTokens(ANSWER),
      });
      expect(generation?.ttftMs).toBeGreaterThanOrEqual(0);
    });

    it('relays a slow drip of a valid stream chunk by chunk, past the attempt timeout, which bounds only the first chunk', async () => {
      const words = ['Slow', ' and', ' steady', ' wins', ' the', ' race', '.'];
      const chunk = (delta: Record<string, unknown>, finish: string | null) =>
        `data: ${JSON.stringify({
          id: 'chatcmpl-drip',
          object: 'chat.completion.chunk',
          created: 1_700_000_000,
          model: 'gpt-4o',
          choices: [{ index: 0, delta, finish_reason: finish }],
        })}\n\n`;
      const DRIP_MS = 150;
      fake.script({
        kind: 'raw-response',
        contentType: 'text/event-stream',
        chunkDelayMs: DRIP_MS,
        chunks: [
          chunk({ role: 'assistant', content: '' }, null),
          ...words.map((w) => chunk({ content: w }, null)),
          chunk({}, 'stop'),
          `data: ${JSON.stringify({
            id: 'chatcmpl-drip',
            object: 'chat.completion.chunk',
            created: 1_700_000_000,
            model: 'gpt-4o',
            choices: [],
            usage: { prompt_tokens: 9, completion_tokens: 7, total_tokens: 16 },
          })}\n\n`,
          'data: [DONE]\n\n',
        ],
      });
      const started = performance.now();
      const stream = await openai().chat.completions.create({
        model: 'flag:support-bot',
        messages: [{ role: 'user', content: PROMPT }],
        user: 'u-control',
        stream: true,
      });
      let text = '';
      const arrivals: number[] = [];
      for await (const c of stream) {
        const content = c.choices[0]?.delta.content;
        if (content) arrivals.push(performance.now() - started);
        text += content ?? '';
      }
      const total = performance.now() - started;
      expect(text).toBe(words.join(''));
      // Longer than the attempt timeout (600 ms) as a whole, and not cut by it.
      expect(total).toBeGreaterThan(ATTEMPT_TIMEOUT_MS + DRIP_MS);
      // Each word reached the client as it came, not held back until the end.
      expect(arrivals[0]).toBeLessThan(total - 4 * DRIP_MS);
      expect((arrivals.at(-1) as number) - (arrivals[0] as number)).toBeGreaterThan(
        (words.length - 1) * DRIP_MS * 0.6,
      );
      const [generation] = await generationsOf(t, 'support-bot').then((all) => all.slice(-1));
      expect(generation).toMatchObject({ variant: 'control', provider: 'openai', outputTokens: 7 });
      expect(generation).not.toHaveProperty('error');
      expect(generation?.latencyMs as number).toBeGreaterThan(ATTEMPT_TIMEOUT_MS);
      expect(generation?.ttftMs as number).toBeLessThan((generation?.latencyMs as number) - 4 * DRIP_MS);
    });

    it('relays the usage chunk to a client that asks for it', async () => {
      const stream = await openai().chat.completions.create({
        model: 'flag:support-bot',
        messages: [{ role: 'user', content: PROMPT }],
        user: 'u-control',
        stream: true,
        stream_options: { include_usage: true },
      });
      let usage: OpenAI.CompletionUsage | null | undefined;
      for await (const chunk of stream) if (chunk.usage) usage = chunk.usage;
      expect(usage?.completion_tokens).toBe(estimateTokens(ANSWER));
    });

    it('translates for an Anthropic variant, whole and streamed', async () => {
      const completion = await openai().chat.completions.create({
        model: 'flag:support-bot',
        messages: [{ role: 'user', content: PROMPT }],
        user: 'u-candidate',
      });
      expect(completion.choices[0]?.message.content).toBe(ANSWER);
      expect(completion.model).toBe('claude-sonnet-4-5');
      expect(completion.usage?.completion_tokens).toBe(estimateTokens(ANSWER));
      expect(lastUpstream()).toMatchObject({
        path: '/v1/messages',
        headers: { 'x-api-key': UPSTREAM_KEY },
        body: {
          model: 'claude-sonnet-4-5',
          system: CANDIDATE_SYSTEM,
          messages: [{ role: 'user', content: PROMPT }],
          temperature: 0.7,
          max_tokens: 200,
          metadata: { user_id: 'u-candidate' },
        },
      });

      const stream = await openai().chat.completions.create({
        model: 'flag:support-bot',
        messages: [{ role: 'user', content: PROMPT }],
        user: 'u-candidate',
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      let finish: string | null | undefined;
      let usage: OpenAI.CompletionUsage | null | undefined;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
        if (chunk.usage) usage = chunk.usage;
      }
      expect(text).toBe(ANSWER);
      expect(finish).toBe('stop');
      expect(usage?.completion_tokens).toBe(estimateTokens(ANSWER));
      expect(lastUpstream()?.body).toMatchObject({ stream: true, model: 'claude-sonnet-4-5' });
    });

    it('takes the flag from x-switchboard-flag, whatever the model says', async () => {
      const completion = await openai({ 'x-switchboard-flag': 'support-bot' }).chat.completions.create({
        model: 'gpt-3.5-turbo',
        messages: [{ role: 'user', content: PROMPT }],
        user: 'u-control',
      });
      expect(completion.choices[0]?.message.content).toBe(ANSWER);
      expect(lastUpstream()?.body).toMatchObject({ model: 'gpt-4o' });
    });
  });

  describe('Anthropic messages', () => {
    it('forwards to an Anthropic variant and relays the answer, whole and streamed', async () => {
      const message = await anthropic().messages.create({
        model: 'flag:support-bot',
        max_tokens: 1000,
        system: 'Answer in English.',
        messages: [{ role: 'user', content: PROMPT }],
        metadata: { user_id: 'u-candidate' },
      });
      expect(message.content[0]).toMatchObject({ type: 'text', text: ANSWER });
      expect(message.model).toBe('claude-sonnet-4-5');
      expect(lastUpstream()).toMatchObject({
        path: '/v1/messages',
        headers: { 'x-api-key': UPSTREAM_KEY, 'anthropic-version': expect.any(String) },
        body: {
          model: 'claude-sonnet-4-5',
          system: `${CANDIDATE_SYSTEM}\n\nAnswer in English.`,
          max_tokens: 200,
          temperature: 0.7,
        },
      });
      expect(lastUpstream()?.headers.authorization).toBeUndefined();

      const stream = anthropic().messages.stream({
        model: 'flag:support-bot',
        max_tokens: 1000,
        messages: [{ role: 'user', content: PROMPT }],
        metadata: { user_id: 'u-candidate' },
      });
      const streamed = await stream.finalMessage();
      expect(streamed.content[0]).toMatchObject({ type: 'text', text: ANSWER });
      expect(streamed.usage.output_tokens).toBe(estimateTokens(ANSWER));
    });

    it('translates for an OpenAI variant, whole and streamed', async () => {
      const message = await anthropic().messages.create({
        model: 'flag:support-bot',
        max_tokens: 1000,
        messages: [{ role: 'user', content: PROMPT }],
        metadata: { user_id: 'u-control' },
      });
      expect(message.content[0]).toMatchObject({ type: 'text', text: ANSWER });
      expect(message.stop_reason).toBe('end_turn');
      expect(message.usage.output_tokens).toBe(estimateTokens(ANSWER));
      expect(lastUpstream()).toMatchObject({
        path: '/v1/chat/completions',
        body: {
          model: 'gpt-4o',
          messages: [
            { role: 'system', content: CONTROL_SYSTEM },
            { role: 'user', content: PROMPT },
          ],
          temperature: 0.2,
          max_completion_tokens: 300,
          user: 'u-control',
        },
      });

      const streamed = await anthropic()
        .messages.stream({
          model: 'flag:support-bot',
          max_tokens: 1000,
          messages: [{ role: 'user', content: PROMPT }],
          metadata: { user_id: 'u-control' },
        })
        .finalMessage();
      expect(streamed.content[0]).toMatchObject({ type: 'text', text: ANSWER });
      expect(streamed.stop_reason).toBe('end_turn');
    });

    it('translates tool calls of an OpenAI variant into tool_use blocks', async () => {
      const message = await anthropic().messages.create({
        model: 'flag:support-bot',
        max_tokens: 1000,
        messages: [{ role: 'user', content: 'please call lookup_order' }],
        tools: [{ name: 'lookup_order', input_schema: { type: 'object', properties: {} } }],
        metadata: { user_id: 'u-control' },
      });
      expect(message.stop_reason).toBe('tool_use');
      expect(message.content).toEqual([
        {
          type: 'tool_use',
          id: 'call_1',
          name: 'lookup_order',
          input: { prompt: 'please call lookup_order' },
        },
      ]);
    });

    it('accepts the Switchboard key as x-api-key as well as a Bearer token', async () => {
      const response = await fetch(`${base}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': serverKey, ...VARIABLES },
        body: JSON.stringify({
          model: 'flag:support-bot',
          max_tokens: 100,
          messages: [{ role: 'user', content: PROMPT }],
          metadata: { user_id: 'u-candidate' },
        }),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ content: [{ type: 'text', text: ANSWER }] });
    });
  });

  it('assigns split units stickily, as core evaluates them', async () => {
    const ref = await t.services.snapshots.resolve('default', 'production');
    const { compiled } = await t.services.snapshots.get(ref);
    const seen = new Set<string>();
    for (let i = 0; i < 24; i++) {
      const user = `user-${i}`;
      const expected = evaluate(compiled, 'support-bot', { targetingKey: user }).variant;
      for (let round = 0; round < 2; round++) {
        const { response } = await openai()
          .chat.completions.create({
            model: 'flag:support-bot',
            messages: [{ role: 'user', content: PROMPT }],
            user,
          })
          .withResponse();
        expect(response.headers.get('x-switchboard-variant'), user).toBe(expected);
      }
      seen.add(expected as string);
    }
    expect([...seen].sort()).toEqual(['candidate', 'control']);
  });

  describe('fallback', () => {
    it('moves on from a 429 with Retry-After, holds the provider back, and records assigned vs served', async () => {
      await createAiFlag(
        t,
        'fb-429',
        chainFlag('limited', 'm-429', [{ provider: 'anthropic', model: 'claude-sonnet-4-5' }]),
      );
      fake.script({ kind: 'rate-limit', retryAfter: '30', model: 'm-429' });
      for (let i = 0; i < 2; i++) {
        const { data, response } = await openai()
          .chat.completions.create({ model: 'flag:fb-429', messages: [{ role: 'user', content: PROMPT }] })
          .withResponse();
        expect(data.choices[0]?.message.content).toBe(ANSWER);
        expect(response.headers.get('x-switchboard-served')).toBe('anthropic/claude-sonnet-4-5');
        expect(response.headers.get('x-switchboard-fallback')).toBe('true');
      }
      // The second request skipped the held provider.
      expect(upstreamModels()).toEqual(['m-429', 'claude-sonnet-4-5', 'claude-sonnet-4-5']);
      const generations = await generationsOf(t, 'fb-429');
      expect(generations).toHaveLength(2);
      for (const g of generations) {
        expect(g).toMatchObject({
          variant: 'main',
          provider: 'anthropic',
          model: 'claude-sonnet-4-5',
          fallbackUsed: true,
        });
        expect(g.error).toBeUndefined();
      }
    });

    it('moves on from a 500', async () => {
      await createAiFlag(
        t,
        'fb-500',
        chainFlag('failing', 'm-500', [{ provider: 'openai', model: 'gpt-4o-mini' }]),
      );
      fake.script({ kind: 'server-error', model: 'm-500' });
      const message = await anthropic().messages.create({
        model: 'flag:fb-500',
        max_tokens: 100,
        messages: [{ role: 'user', content: PROMPT }],
      });
      expect(message.content[0]).toMatchObject({ text: ANSWER });
      expect(upstreamModels()).toEqual(['m-500', 'gpt-4o-mini']);
      expect((await generationsOf(t, 'fb-500'))[0]).toMatchObject({
        provider: 'openai',
        model: 'gpt-4o-mini',
        fallbackUsed: true,
      });
    });

    it('moves on from a provider that refuses the gateway’s key', async () => {
      await createAiFlag(
        t,
        'fb-401',
        chainFlag('wrong-key', 'm-401', [{ provider: 'openai', model: 'gpt-4o-mini' }]),
      );
      const completion = await openai().chat.completions.create({
        model: 'flag:fb-401',
        messages: [{ role: 'user', content: PROMPT }],
      });
      expect(completion.choices[0]?.message.content).toBe(ANSWER);
      expect(upstreamModels()).toEqual(['m-401', 'gpt-4o-mini']);
    });

    it('opens the breaker after repeated failures and skips the provider', async () => {
      await createAiFlag(
        t,
        'fb-breaker',
        chainFlag('brittle', 'm-brittle', [{ provider: 'openai', model: 'gpt-4o-mini' }]),
      );
      fake.script({ kind: 'server-error', status: 503, model: 'm-brittle', times: 10 });
      for (let i = 0; i < 5; i++) {
        const completion = await openai().chat.completions.create({
          model: 'flag:fb-breaker',
          messages: [{ role: 'user', content: PROMPT }],
        });
        expect(completion.choices[0]?.message.content).toBe(ANSWER);
      }
      expect(upstreamModels().filter((m) => m === 'm-brittle')).toHaveLength(3);
      expect(t.services.gateway.breakerState('brittle')).toBe('open');
    });

    it('gives up on a slow provider after the attempt timeout, streamed or not', async () => {
      await createAiFlag(
        t,
        'fb-slow',
        chainFlag('sluggish', 'm-slow', [{ provider: 'openai', model: 'gpt-4o-mini' }]),
      );
      fake.script({ kind: 'slow-response', delayMs: 10_000, model: 'm-slow' });
      const started = Date.now();
      const completion = await openai().chat.completions.create({
        model: 'flag:fb-slow',
        messages: [{ role: 'user', content: PROMPT }],
      });
      expect(completion.choices[0]?.message.content).toBe(ANSWER);
      expect(Date.now() - started).toBeLessThan(ATTEMPT_TIMEOUT_MS + 2_000);

      fake.script({ kind: 'slow-first-token', delayMs: 10_000, model: 'm-slow' });
      const stream = await openai().chat.completions.create({
        model: 'flag:fb-slow',
        messages: [{ role: 'user', content: PROMPT }],
        stream: true,
      });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      expect(text).toBe(ANSWER);
      const generations = await generationsOf(t, 'fb-slow');
      expect(generations.map((g) => [g.model, g.fallbackUsed])).toEqual([
        ['gpt-4o-mini', true],
        ['gpt-4o-mini', true],
      ]);
    });

    it('moves on from a malformed body, whole or streamed', async () => {
      await createAiFlag(
        t,
        'fb-garbled',
        chainFlag('garbled', 'm-garbled', [{ provider: 'openai', model: 'gpt-4o-mini' }]),
      );
      fake.script({ kind: 'malformed-json', model: 'm-garbled', times: 2 });
      const completion = await openai().chat.completions.create({
        model: 'flag:fb-garbled',
        messages: [{ role: 'user', content: PROMPT }],
      });
      expect(completion.choices[0]?.message.content).toBe(ANSWER);
      const streamed = await anthropic()
        .messages.stream({
          model: 'flag:fb-garbled',
          max_tokens: 100,
          messages: [{ role: 'user', content: PROMPT }],
        })
        .finalMessage();
      expect(streamed.content[0]).toMatchObject({ text: ANSWER });
      expect(upstreamModels()).toEqual(['m-garbled', 'gpt-4o-mini', 'm-garbled', 'gpt-4o-mini']);
    });
  });

  describe('upstream failures after every fallback', () => {
    it('answers 429 with Retry-After in each protocol, then holds the provider back', async () => {
      await createAiFlag(t, 'only-429', chainFlag('throttled', 'm-only-429'));
      fake.script({ kind: 'rate-limit', retryAfter: '7', model: 'm-only-429' });
      const refused = await openai()
        .chat.completions.create({ model: 'flag:only-429', messages: [{ role: 'user', content: PROMPT }] })
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
      expect((refused as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after')).toBe('7');

      const held = await anthropic()
        .messages.create({
          model: 'flag:only-429',
          max_tokens: 10,
          messages: [{ role: 'user', content: PROMPT }],
        })
        .catch((error: unknown) => error);
      expect(held).toBeInstanceOf(Anthropic.RateLimitError);
      const wait = Number((held as InstanceType<typeof Anthropic.APIError>).headers?.get('retry-after'));
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(7);
      expect((held as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
        type: 'error',
        error: { type: 'rate_limit_error' },
      });
      expect(upstreamModels()).toEqual(['m-only-429']);
      const generations = await generationsOf(t, 'only-429');
      expect(generations.map((g) => g.error)).toEqual(['rate_limit', 'rate_limit']);
    });

    it('answers a 500 with 500 in the protocol’s error shape', async () => {
      await createAiFlag(t, 'only-500', chainFlag('broken', 'm-only-500'));
      fake.script({ kind: 'server-error', model: 'm-only-500' });
      const response = await fetch(`${base}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${serverKey}` },
        body: JSON.stringify({ model: 'flag:only-500', messages: [{ role: 'user', content: PROMPT }] }),
      });
      expect(response.status).toBe(500);
      expect(await response.json()).toMatchObject({
        error: { message: 'internal server error', type: 'server_error' },
      });
    });

    it('ends a stream cut after its first token with an error event the client raises', async () => {
      await createAiFlag(
        t,
        'torn',
        chainFlag('torn', 'm-torn', [{ provider: 'openai', model: 'gpt-4o-mini' }]),
      );
      fake.script({ kind: 'stream-cut', afterChunks: 2, model: 'm-torn' });
      const stream = await openai().chat.completions.create({
        model: 'flag:torn',
        messages: [{ role: 'user', content: PROMPT }],
        stream: true,
      });
      let text = '';
      const read = async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      };
      await expect(read()).rejects.toBeInstanceOf(OpenAI.APIError);
      expect(ANSWER.startsWith(text)).toBe(true);
      expect(text.length).toBeGreaterThan(0);
      const [generation] = await generationsOf(t, 'torn');
      expect(generation).toMatchObject({ provider: 'torn', fallbackUsed: false, error: 'connection' });

      // Translated for an Anthropic client: the stream ends with an `error` event.
      fake.script({ kind: 'stream-cut', afterChunks: 2, model: 'm-torn' });
      const raw = await fetch(`${base}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${serverKey}` },
        body: JSON.stringify({
          model: 'flag:torn',
          max_tokens: 100,
          stream: true,
          messages: [{ role: 'user', content: PROMPT }],
        }),
      });
      expect(raw.status).toBe(200);
      const events = await readEvents(raw);
      expect(events[0]?.event).toBe('message_start');
      expect(events.some((e) => e.event === 'content_block_delta')).toBe(true);
      expect(events.at(-1)?.event).toBe('error');
      expect(JSON.parse(events.at(-1)?.data ?? '{}')).toMatchObject({
        type: 'error',
        error: { type: 'api_error' },
      });
    });
  });

  describe('the kill switch', () => {
    it('answers 503 with Retry-After through both clients', async () => {
      await createAiFlag(t, 'killable', SUPPORT_BOT, { retryAfterSeconds: 120 });
      await configure(t, 'killable', { enabled: false });
      const refused = await openai()
        .chat.completions.create({
          model: 'flag:killable',
          messages: [{ role: 'user', content: PROMPT }],
          user: 'u-1',
        })
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(OpenAI.APIError);
      expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
      expect((refused as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after')).toBe('120');
      expect((refused as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({
        message: 'Feature temporarily disabled',
        code: 'flag_disabled',
      });

      const killed = await anthropic()
        .messages.create({
          model: 'flag:killable',
          max_tokens: 10,
          messages: [{ role: 'user', content: PROMPT }],
        })
        .catch((error: unknown) => error);
      expect(killed).toBeInstanceOf(Anthropic.APIError);
      expect((killed as InstanceType<typeof Anthropic.APIError>).status).toBe(503);
      expect((killed as InstanceType<typeof Anthropic.APIError>).headers?.get('retry-after')).toBe('120');
      expect((killed as InstanceType<typeof Anthropic.APIError>).error).toEqual({
        type: 'error',
        error: { type: 'api_error', message: 'Feature temporarily disabled' },
        retryAfterSeconds: 120,
      });
      expect(fake.requests).toHaveLength(0);
    });

    it('says 300 seconds when the flag does not say, with the body the SDK’s killSwitch gives', async () => {
      const created = await t.request('POST', '/api/v1/flags', {
        key: 'never-enabled',
        kind: 'ai-config',
        variants: [{ key: 'a', value: { provider: 'openai', model: 'gpt-4o' } }],
      });
      expect(created.status).toBe(201);
      const response = await fetch(`${base}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${serverKey}` },
        body: JSON.stringify({ model: 'flag:never-enabled', messages: [] }),
      });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('300');
      expect(await response.json()).toEqual({
        error: {
          message: 'Feature temporarily disabled',
          type: 'server_error',
          param: null,
          code: 'flag_disabled',
        },
        retryAfterSeconds: 300,
      });
    });
  });

  describe('refusals, in each protocol’s error shape', () => {
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${serverKey}`,
          ...VARIABLES,
          ...headers,
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const chat = { messages: [{ role: 'user', content: PROMPT }], user: 'u-control' };
    const messages = { max_tokens: 10, messages: [{ role: 'user', content: PROMPT }] };

    it('an unknown flag is 404', async () => {
      const refused = await openai()
        .chat.completions.create({ model: 'flag:nope', messages: [{ role: 'user', content: PROMPT }] })
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(OpenAI.NotFoundError);
      expect((refused as InstanceType<typeof OpenAI.APIError>).code).toBe('flag_not_found');
      const missing = await anthropic()
        .messages.create({
          model: 'flag:nope',
          max_tokens: 10,
          messages: [{ role: 'user', content: PROMPT }],
        })
        .catch((error: unknown) => error);
      expect(missing).toBeInstanceOf(Anthropic.NotFoundError);
    });

    it('a flag that is not an ai-config is 400', async () => {
      const created = await t.request('POST', '/api/v1/flags', {
        key: 'plain-string',
        kind: 'string',
        variants: [{ key: 'a', value: 'x' }],
      });
      expect(created.status).toBe(201);
      const response = await post('/v1/messages', { model: 'flag:plain-string', ...messages });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        type: 'error',
        error: { type: 'invalid_request_error', message: expect.stringContaining('ai-config') },
      });
    });

    it.each([
      ['no flag named', { model: 'gpt-4o', ...chat }, {}, 'model'],
      [
        'two flags named',
        { model: 'flag:support-bot', ...chat },
        { 'x-switchboard-flag': 'other' },
        'x-switchboard-flag',
      ],
      ['a split without a unit', { model: 'flag:support-bot', messages: chat.messages }, {}, 'user'],
      [
        'a context that is not JSON',
        { model: 'flag:support-bot', ...chat },
        { 'x-switchboard-context': '{' },
        'x-switchboard-context',
      ],
      [
        'a missing variable',
        { model: 'flag:support-bot', ...chat },
        { 'x-switchboard-variables': '{}' },
        'x-switchboard-variables',
      ],
      [
        'an unknown precedence',
        { model: 'flag:support-bot', ...chat },
        { 'x-switchboard-precedence': 'mine' },
        'x-switchboard-precedence',
      ],
      ['messages that are not a list', { model: 'flag:support-bot', messages: 'hi' }, {}, 'messages'],
      [
        'a role that does not exist',
        { model: 'flag:support-bot', messages: [{ role: 'robot', content: 'x' }] },
        {},
        'messages.0.role',
      ],
      [
        'a temperature out of range',
        { model: 'flag:support-bot', ...chat, temperature: 9 },
        {},
        'temperature',
      ],
    ])('%s is 400 naming the field', async (_, body, headers, param) => {
      const response = await post('/v1/chat/completions', body, headers);
      expect(response.status).toBe(400);
      const { error } = (await response.json()) as {
        error: { param: string; message: string; type: string };
      };
      expect(error.type).toBe('invalid_request_error');
      expect(error.param).toBe(param);
      expect(error.message).toContain(param);
      expect(fake.requests).toHaveLength(0);
    });

    it('bad JSON, another content type and an oversized body are 4xx in the protocol’s shape', async () => {
      const badJson = await post('/v1/messages', '{"model":');
      expect(badJson.status).toBe(400);
      expect(await badJson.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
      const text = await post('/v1/chat/completions', 'hello', { 'content-type': 'text/xml' });
      expect(text.status).toBe(415);
      expect(await text.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
      const huge = await post('/v1/chat/completions', {
        model: 'flag:support-bot',
        messages: [{ role: 'user', content: 'x'.repeat(t.config.gatewayBodyLimitBytes) }],
      });
      expect(huge.status).toBe(413);
      expect(await huge.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
    });

    it('a client key is 403, no key 401, an admin key needs an environment', async () => {
      const asClient = await openai()
        .withOptions({ apiKey: clientKey })
        .chat.completions.create({
          model: 'flag:support-bot',
          messages: [{ role: 'user', content: PROMPT }],
          user: 'u-control',
        })
        .catch((error: unknown) => error);
      expect(asClient).toBeInstanceOf(OpenAI.PermissionDeniedError);
      const anonymous = await fetch(`${base}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'flag:support-bot', ...messages }),
      });
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toMatchObject({
        type: 'error',
        error: { type: 'authentication_error' },
      });
      const adminWithout = await post(
        '/v1/chat/completions',
        { model: 'flag:support-bot', ...chat },
        { authorization: `Bearer ${t.adminKey}` },
      );
      expect(adminWithout.status).toBe(400);
      const adminWith = await post(
        '/v1/chat/completions',
        { model: 'flag:support-bot', ...chat },
        { authorization: `Bearer ${t.adminKey}`, 'x-switchboard-environment': 'production' },
      );
      expect(adminWith.status).toBe(200);
    });

    it('an untranslatable block for a provider of the other protocol is 400 naming it', async () => {
      const response = await post('/v1/chat/completions', {
        model: 'flag:support-bot',
        user: 'u-candidate',
        messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }],
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { param: 'messages[0].content[0]' } });
    });
  });

  it("removes the tools the variant turns off, and a tool choice naming one, and prepends the variant's turns", async () => {
    await createAiFlag(t, 'tools-off', {
      main: {
        provider: 'openai',
        model: 'gpt-4o',
        messages: [
          { role: 'system', content: 'Use tools sparingly.' },
          { role: 'user', content: 'My plan is {{plan}}.' },
          { role: 'assistant', content: 'Noted.' },
        ],
        tools: [{ name: 'refund', mode: 'off' }],
      },
    });
    const tool = (name: string) => ({
      type: 'function' as const,
      function: { name, parameters: { type: 'object' } },
    });
    await openai({ 'x-switchboard-variables': JSON.stringify({ plan: 'pro' }) }).chat.completions.create({
      model: 'flag:tools-off',
      messages: [{ role: 'user', content: PROMPT }],
      tools: [tool('refund'), tool('lookup_order')],
      tool_choice: { type: 'function', function: { name: 'refund' } },
    });
    const sent = lastUpstream()?.body as Record<string, unknown>;
    expect(sent.tools).toEqual([tool('lookup_order')]);
    expect(sent.tool_choice).toBeUndefined();
    expect(sent.messages).toEqual([
      { role: 'system', content: 'Use tools sparingly.' },
      { role: 'user', content: 'My plan is pro.' },
      { role: 'assistant', content: 'Noted.' },
      { role: 'user', content: PROMPT },
    ]);

    await anthropic({ 'x-switchboard-variables': JSON.stringify({ plan: 'pro' }) }).messages.create({
      model: 'flag:tools-off',
      max_tokens: 50,
      messages: [{ role: 'user', content: PROMPT }],
      tools: [
        { name: 'refund', input_schema: { type: 'object' } },
        { name: 'lookup_order', input_schema: { type: 'object' } },
      ],
    });
    // Translated for the OpenAI variant: same merge.
    const translated = lastUpstream()?.body as {
      tools: { function: { name: string } }[];
      messages: unknown[];
    };
    expect(translated.tools.map((t) => t.function.name)).toEqual(['lookup_order']);
    expect(translated.messages).toHaveLength(4);
  });

  it('reads the unit and attributes from headers for targeting rules', async () => {
    await createAiFlag(t, 'by-plan', chainFlag('openai', 'gpt-4o'), {
      rules: [
        {
          id: 'enterprise',
          clauses: [{ attribute: 'plan', op: 'in', values: ['enterprise'] }],
          serve: { variant: 'main' },
        },
      ],
      enabled: true,
    });
    const { response } = await openai({
      'x-switchboard-user': 'header-user',
      'x-switchboard-context': JSON.stringify({ plan: 'enterprise' }),
    })
      .chat.completions.create({
        model: 'flag:by-plan',
        messages: [{ role: 'user', content: PROMPT }],
        user: 'body-user',
      })
      .withResponse();
    expect(response.status).toBe(200);
    const [generation] = await generationsOf(t, 'by-plan');
    expect(generation?.unit).toBe('header-user');
  });
});

describe.each(DIALECTS)('generations recorded by the gateway on %s', (dialect) => {
  let fake: FakeProvider;
  let t: TestApp;
  let base = '';
  let serverKey = '';

  beforeAll(async () => {
    fake = await startFakeProvider({ apiKey: UPSTREAM_KEY });
    t = await startTestApp(dialect, { providers: fakeProviders(fake) });
    base = await t.http.listen({ port: 0, host: '127.0.0.1' });
    serverKey = await createKey(t, 'server');
    await createAiFlag(t, 'priced', {
      control: { provider: 'openai', model: 'gpt-4o', messages: [{ role: 'system', content: 'Be brief.' }] },
      candidate: {
        provider: 'anthropic',
        model: 'claude-sonnet-4-5',
        fallbacks: [{ provider: 'openai', model: 'gpt-4o' }],
      },
    });
  });
  afterAll(async () => {
    await t?.destroy();
    await fake?.close();
  });

  it('lands in the rollups with tokens, a cost priced by the server, latency and ttft', async () => {
    const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: serverKey, maxRetries: 0 });
    const ask = async (user: string, stream: boolean) => {
      if (!stream) {
        await client.chat.completions.create({
          model: 'flag:priced',
          messages: [{ role: 'user', content: PROMPT }],
          user,
        });
        return;
      }
      const chunks = await client.chat.completions.create({
        model: 'flag:priced',
        messages: [{ role: 'user', content: PROMPT }],
        user,
        stream: true,
      });
      for await (const _ of chunks) void _;
    };
    await ask('u-control', false);
    await ask('u-control', false);
    await ask('u-control', true);
    await ask('u-candidate', false);
    fake.script({ kind: 'server-error', model: 'claude-sonnet-4-5' });
    await ask('u-candidate', true);
    await t.services.gateway.flush();

    const ref = await t.services.snapshots.resolve('default', 'production');
    const rollups = await t.services.events.rollupsFor({
      environmentId: ref.environmentId,
      flagKey: 'priced',
    });
    const controlIn = estimateTokens('Be brief.') + estimateTokens(PROMPT);
    const out = estimateTokens(ANSWER);
    const control = rollups.control?.metrics;
    expect(control?.[Metric.Generations]?.count).toBe(3);
    expect(control?.[Metric.InputTokens]?.sum).toBe(3 * controlIn);
    expect(control?.[Metric.OutputTokens]?.sum).toBe(3 * out);
    expect(control?.[Metric.CostUsd]?.sum).toBeCloseTo((3 * (controlIn * 2.5 + out * 10)) / 1e6, 12);
    expect(control?.[Metric.LatencyMs]?.count).toBe(3);
    expect(control?.[Metric.TtftMs]?.count).toBe(1);
    expect(rollups.control?.units).toBe(1);

    const candidate = rollups.candidate?.metrics;
    const candidateIn = estimateTokens(PROMPT);
    expect(candidate?.[Metric.Generations]?.count).toBe(2);
    expect(candidate?.[Metric.Fallbacks]?.count).toBe(1);
    // One served by its own model (Anthropic prices), one by the fallback (OpenAI prices).
    expect(candidate?.[Metric.CostUsd]?.sum).toBeCloseTo(
      (candidateIn * 3 + out * 15 + (candidateIn * 2.5 + out * 10)) / 1e6,
      12,
    );
  });
});

describe('the simulated provider, with no upstream at all', () => {
  let t: TestApp;
  let base = '';
  let serverKey = '';

  beforeAll(async () => {
    t = await startTestApp('sqlite', { providers: [] });
    base = await t.http.listen({ port: 0, host: '127.0.0.1' });
    serverKey = await createKey(t, 'server');
    await createAiFlag(t, 'sim', {
      main: { provider: 'simulated', model: 'sim-small', params: { maxTokens: 6 } },
    });
  });
  afterAll(() => t?.destroy());

  it('answers both protocols, whole and streamed, and records the generations', async () => {
    const openai = new OpenAI({ baseURL: `${base}/v1`, apiKey: serverKey, maxRetries: 0 });
    const completion = await openai.chat.completions.create({
      model: 'flag:sim',
      messages: [{ role: 'user', content: 'Hello' }],
    });
    expect(completion.choices[0]?.message.content).toMatch(/\w/);
    expect(completion.model).toBe('sim-small');
    expect(completion.usage?.completion_tokens).toBeLessThanOrEqual(6);

    const stream = await openai.chat.completions.create({
      model: 'flag:sim',
      messages: [{ role: 'user', content: 'Hello again' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toMatch(/\w/);

    const anthropic = new Anthropic({ baseURL: base, apiKey: serverKey, maxRetries: 0 });
    const message = await anthropic.messages
      .stream({ model: 'flag:sim', max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }] })
      .finalMessage();
    expect(message.content[0]).toMatchObject({ type: 'text' });
    expect(message.usage.output_tokens).toBeGreaterThan(0);

    const generations = await generationsOf(t, 'sim');
    expect(generations).toHaveLength(3);
    for (const g of generations) {
      expect(g).toMatchObject({ provider: 'simulated', model: 'sim-small', fallbackUsed: false });
      expect(g.outputTokens).toBeGreaterThan(0);
    }
  });

  it('answers 502 naming the chain when a variant names a provider this server lacks', async () => {
    await createAiFlag(t, 'unconfigured', { main: { provider: 'openai', model: 'gpt-4o' } });
    const response = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${serverKey}` },
      body: JSON.stringify({ model: 'flag:unconfigured', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({
      error: { code: 'provider_not_configured', message: expect.stringContaining('openai/gpt-4o') },
    });
  });
});

describe('a client that goes away mid-stream', () => {
  let fake: FakeProvider;
  let t: TestApp;
  let base = '';
  let serverKey = '';
  const LONG = Array.from({ length: 300 }, (_, i) => `word${i}`).join(' ');

  beforeAll(async () => {
    fake = await startFakeProvider({ apiKey: UPSTREAM_KEY, chunkDelayMs: 10 });
    t = await startTestApp('sqlite', { providers: fakeProviders(fake) });
    base = await t.http.listen({ port: 0, host: '127.0.0.1' });
    serverKey = await createKey(t, 'server');
    await createAiFlag(t, 'long', {
      relayed: { provider: 'openai', model: 'gpt-4o' },
      translated: { provider: 'simulated', model: 'sim-long', params: { maxTokens: 400 } },
    });
  });
  afterAll(async () => {
    await t?.destroy();
    await fake?.close();
  });

  it.each(['relayed', 'translated'])(
    'stops the %s upstream and records the generation without an error',
    async (variant) => {
      fake.script({ kind: 'reply', text: LONG, times: 1 });
      const abort = new AbortController();
      const started = Date.now();
      const response = await fetch(`${base}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${serverKey}` },
        body: JSON.stringify({
          model: 'flag:long',
          messages: [{ role: 'user', content: 'Go' }],
          user: `u-${variant}`,
          stream: true,
        }),
        signal: abort.signal,
      });
      const reader = response.body?.getReader();
      expect((await reader?.read())?.done).toBe(false);
      abort.abort();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const generations = (await generationsOf(t, 'long')).filter((g) => g.variant === variant);
      expect(generations).toHaveLength(1);
      expect(generations[0]?.error).toBeUndefined();
      // Recorded when the client left, long before the whole answer could have been sent.
      expect(generations[0]?.latencyMs).toBeLessThan(Math.min(2_000, Date.now() - started + 50));
    },
  );
});
