import { describe, expect, it } from 'vitest';
import {
  type ChatRequest,
  estimateTokens,
  FallbackRouter,
  type SimulatedRaw,
  simulatedAdapter,
} from '../src/index.js';
import { ManualClock } from '../src/testing/index.js';

const request = (content: string, model = 'small'): ChatRequest => ({
  model,
  messages: [{ role: 'user', content }],
});

describe('simulatedAdapter', () => {
  it('answers the same seed and request the same way, taking its latency on the clock', async () => {
    const run = async (seed: number) => {
      const clock = new ManualClock(0, { autoAdvance: true });
      const result = await simulatedAdapter({ seed, clock }).chat(request('Hello'));
      return { result, elapsed: clock.now() };
    };
    const first = await run(1);
    const again = await run(1);
    const other = await run(2);
    expect(again).toEqual(first);
    expect(other.result.text).not.toBe(first.result.text);
    const raw = first.result.raw as SimulatedRaw;
    expect(first.elapsed).toBe(raw.latencyMs);
    expect(raw.latencyMs).toBeGreaterThan(raw.ttftMs);
    expect(first.result.usage).toEqual({
      inputTokens: estimateTokens('Hello'),
      outputTokens: estimateTokens(first.result.text),
    });
  });

  it('draws latency, errors and quality from per-model profiles', async () => {
    const clock = new ManualClock(0, { autoAdvance: true });
    const adapter = simulatedAdapter({
      seed: 'demo',
      clock,
      models: {
        fast: {
          ttftMs: { median: 100, p95: 200 },
          errorRate: 0.3,
          errorKinds: { rate_limit: 1 },
          quality: { mean: 0.6, sd: 0.05 },
        },
        slow: { ttftMs: { median: 1000, p95: 2000 }, quality: { mean: 0.9, sd: 0.05 } },
      },
    });
    const draw = async (model: string) => {
      const ttfts: number[] = [];
      const qualities: number[] = [];
      let errors = 0;
      for (let i = 0; i < 300; i++) {
        try {
          const result = await adapter.chat(request(`question ${i}`, model));
          const raw = result.raw as SimulatedRaw;
          ttfts.push(raw.ttftMs);
          qualities.push(raw.quality);
        } catch (error) {
          expect(error).toMatchObject({ kind: 'rate_limit', status: 429, retryAfterMs: 1000 });
          errors++;
        }
      }
      const median = [...ttfts].sort((a, b) => a - b)[Math.floor(ttfts.length / 2)] ?? 0;
      const meanQuality = qualities.reduce((a, b) => a + b, 0) / qualities.length;
      return { median, meanQuality, errorRate: errors / 300 };
    };
    const fast = await draw('fast');
    const slow = await draw('slow');
    expect(fast.errorRate).toBeGreaterThan(0.2);
    expect(fast.errorRate).toBeLessThan(0.4);
    expect(slow.errorRate).toBe(0);
    expect(fast.median).toBeGreaterThan(80);
    expect(fast.median).toBeLessThan(125);
    expect(slow.median).toBeGreaterThan(800);
    expect(slow.median).toBeLessThan(1250);
    expect(fast.meanQuality).toBeCloseTo(0.6, 1);
    expect(slow.meanQuality).toBeCloseTo(0.9, 1);
  });

  it('caps the answer at maxTokens with a length finish', async () => {
    const clock = new ManualClock(0, { autoAdvance: true });
    const adapter = simulatedAdapter({ clock, defaults: { outputTokens: { median: 500, p95: 600 } } });
    const result = await adapter.chat({ ...request('Tell me everything'), params: { maxTokens: 10 } });
    expect(result.finishReason).toBe('length');
    expect(result.usage?.outputTokens).toBeLessThanOrEqual(10);
  });

  it('streams the same answer, with its time to first token on the clock', async () => {
    const clock = new ManualClock(0, { autoAdvance: true });
    const adapter = simulatedAdapter({ seed: 3, clock });
    const whole = await adapter.chat(request('Stream me'));
    const stream = await adapter.stream(request('Stream me'));
    const result = await stream.result();
    expect(result.text).toBe(whole.text);
    expect(result.usage).toEqual(whole.usage);
    const raw = whole.raw as SimulatedRaw;
    expect(stream.ttftMs).toBe(raw.ttftMs);
    expect(stream.latencyMs).toBeCloseTo(raw.latencyMs, 0);
  });

  it('feeds a fallback router with no network', async () => {
    const clock = new ManualClock(0, { autoAdvance: true });
    const simulated = simulatedAdapter({
      clock,
      models: { flaky: { errorRate: 1, errorKinds: { server: 1 } } },
    });
    const router = new FallbackRouter({ adapters: { simulated }, clock });
    const { record } = await router.chat(
      [
        { provider: 'simulated', model: 'flaky' },
        { provider: 'simulated', model: 'steady' },
      ],
      { messages: [{ role: 'user', content: 'hi' }] },
    );
    expect(record).toMatchObject({
      served: { model: 'steady' },
      fallbackUsed: true,
      attempts: [{ error: 'server' }, { outcome: 'ok' }],
    });
  });

  it('stops waiting when aborted', async () => {
    const clock = new ManualClock(0);
    const controller = new AbortController();
    const pending = simulatedAdapter({ clock }).chat(request('hi'), { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});
