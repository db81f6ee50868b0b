import type { JsonValue, Snapshot, SnapshotFlag } from '@switchboard/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  answerText,
  type JudgeInput,
  llmJudge,
  type ShadowJudge,
  type SwitchboardClient,
} from '../src/index.js';
import { ShadowRunner } from '../src/shadow-runner.js';
import { AI_SNAPSHOT, CANDIDATE_CONFIG, eventually, offlineClient, queuedOf } from './ai-fixtures.js';

const clients: SwitchboardClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

const VARIABLES = { product: 'Acme', plan: { name: 'Pro' }, question: 'Where is my order?' };
const base = AI_SNAPSHOT.flags[0] as SnapshotFlag;
/** The candidate, priced at 1 USD per million tokens each way. */
const PRICED_CANDIDATE = { ...CANDIDATE_CONFIG, pricing: { inputPerMillion: 1, outputPerMillion: 1 } };

function shadowFlag(
  key: string,
  shadow: SnapshotFlag['shadow'],
  overrides: Partial<SnapshotFlag> = {},
): SnapshotFlag {
  return {
    ...base,
    key,
    salt: `salt-${key}`,
    variants: base.variants.map((v) =>
      v.key === 'candidate' ? { ...v, value: PRICED_CANDIDATE as unknown as JsonValue } : v,
    ),
    fallthrough: { variant: 'control' },
    shadow,
    ...overrides,
  };
}

const SNAPSHOT: Snapshot = {
  version: 1,
  flags: [
    ...AI_SNAPSHOT.flags,
    shadowFlag('shadow-bot', { variant: 'candidate', sampleRate: 1 }),
    shadowFlag('sampled-bot', { variant: 'candidate', sampleRate: 0.3 }),
    shadowFlag('never-bot', { variant: 'candidate', sampleRate: 0 }),
    shadowFlag('killed-shadow-bot', { variant: 'candidate', sampleRate: 1 }, { enabled: false }),
    {
      key: 'grader',
      kind: 'ai-config',
      salt: 'salt-grader',
      variants: [
        {
          key: 'v1',
          value: {
            provider: 'openai',
            model: 'gpt-4o-mini',
            messages: [
              { role: 'system', content: 'Grade the answer from 0 to 1. Reply with the number alone.' },
              { role: 'user', content: 'Question: {{input}}\nAnswer: {{answer}}' },
            ],
          },
        },
      ],
      enabled: true,
      targets: [],
      rules: [],
      prerequisites: [],
      fallthrough: { variant: 'v1' },
      version: 1,
    },
  ],
  segments: [],
};

