import { GenerationErrorKind, murmur3 } from '@switchboard/core';
import type { CallOptions, ChatAdapter } from './chat-adapter.js';
import type { ChatChunk, ChatRequest, ChatResult, FinishReason, Usage } from './chat-request.js';
import { ChatStream } from './chat-stream.js';
import { type Clock, systemClock } from './clock.js';
import { ProviderError } from './provider-error.js';
import { estimateTokens } from './token-estimate.js';

/** A log-normal distribution given by its median and 95th percentile. */
export interface Spread {
  median: number;
  p95: number;
}

/** How one simulated model behaves; every field has a default. */
export interface SimulatedModelProfile {
  /** Time to first token in ms; default median 400, p95 1200. */
  ttftMs?: Spread;
  /** Output speed after the first token; default 60 tokens/s. */
  tokensPerSecond?: number;
  /** Answer length in tokens (capped by `maxTokens`); default median 120, p95 400. */
  outputTokens?: Spread;
  /** Share of requests that fail, in [0, 1]; default 0. */
  errorRate?: number;
  /** Relative weights of the kinds of failure; default rate_limit 5, server 3, timeout 2. */
  errorKinds?: Partial<Record<GenerationErrorKind, number>>;
  /** Quality score of an answer: normal, clipped to [0, 1]; default mean 0.8, sd 0.1. */
  quality?: { mean: number; sd: number };
}

/** Options of {@link simulatedAdapter}. */
export interface SimulatedAdapterOptions {
  /** The provider's name in AI configs; `simulated` by default. */
  provider?: string;
  /** The same seed and the same request always give the same answer, timing, failure and score. */
  seed?: number | string;
  /** Profiles by model name; models not listed use `defaults`. */
  models?: Record<string, SimulatedModelProfile>;
  defaults?: SimulatedModelProfile;
  /** Waits are taken on it: a `ManualClock` with `autoAdvance` makes them instant. */
  clock?: Clock;
  /** The Retry-After of a simulated rate limit; 1000 ms by default. */
  retryAfterMs?: number;
}

/** The `raw` of a simulated answer: what a real provider would not tell, for demos and tests. */
export interface SimulatedRaw {
  simulated: true;
  model: string;
  /** The answer's quality score in [0, 1], drawn from the model's profile. */
  quality: number;
  ttftMs: number;
  latencyMs: number;
}

const DEFAULT_PROFILE: Required<SimulatedModelProfile> = {
  ttftMs: { median: 400, p95: 1200 },
  tokensPerSecond: 60,
  outputTokens: { median: 120, p95: 400 },
  errorRate: 0,
  errorKinds: { rate_limit: 5, server: 3, timeout: 2 },
  quality: { mean: 0.8, sd: 0.1 },
};

const Z_95 = 1.6448536269514722;

const WORDS = [
  'the',
  'model',
  'answer',
  'request',
  'flag',
  'variant',
  'token',
  'stream',
  'latency',
  'quality',
  'config',
  'rollout',
  'prompt',
  'result',
  'user',
  'value',
  'system',
  'simulated',
  'check',
  'data',
];

const STATUS: Partial<Record<GenerationErrorKind, number>> = {
  rate_limit: 429,
  server: 500,
  invalid_request: 400,
};

interface Plan {
  failure: GenerationErrorKind | undefined;
  ttftMs: number;
  latencyMs: number;
  pieces: string[];
  finishReason: FinishReason;
  usage: Usage;
  quality: number;
}

/**
 * A provider that needs no network: answers, latencies, failures and quality scores drawn from per-model
 * profiles, deterministically from the seed and the request, with every wait taken on the injected
 * clock. The demo produces its data with it.
 *
 * @example
 * ```ts
 * const simulated = simulatedAdapter({
 *   seed: 7,
 *   models: {
 *     'small-model': { ttftMs: { median: 200, p95: 500 }, errorRate: 0.02, quality: { mean: 0.7, sd: 0.1 } },
 *     'large-model': { ttftMs: { median: 600, p95: 1500 }, quality: { mean: 0.85, sd: 0.08 } },
 *   },
 * });
 * const result = await simulated.chat({ model: 'large-model', messages: [{ role: 'user', content: 'Hi' }] });
 * console.log((result.raw as SimulatedRaw).quality);
 * ```
 */
