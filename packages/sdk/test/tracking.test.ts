import type { Snapshot } from '@switchboard/core';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, eventProblem, type SwitchboardClient } from '../src/index.js';

const SNAPSHOT: Snapshot = {
  version: 3,
  flags: [
    {
      key: 'llm-model',
      kind: 'string',
      salt: 'q7hx2m9kd1c4v8p',
      variants: [
        { key: 'control', value: 'gpt-4o' },
        { key: 'candidate', value: 'claude-sonnet-4' },
      ],
      enabled: true,
      targets: [{ variant: 'candidate', values: ['beta-user'] }],
      rules: [],
      prerequisites: [],
      fallthrough: { variant: 'control' },
      version: 1,
    },
  ],
  segments: [],
};

const clients: SwitchboardClient[] = [];
afterEach(async () => {
  // Nothing listens at the URL: close() gives up on what is queued without waiting long.
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

/** A client on a bootstrap snapshot that never reaches a server and never flushes on its own. */
function offlineClient(): SwitchboardClient {
  const client = createClient({
    url: 'http://127.0.0.1:9',
    sdkKey: 'sb_server_test',
    bootstrap: SNAPSHOT,
    stream: false,
    events: { flushIntervalMs: 3_600_000, batchSize: 10_000 },
  });
  clients.push(client);
  return client;
}

/** The events waiting in the client's buffer (read through the same path the sender uses). */
function queued(client: SwitchboardClient): Record<string, unknown>[] {
  // biome-ignore lint/suspicious/noExplicitAny: the buffer is private; the test reads it to check what would be sent.
  return (client as any).events.buffer as Record<string, unknown>[];
}

describe('tracking', () => {
  it('attributes generations, feedback and metrics to the variant the context is assigned', async () => {
    const client = offlineClient();
    await client.ready({ timeoutMs: 200 });
    client.trackGeneration({
      flag: 'llm-model',
      context: { targetingKey: 'beta-user' },
      provider: 'anthropic',
      model: 'claude-sonnet-4',
      latencyMs: 812,
      ttftMs: 140,
      inputTokens: 1_200,
      outputTokens: 300,
      generationId: 'gen-1',
    });
    client.trackFeedback({
      flag: 'llm-model',
      context: { targetingKey: 'u-2' },
      generationId: 'gen-2',
      thumbs: 'up',
    });
    client.trackFeedback({ flag: 'llm-model', variant: 'candidate', unit: 'u-3', score: 0.75 });
    client.track('ticket-resolved', 1, { flag: 'llm-model', context: { userId: 'u-4' } });
    client.track('queue-depth', 12);
    const events = queued(client);
    expect(events.map(({ ts, ...rest }) => rest)).toEqual([
      {
        kind: 'generation',
        flag: 'llm-model',
        variant: 'candidate',
        unit: 'beta-user',
        provider: 'anthropic',
        model: 'claude-sonnet-4',
        latencyMs: 812,
        ttftMs: 140,
        inputTokens: 1_200,
        outputTokens: 300,
        generationId: 'gen-1',
      },
      {
        kind: 'feedback',
        flag: 'llm-model',
        variant: 'control',
        unit: 'u-2',
        generationId: 'gen-2',
        thumbs: 'up',
      },
      { kind: 'feedback', flag: 'llm-model', variant: 'candidate', unit: 'u-3', score: 0.75 },
      {
        kind: 'metric',
        name: 'ticket-resolved',
        value: 1,
        flag: 'llm-model',
        variant: 'control',
        unit: 'u-4',
      },
      { kind: 'metric', name: 'queue-depth', value: 12 },
    ]);
    for (const event of events) expect(Number.isNaN(Date.parse(event.ts as string))).toBe(false);
    // Attributing is not serving: no exposure was recorded.
    expect(events.some((e) => e.kind === 'exposure')).toBe(false);
    expect(client.eventStats().invalid).toBe(0);
  });

  it('refuses what the server would refuse, counts it as invalid, and never throws', async () => {
    const client = offlineClient();
    await client.ready({ timeoutMs: 200 });
    client.trackGeneration({ flag: 'llm-model', provider: 'openai', model: 'gpt-4o', latencyMs: 5 });
    client.trackGeneration({
      flag: 'unknown',
      context: { targetingKey: 'u' },
      provider: 'o',
      model: 'm',
      latencyMs: 5,
    });
    client.trackGeneration({
      flag: 'llm-model',
      variant: 'control',
      provider: 'openai',
      model: 'gpt-4o',
      latencyMs: Number.NaN,
    });
    client.trackFeedback({ flag: 'llm-model', variant: 'control', unit: 'u', thumbs: 'up', score: 1 });
    client.trackFeedback({ flag: 'llm-model', variant: 'control', thumbs: 'up' });
    client.trackFeedback({ flag: 'llm-model', variant: 'control', unit: 'u', score: 1.5 });
    client.track('', 1);
    client.track('latency', Number.POSITIVE_INFINITY);
    expect(queued(client)).toEqual([]);
    expect(client.eventStats().invalid).toBe(8);

    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), (a, b, c) => {
        // biome-ignore lint/suspicious/noExplicitAny: hostile input on purpose.
        const loose = client as any;
        loose.track(a, b, c);
        loose.trackGeneration(a);
        loose.trackFeedback(b);
      }),
      { numRuns: 500 },
    );
  });
});

describe('eventProblem', () => {
  it('names the field of each problem', () => {
    const generation = {
      kind: 'generation' as const,
      flag: 'f',
      variant: 'v',
      provider: 'openai',
      model: 'gpt-4o',
      latencyMs: 10,
    };
    expect(eventProblem(generation)).toBeUndefined();
    expect(eventProblem({ ...generation, latencyMs: -1 })).toMatch(/^latencyMs/);
    expect(eventProblem({ ...generation, outputTokens: Number.POSITIVE_INFINITY })).toMatch(/^outputTokens/);
    expect(eventProblem({ ...generation, model: 'x'.repeat(201) })).toMatch(/^model/);
    expect(eventProblem({ kind: 'exposure', flag: 'f', variant: 'v', unit: '' })).toMatch(/^unit/);
    expect(eventProblem({ kind: 'feedback', flag: 'f', variant: 'v', unit: 'u', score: 0 })).toBeUndefined();
    expect(eventProblem({ kind: 'metric', name: 'm', value: -3 })).toBeUndefined();
    expect(eventProblem({ kind: 'nope' } as never)).toBe('unknown event kind');
  });
});