async function shadowClient(options: Parameters<typeof offlineClient>[1] = {}): Promise<SwitchboardClient> {
  const client = offlineClient(clients, { bootstrap: SNAPSHOT, ...options });
  await client.ready({ timeoutMs: 200 });
  return client;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** An OpenAI-shaped answer after `ms`. */
const answer = async (ms: number, text = 'Your order ships today.') => {
  await sleep(ms);
  return {
    choices: [{ message: { role: 'assistant', content: text } }],
    usage: { prompt_tokens: 1_000, completion_tokens: 500 },
  };
};
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

describe('client.aiConfig with a shadow', () => {
  it("gives the shadow variant's configuration, rendered with the same variables, when sampled", async () => {
    const client = await shadowClient();
    const config = client.aiConfig('shadow-bot', { targetingKey: 'u-1' }, { variables: VARIABLES });
    expect(config).toMatchObject({ variant: 'control', model: 'gpt-4o' });
    expect(config.shadow).toMatchObject({
      flag: 'shadow-bot',
      variant: 'candidate',
      provider: 'anthropic',
      model: 'claude-sonnet-4-6',
      messages: [
        { role: 'system', content: 'You are a concise assistant for Acme.' },
        { role: 'user', content: 'Where is my order?' },
      ],
      pricing: { inputPerMillion: 1, outputPerMillion: 1 },
      shadow: null,
    });
    expect(config.shadow?.tracker).toMatchObject({ variant: 'candidate', unit: 'u-1' });
    // The unit is not exposed to the shadow variant.
    expect(queuedOf(client, 'exposure')).toEqual([]);
  });

  it.each([
    ['a flag without a shadow', 'support-bot', 'control-user'],
    ['a unit assigned the shadow variant', 'shadow-bot', 'beta-user'],
    ['a sample rate of 0', 'never-bot', 'u-1'],
    ['a killed flag', 'killed-shadow-bot', 'u-1'],
    ['an unknown flag', 'nope', 'u-1'],
  ])('gives no shadow for %s', async (_, flag, unit) => {
    const client = await shadowClient();
    expect(client.aiConfig(flag, { targetingKey: unit }, { variables: VARIABLES }).shadow).toBeNull();
  });

  it('samples requests at the rate, each on its own (not by unit)', async () => {
    const client = await shadowClient();
    let sampled = 0;
    const n = 4_000;
    for (let i = 0; i < n; i++) {
      if (client.aiConfig('sampled-bot', { targetingKey: 'same-unit' }, { variables: VARIABLES }).shadow)
        sampled++;
    }
    // Binomial(4000, 0.3): sd ≈ 29; ±200 is about 7 sd.
    expect(Math.abs(sampled - 0.3 * n)).toBeLessThan(200);
  });

  it('leaves the shadow out when its messages miss a variable', async () => {
    const client = await shadowClient();
    const config = client.aiConfig('shadow-bot', { targetingKey: 'u-1' }, { variables: { question: 'hi' } });
    expect(config.shadow).toBeNull();
  });
});

describe('tracker.shadow', () => {
  it('never delays the caller: it returns at once, starts later, and the served call takes as long as without it', async () => {
    const client = await shadowClient();
    const served = async (withShadow: boolean) => {
      const config = client.aiConfig('shadow-bot', { targetingKey: 'u-1' }, { variables: VARIABLES });
      const startedAt = performance.now();
      const order: string[] = [];
      if (withShadow) {
        void config.tracker.shadow(() => {
          order.push('shadow');
          return answer(300);
        });
        // Not on the caller's turn: the served call, started after, starts first.
        expect(order).toEqual([]);
      }
      const result = await config.tracker.track(() => {
        order.push('served');
        return answer(20);
      });
      expect(order[0]).toBe('served');
      expect(result.choices[0]?.message.content).toBe('Your order ships today.');
      return performance.now() - startedAt;
    };
    const off: number[] = [];
    const on: number[] = [];
    for (let i = 0; i < 8; i++) {
      off.push(await served(false));
      on.push(await served(true));
      // One shadow at a time, so none is skipped.
      await eventually(() => client.shadowStats().running === 0);
    }
    expect(median(on)).toBeLessThan(median(off) + 10);
    expect(Math.max(...on)).toBeLessThan(200);
    expect(client.shadowStats()).toMatchObject({ started: 8, completed: 8, skippedConcurrency: 0 });
  });

  it('sends a generation with shadow: true under the shadow variant, with its tokens', async () => {
    const client = await shadowClient();
    const config = client.aiConfig('shadow-bot', { targetingKey: 'u-1' }, { variables: VARIABLES });
    await config.tracker.track(() => answer(1));
    const outcome = await config.tracker.shadow((shadow) => {
      expect(shadow.model).toBe('claude-sonnet-4-6');
      return answer(5);
    });
    expect(outcome).toMatchObject({ status: 'completed', generationId: expect.any(String) });
    const generations = queuedOf(client, 'generation');
    expect(generations).toHaveLength(2);
    expect(generations[0]).toMatchObject({ variant: 'control', model: 'gpt-4o' });
    expect(generations[0]).not.toHaveProperty('shadow');
    expect(generations[1]).toMatchObject({
      flag: 'shadow-bot',
      variant: 'candidate',
      unit: 'u-1',
      provider: 'anthropic',
      model: 'claude-sonnet-4-6',
      fallbackUsed: false,
      shadow: true,
      inputTokens: 1_000,
      outputTokens: 500,
      generationId: outcome.status === 'completed' ? outcome.generationId : '',
    });
    expect(generations[1]?.latencyMs).toBeGreaterThanOrEqual(4);
    // One shadow call per request.
    expect(await config.tracker.shadow(() => answer(1))).toBe(outcome);
  });

  it('does nothing for a request out of the sample', async () => {
    const client = await shadowClient();
    const config = client.aiConfig('support-bot', { targetingKey: 'control-user' }, { variables: VARIABLES });
    let called = false;
    expect(
      await config.tracker.shadow(() => {
        called = true;
      }),
    ).toEqual({ status: 'not-sampled' });
    expect(called).toBe(false);
  });

  it('only records errors: the caller sees nothing of them', async () => {
    const client = await shadowClient();
    const config = client.aiConfig('shadow-bot', { targetingKey: 'u-1' }, { variables: VARIABLES });
    const failure = Object.assign(new Error('overloaded'), { status: 529 });
    const outcome = await config.tracker.shadow(async () => {
      await sleep(1);
      throw failure;
    });
    expect(outcome).toMatchObject({ status: 'failed', error: failure });
    const syncThrow = client.aiConfig('shadow-bot', { targetingKey: 'u-2' }, { variables: VARIABLES });
    expect(
      await syncThrow.tracker.shadow(() => {
        throw new TypeError('bad arguments');
      }),
    ).toMatchObject({ status: 'failed' });
    expect(queuedOf(client, 'generation')).toMatchObject([
      { variant: 'candidate', shadow: true, error: 'rate_limit' },
      { variant: 'candidate', shadow: true, error: 'other' },
    ]);
    expect(client.shadowStats()).toMatchObject({ failed: 2, completed: 0 });
  });

  it('runs at most maxConcurrency shadow calls at once and skips (and counts) the others', async () => {
    const client = await shadowClient({ shadow: { maxConcurrency: 2 } });
    const outcomes = [];
    for (let i = 0; i < 5; i++) {
      const config = client.aiConfig('shadow-bot', { targetingKey: `u-${i}` }, { variables: VARIABLES });
      outcomes.push(config.tracker.shadow(() => answer(50)));
    }
    expect(client.shadowStats()).toMatchObject({ running: 2, started: 2, skippedConcurrency: 3 });
    const settled = await Promise.all(outcomes);
    expect(settled.map((o) => o.status)).toEqual(['completed', 'completed', 'skipped', 'skipped', 'skipped']);
    expect(settled[4]).toEqual({ status: 'skipped', reason: 'concurrency' });
    expect(client.shadowStats().running).toBe(0);
    expect(queuedOf(client, 'generation')).toHaveLength(2);
  });

  it("stops at the daily spend cap, computed from the shadow variant's pricing", async () => {
    // Each shadow answer: 1000 + 500 tokens at 1 USD per million = 0.0015 USD.
    const client = await shadowClient({ shadow: { maxSpendUsdPerDay: 0.002 } });
    const run = async (unit: string) => {
      const config = client.aiConfig('shadow-bot', { targetingKey: unit }, { variables: VARIABLES });
      return config.tracker.shadow(() => answer(1));
    };
    expect((await run('a')).status).toBe('completed');
    expect((await run('b')).status).toBe('completed');
    expect(await run('c')).toEqual({ status: 'skipped', reason: 'spend' });
    expect(client.shadowStats()).toMatchObject({ completed: 2, skippedSpend: 1 });
    expect(client.shadowStats().spentTodayUsd).toBeCloseTo(0.003, 12);
  });

  it('is aborted, and not recorded, when the shadow variant is drained', async () => {
    const client = await shadowClient();
    const config = client.aiConfig('shadow-bot', { targetingKey: 'u-1' }, { variables: VARIABLES });
    const outcome = config.tracker.shadow(
      (_, signal) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => reject(signal.reason));
        }),
    );
    await eventually(() => client.inFlight('shadow-bot') === 1);
    expect(await client.drain('shadow-bot', { variant: 'candidate' })).toMatchObject({ aborted: 1 });
    expect((await outcome).status).toBe('failed');
    expect(queuedOf(client, 'generation')).toEqual([]);
    expect(client.eventStats().drained).toBe(1);
  });
});