export function simulatedAdapter(options: SimulatedAdapterOptions = {}): ChatAdapter {
  const provider = options.provider ?? 'simulated';
  const clock = options.clock ?? systemClock;
  const seed = String(options.seed ?? 0);

  const plan = (request: ChatRequest): Plan => {
    const profile = { ...DEFAULT_PROFILE, ...options.defaults, ...options.models?.[request.model] };
    const random = mulberry32(
      murmur3(
        `${seed}\u0000${request.model}\u0000${request.user ?? ''}\u0000${JSON.stringify(request.messages)}`,
      ),
    );
    const failed = random() < profile.errorRate;
    const failure = failed ? pickKind(profile.errorKinds, random()) : undefined;
    const ttftMs = Math.round(logNormal(profile.ttftMs, normal(random)));
    const limit = request.params?.maxTokens ?? Number.POSITIVE_INFINITY;
    const wanted = Math.max(1, Math.round(logNormal(profile.outputTokens, normal(random))));
    const quality = clamp(profile.quality.mean + profile.quality.sd * normal(random), 0, 1);
    const target = Math.min(wanted, limit);
    const pieces: string[] = [];
    let text = '';
    while (estimateTokens(text) < target) {
      const word = WORDS[Math.floor(random() * WORDS.length)] as string;
      const piece = pieces.length === 0 ? `${word[0]?.toUpperCase()}${word.slice(1)}` : ` ${word}`;
      if (estimateTokens(text + piece) > target && pieces.length > 0) break;
      pieces.push(piece);
      text += piece;
    }
    const outputTokens = estimateTokens(text);
    const inputTokens = request.messages.reduce((n, m) => n + estimateTokens(m.content), 0);
    return {
      failure,
      ttftMs,
      latencyMs: ttftMs + Math.round((outputTokens * 1000) / profile.tokensPerSecond),
      pieces,
      finishReason: wanted > limit ? 'length' : 'stop',
      usage: { inputTokens, outputTokens },
      quality,
    };
  };

  const fail = async (request: ChatRequest, p: Plan, signal: AbortSignal | undefined): Promise<never> => {
    const kind = p.failure as GenerationErrorKind;
    // Refusals come back at once; failures of the model itself after it had time to start.
    const fast = kind === GenerationErrorKind.RateLimit || kind === GenerationErrorKind.InvalidRequest;
    await clock.sleep(fast ? Math.round(p.ttftMs / 10) : p.ttftMs, signal);
    const status = STATUS[kind];
    throw new ProviderError(`${provider}: simulated ${kind} for ${request.model}`, {
      kind,
      provider,
      ...(status !== undefined && { status }),
      ...(kind === GenerationErrorKind.RateLimit && { retryAfterMs: options.retryAfterMs ?? 1000 }),
    });
  };

  const raw = (request: ChatRequest, p: Plan): SimulatedRaw => ({
    simulated: true,
    model: request.model,
    quality: p.quality,
    ttftMs: p.ttftMs,
    latencyMs: p.latencyMs,
  });

  return {
    provider,

    async chat(request: ChatRequest, call: CallOptions = {}): Promise<ChatResult> {
      const p = plan(request);
      if (p.failure !== undefined) return fail(request, p, call.signal);
      await clock.sleep(p.latencyMs, call.signal);
      return {
        model: request.model,
        text: p.pieces.join(''),
        toolCalls: [],
        finishReason: p.finishReason,
        usage: p.usage,
        raw: raw(request, p),
      };
    },

    async stream(request: ChatRequest, call: CallOptions = {}): Promise<ChatStream> {
      const startedAt = clock.now();
      const p = plan(request);
      if (p.failure !== undefined) return fail(request, p, call.signal);
      const perPiece = p.pieces.length > 1 ? (p.latencyMs - p.ttftMs) / (p.pieces.length - 1) : 0;
      const events: unknown[] = [];
      async function* chunks(): AsyncGenerator<ChatChunk> {
        await clock.sleep(p.ttftMs, call.signal);
        for (const [i, text] of p.pieces.entries()) {
          if (i > 0) await clock.sleep(perPiece, call.signal);
          yield { type: 'text', text };
        }
        events.push(raw(request, p));
        yield { type: 'finish', finishReason: p.finishReason, usage: p.usage, model: request.model };
      }
      return new ChatStream(chunks(), { clock, startedAt, tools: request.tools, raw: events });
    },
  };
}

function pickKind(weights: Partial<Record<GenerationErrorKind, number>>, u: number): GenerationErrorKind {
  const entries = Object.entries(weights).filter(([, w]) => (w ?? 0) > 0) as [GenerationErrorKind, number][];
  const total = entries.reduce((n, [, w]) => n + w, 0);
  let at = u * total;
  for (const [kind, weight] of entries) {
    if (at < weight) return kind;
    at -= weight;
  }
  return entries.at(-1)?.[0] ?? GenerationErrorKind.Server;
}

function logNormal(spread: Spread, z: number): number {
  const sigma = spread.p95 > spread.median ? Math.log(spread.p95 / spread.median) / Z_95 : 0;
  return spread.median * Math.exp(sigma * z);
}

/** A standard normal draw (Box–Muller). */
function normal(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/** A small, fast, seedable generator of uniform numbers in [0, 1). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