describe('the judge', () => {
  it('scores the served and the shadow answer, sent as judge feedback sharing a pair id', async () => {
    const seen: JudgeInput[] = [];
    const judge: ShadowJudge = async (input) => {
      seen.push(input);
      return { servedScore: 0.6, shadowScore: 0.9 };
    };
    const client = await shadowClient({ shadow: { judge } });
    const config = client.aiConfig('shadow-bot', { targetingKey: 'u-1' }, { variables: VARIABLES });
    const served = config.tracker.track(() => answer(5, 'served answer'));
    // Beside the served call: the judge waits for the served answer.
    const outcome = await config.tracker.shadow(() => answer(1, 'shadow answer'), { served });
    expect(outcome).toMatchObject({ status: 'completed', scores: { servedScore: 0.6, shadowScore: 0.9 } });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      flag: 'shadow-bot',
      context: { targetingKey: 'u-1' },
      servedVariant: 'control',
      shadowVariant: 'candidate',
      input: config.messages,
    });
    expect(answerText(seen[0]?.served)).toBe('served answer');
    expect(answerText(seen[0]?.shadow)).toBe('shadow answer');

    const generations = queuedOf(client, 'generation');
    const servedGeneration = generations.find((g) => g.shadow === undefined);
    const shadowGeneration = generations.find((g) => g.shadow === true);
    const feedback = queuedOf(client, 'feedback');
    expect(feedback).toHaveLength(2);
    const pairId = feedback[0]?.pairId;
    expect(pairId).toEqual(expect.any(String));
    expect(feedback).toEqual([
      {
        kind: 'feedback',
        flag: 'shadow-bot',
        variant: 'control',
        unit: 'u-1',
        generationId: servedGeneration?.generationId,
        score: 0.6,
        source: 'judge',
        pairId,
      },
      {
        kind: 'feedback',
        flag: 'shadow-bot',
        variant: 'candidate',
        unit: 'u-1',
        generationId: shadowGeneration?.generationId,
        score: 0.9,
        source: 'judge',
        pairId,
        servedScore: 0.6,
        shadow: true,
      },
    ]);
    expect(client.shadowStats()).toMatchObject({ judged: 1, judgeFailed: 0 });
  });

  it('judges nothing without the served answer, and counts a judge that fails or scores out of range', async () => {
    let calls = 0;
    const judges: ShadowJudge[] = [
      async () => {
        calls++;
        throw new Error('judge down');
      },
      async () => {
        calls++;
        return { servedScore: 1.5, shadowScore: 0.2 };
      },
    ];
    const client = await shadowClient({
      shadow: { judge: async () => ({ servedScore: 1, shadowScore: 1 }) },
    });
    const noServed = client.aiConfig('shadow-bot', { targetingKey: 'u-0' }, { variables: VARIABLES });
    expect(await noServed.tracker.shadow(() => answer(1))).not.toHaveProperty('scores');
    for (const [i, judge] of judges.entries()) {
      const config = client.aiConfig('shadow-bot', { targetingKey: `u-${i + 1}` }, { variables: VARIABLES });
      const outcome = await config.tracker.shadow(() => answer(1), { served: 'served', judge });
      expect(outcome.status).toBe('completed');
    }
    const failedServed = client.aiConfig('shadow-bot', { targetingKey: 'u-9' }, { variables: VARIABLES });
    const rejected = Promise.reject(new Error('served failed'));
    rejected.catch(() => {});
    await failedServed.tracker.shadow(() => answer(1), { served: rejected });
    expect(calls).toBe(2);
    expect(queuedOf(client, 'feedback')).toEqual([]);
    expect(client.shadowStats()).toMatchObject({ judged: 0, judgeFailed: 3 });
  });

  it('llmJudge grades each answer with the judge flag and parses the score', async () => {
    const prompts: string[] = [];
    let client: SwitchboardClient | undefined;
    const judge = llmJudge({
      client: () => client as SwitchboardClient,
      flag: 'grader',
      call: async (config) => {
        const prompt = config.messages.map((m) => m.content).join('\n');
        prompts.push(prompt);
        return prompt.includes('Answer: good') ? 'Score: 0.9' : '0.25';
      },
    });
    client = await shadowClient({ shadow: { judge } });
    const config = client.aiConfig('shadow-bot', { targetingKey: 'u-1' }, { variables: VARIABLES });
    const served = await config.tracker.track(() => answer(1, 'meh'));
    const outcome = await config.tracker.shadow(() => answer(1, 'good'), {
      served,
      input: 'Where is my order?',
    });
    expect(outcome).toMatchObject({ scores: { servedScore: 0.25, shadowScore: 0.9 } });
    expect(prompts.sort()).toEqual([
      'Grade the answer from 0 to 1. Reply with the number alone.\nQuestion: Where is my order?\nAnswer: good',
      'Grade the answer from 0 to 1. Reply with the number alone.\nQuestion: Where is my order?\nAnswer: meh',
    ]);
    // The judge's own calls are generations of the judge flag.
    expect(queuedOf(client, 'generation').filter((g) => g.flag === 'grader')).toHaveLength(2);
    expect(queuedOf(client, 'feedback').map((f) => f.score)).toEqual([0.25, 0.9]);
  });

  it('llmJudge fails on a reply without a score in [0, 1]', async () => {
    const client = await shadowClient();
    const judge = llmJudge({ client, flag: 'grader', call: async () => 'Excellent: 9/10' });
    await expect(
      judge({
        flag: 'shadow-bot',
        context: { targetingKey: 'u-1' },
        input: 'q',
        served: 'a',
        shadow: 'b',
        servedVariant: 'control',
        shadowVariant: 'candidate',
        signal: new AbortController().signal,
      }),
    ).rejects.toThrow(/no score in \[0, 1\]/);
  });

  it('answerText reads the answers of the common clients', () => {
    expect(answerText('plain')).toBe('plain');
    expect(answerText({ choices: [{ message: { content: 'openai' } }] })).toBe('openai');
    expect(
      answerText({
        content: [
          { type: 'text', text: 'anthro' },
          { type: 'text', text: 'pic' },
        ],
      }),
    ).toBe('anthropic');
    expect(answerText({ text: 'ai sdk', usage: {} })).toBe('ai sdk');
    expect(
      answerText([
        { choices: [{ delta: { content: 'str' } }] },
        { type: 'content_block_delta', delta: { type: 'text_delta', text: 'ea' } },
        { type: 'text-delta', text: 'm' },
      ]),
    ).toBe('stream');
    expect(
      answerText([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ]),
    ).toBe('system: Be brief.\nuser: Hi');
  });
});

describe('ShadowRunner', () => {
  it('starts a new spend day at UTC midnight', async () => {
    let now = Date.parse('2026-06-01T23:59:00Z');
    const runner = new ShadowRunner(
      { maxSpendUsdPerDay: 1 },
      { debug() {}, info() {}, warn() {}, error() {} },
      () => now,
    );
    const host = runner.hostFor(
      {
        inFlight: { add() {}, delete() {} } as never,
        killedFor: () => undefined,
        snapshotStamp: () => 0,
        sendGeneration() {},
        recordGeneration() {},
        sendFeedback() {},
        countDrained() {},
      },
      () => ({ inputPerMillion: 1_000_000, outputPerMillion: 0 }),
    );
    host.sendGeneration({ flag: 'f', provider: 'p', model: 'm', latencyMs: 1, inputTokens: 2 });
    expect(runner.stats().spentTodayUsd).toBe(2);
    now = Date.parse('2026-06-02T00:00:01Z');
    expect(runner.stats().spentTodayUsd).toBe(0);
  });
});
