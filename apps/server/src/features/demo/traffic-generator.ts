import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { type EvaluationResult, evaluate, Reason } from '@switchboard/core';
import {
  type AiConfigInput,
  type ChatResult,
  type Clock,
  FallbackRouter,
  generationFields,
  RoutingError,
  type RoutingRecord,
  renderAiConfig,
  type SimulatedRaw,
  simulatedAdapter,
} from '@switchboard/llm';
import type { EnvironmentRef, SnapshotService } from '../evaluation/snapshot-service.js';
import { EVENT_LIMITS } from '../events/event-schemas.js';
import type { EventService } from '../events/event-service.js';
import { DEFAULT_SYSTEM_PROMPT, DemoFlag } from './demo-flags.js';
import { DEMO_MODELS, DEMO_PROVIDER, DEMO_RETRY_AFTER_MS, demoCostUsd } from './demo-models.js';
import { QUESTIONS, type SimulatedUser, seededRandom, simulatedUsers } from './simulated-users.js';

/** Where the generator sends its traffic: the services of the app it runs in, and one environment. */
export interface DemoTarget {
  events: Pick<EventService, 'ingest'>;
  snapshots: Pick<SnapshotService, 'get'>;
  environment: EnvironmentRef;
}

/** Options of {@link TrafficGenerator}. */
export interface TrafficGeneratorOptions {
  /** The same seed gives the same users, requests, answers, failures and feedback. */
  seed: string;
  /** Time for the simulated model calls and the events' `ts`. */
  clock: Clock;
  /** How many simulated users send requests; 1,000 by default. */
  users?: number;
  /** Prefixes the generation ids (`<runId>-<n>`); random by default. */
  runId?: string;
  /** Units already sent an exposure, by `unit\0flag\0variant` (shared with the history written before). */
  exposed?: Set<string>;
  /** Told of failures (at most one line a minute); they are counted, never thrown. */
  warn?: (message: string) => void;
}

/** Events queued by kind. */
export interface QueuedEvents {
  exposure: number;
  generation: number;
  feedback: number;
}

/** What a generator did so far. */
export interface TrafficStats {
  /** Simulated requests made. */
  requests: number;
  /** Requests that found the kill switch off, and called no model. */
  killed: number;
  /** Requests whose `llm-model` value was not an AI config of the simulated provider: no model called. */
  skipped: number;
  /** Model calls that no link of the chain answered. */
  failures: number;
  /** Model calls a fallback answered. */
  fallbacks: number;
  queued: QueuedEvents;
  /** Events the event service accepted and rejected. */
  accepted: number;
  rejected: number;
  /** Events lost: the buffer was full, or their batch could not be written. */
  dropped: number;
  /** Requests that failed for another reason than a model's (the store, a bug): logged, never thrown. */
  crashed: number;
}

/** A share of answered requests gets feedback from its user: a thumb (up with the quality's probability)... */
const THUMBS_SHARE = 0.25;
/** ...or a rating on a five-point scale (0, 0.25... 1)... */
const RATING_SHARE = 0.15;
/** ...and some of the others a score from an automated judge, the quality itself. */
const JUDGE_SHARE = 0.2;
const DEFAULT_USERS = 1_000;
/** Heavier users first: user i of n is picked with a probability falling with i (power of a uniform). */
const USER_SKEW = 1.3;
const PUMP_INTERVAL_MS = 100;
const FLUSH_INTERVAL_MS = 1_000;
const MAX_IN_FLIGHT = 1_000;
const MAX_BUFFERED_EVENTS = 100_000;
const WARN_INTERVAL_MS = 60_000;

/**
 * The demo's simulated traffic. Each request is a user of the support assistant: it checks the kill
 * switch (`ai-agent`), resolves `llm-model` and `prompt-variant` for the user from the environment's
 * snapshot with the core evaluator (an exposure per unit and variant of a split, as the SDK sends),
 * calls the variant's model through a {@link FallbackRouter} over the simulated adapter (falling back
 * to the next model of the chain when one fails), and queues a generation event and, for a share of
 * the answers, feedback drawn from the answer's simulated quality, both attributed to the assigned
 * variants of the two flags. Events go to the event service in batches, as the SDK posts them.
 *
 * In-process, not through the SDK: the server never depends on the SDK at runtime (DESIGN.md §1); the
 * events have the shapes the SDK sends. Deterministic for a seed and a clock: requests made one after
 * another give the same events. Each request draws its user, question and feedback from its own index,
 * so concurrent ones differ only in their timing.
 *
 * @example
 * const generator = new TrafficGenerator(target, { seed: 'demo', clock: systemClock });
 * generator.start(5); // requests per second
 * await generator.stop();
 */
export class TrafficGenerator {
  readonly stats: TrafficStats = {
    requests: 0,
    killed: 0,
    skipped: 0,
    failures: 0,
    fallbacks: 0,
    queued: { exposure: 0, generation: 0, feedback: 0 },
    accepted: 0,
    rejected: 0,
    dropped: 0,
    crashed: 0,
  };
  /** Units sent an exposure, by `unit\0flag\0variant`. */
  readonly exposed: Set<string>;
  private readonly users: SimulatedUser[];
  private readonly router: FallbackRouter;
  private readonly clock: Clock;
  private readonly runId: string;
  private readonly stopping = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  private buffer: unknown[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private next = 0;
  private timers: ReturnType<typeof setInterval>[] = [];
  private lastWarnMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly target: DemoTarget,
    private readonly options: TrafficGeneratorOptions,
  ) {
    this.clock = options.clock;
    this.users = simulatedUsers(options.seed, options.users ?? DEFAULT_USERS);
    this.runId = options.runId ?? randomUUID().slice(0, 8);
    this.exposed = options.exposed ?? new Set();
    // One listener per request in flight, each removed when its request ends.
    setMaxListeners(MAX_IN_FLIGHT + 10, this.stopping.signal);
    const models = Object.fromEntries(Object.entries(DEMO_MODELS).map(([name, m]) => [name, m.profile]));
    const simulated = simulatedAdapter({
      provider: DEMO_PROVIDER,
      seed: options.seed,
      clock: this.clock,
      models,
      retryAfterMs: DEMO_RETRY_AFTER_MS,
    });
    // Both models are of one provider: a rate limit holds back the model that answered it, not both.
    this.router = new FallbackRouter({
      adapters: { [DEMO_PROVIDER]: simulated },
      clock: this.clock,
      retryAfterScope: 'model',
    });
  }

  /** Events waiting for the next flush. */
  get buffered(): number {
    return this.buffer.length;
  }

  /** Makes one simulated request, to its end, and queues its events. Never throws. */
  async request(): Promise<void> {
    const index = this.next++;
    this.stats.requests += 1;
    try {
      await this.serve(index);
    } catch (error) {
      if (this.stopping.signal.aborted) return;
      this.stats.crashed += 1;
      this.warn(`a simulated request failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Sends the queued events to the event service, in batches. Never throws: a failed batch is dropped. */
  flush(): Promise<void> {
    const run = this.flushing.then(() => this.send());
    this.flushing = run;
    return run;
  }

  /**
   * Starts requests at `requestsPerSecond` (the first at once) and flushes every second, until
   * {@link stop}. Requests run concurrently, each as long as its simulated call takes.
   */
  start(requestsPerSecond: number): void {
    if (this.timers.length > 0 || !(requestsPerSecond > 0) || this.stopping.signal.aborted) return;
    let last = this.clock.now();
    let due = 1;
    const pump = () => {
      const now = this.clock.now();
      due += (requestsPerSecond * Math.max(0, now - last)) / 1000;
      last = now;
      while (due >= 1 && this.inFlight.size < MAX_IN_FLIGHT) {
        due -= 1;
        const running: Promise<void> = this.request().finally(() => this.inFlight.delete(running));
        this.inFlight.add(running);
      }
      // At capacity, what could not start is not owed later.
      due = Math.min(due, 1);
    };
    pump();
    this.timers = [
      setInterval(pump, PUMP_INTERVAL_MS),
      setInterval(() => void this.flush(), FLUSH_INTERVAL_MS),
    ];
  }

  /** Stops: no new requests, the ones in flight aborted (and not recorded), the queued events sent. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    this.stopping.abort(new Error('the demo traffic stopped'));
    await Promise.all(this.inFlight);
    await this.flush();
  }

  private async serve(index: number): Promise<void> {
    // Everything random about the request is drawn from its index, before any wait.
    const draw = seededRandom(`${this.options.seed}\u0000request\u0000${index}`);
    const user =
      this.users[Math.min(this.users.length - 1, Math.floor(this.users.length * draw() ** USER_SKEW))];
    const question = QUESTIONS[Math.floor(draw() * QUESTIONS.length)];
    const feedbackDraw = draw();
    const thumbDraw = draw();
    if (user === undefined || question === undefined) return;

    const scope = await this.target.snapshots.get(this.target.environment);
    const startedAt = this.clock.now();
    const context = { targetingKey: user.id, tier: user.tier, region: user.region };
    const evaluateFlag = <T>(flag: string, defaultValue: T): EvaluationResult<T> => {
      const result = evaluate<T>(scope.compiled, flag, context, defaultValue);
      if (result.reason === Reason.Split && result.variant !== undefined) {
        this.expose(flag, result.variant, result.ruleId, user.id, startedAt);
      }
      return result;
    };
    // A missing kill switch kills nothing; only `false` does.
    if (evaluateFlag<boolean>(DemoFlag.KillSwitch, true).value === false) {
      this.stats.killed += 1;
      return;
    }
    const model = evaluateFlag<unknown>(DemoFlag.Model, undefined);
    const prompt = evaluateFlag<string>(DemoFlag.Prompt, DEFAULT_SYSTEM_PROMPT);
    const config = simulatedConfig(model.value);
    if (model.variant === undefined || config === undefined) {
      this.stats.skipped += 1;
      return;
    }
    const rendered = renderAiConfig(config, {
      systemPrompt: prompt.value,
      question: `${question} (ticket #${index + 1})`,
    });
    let result: ChatResult | undefined;
    let record: RoutingRecord;
    this.stopping.signal.throwIfAborted();
    // A signal of its own: the router leaves a listener on the signal it is given, for good.
    const call = new AbortController();
    const onStop = () => call.abort(this.stopping.signal.reason);
    this.stopping.signal.addEventListener('abort', onStop, { once: true });
    try {
      ({ result, record } = await this.router.chat(
        rendered.chain,
        { messages: rendered.messages, params: rendered.params, user: user.id },
        { signal: call.signal },
      ));
    } catch (error) {
      if (!(error instanceof RoutingError)) throw error;
      record = error.record;
      this.stats.failures += 1;
    } finally {
      this.stopping.signal.removeEventListener('abort', onStop);
    }
    if (record.fallbackUsed) this.stats.fallbacks += 1;

    const ts = new Date(this.clock.now()).toISOString();
    const fields = generationFields(record, result?.usage);
    const raw = result?.raw as Partial<SimulatedRaw> | undefined;
    const generationId = `${this.runId}-${index + 1}`;
    const generation = {
      kind: 'generation',
      ts,
      unit: user.id,
      generationId,
      ...fields,
      ...ttftOf(record, raw),
      ...costOf(fields.provider, fields.model, result),
    };
    const quality = raw?.simulated === true ? raw.quality : undefined;
    const feedback = quality === undefined ? undefined : feedbackOf(quality, feedbackDraw, thumbDraw);
    const assigned: { flag: string; variant: string }[] = [{ flag: DemoFlag.Model, variant: model.variant }];
    if (prompt.variant !== undefined) assigned.push({ flag: DemoFlag.Prompt, variant: prompt.variant });
    for (const { flag, variant } of assigned) {
      this.enqueue('generation', { ...generation, flag, variant });
      if (feedback !== undefined) {
        this.enqueue('feedback', {
          kind: 'feedback',
          ts,
          flag,
          variant,
          unit: user.id,
          generationId,
          ...feedback,
        });
      }
    }
  }

  private expose(flag: string, variant: string, ruleId: string | undefined, unit: string, at: number): void {
    const key = `${unit}\u0000${flag}\u0000${variant}`;
    if (this.exposed.has(key)) return;
    this.exposed.add(key);
    const ts = new Date(at).toISOString();
    this.enqueue('exposure', { kind: 'exposure', ts, flag, variant, unit, ...(ruleId && { ruleId }) });
  }

  private enqueue(kind: keyof QueuedEvents, event: Record<string, unknown>): void {
    if (this.buffer.length >= MAX_BUFFERED_EVENTS) {
      this.stats.dropped += 1;
      return;
    }
    this.buffer.push(event);
    this.stats.queued[kind] += 1;
  }

  private async send(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, EVENT_LIMITS.eventsPerBatch);
      try {
        const scope = await this.target.snapshots.get(this.target.environment);
        const result = await this.target.events.ingest(scope, `demo-${randomUUID()}`, batch);
        this.stats.accepted += result.accepted;
        this.stats.rejected += result.rejected.length;
        const first = result.rejected[0];
        if (first !== undefined) {
          this.warn(
            `${result.rejected.length} demo event(s) refused, the first: ${first.field} ${first.message}`,
          );
        }
      } catch (error) {
        this.stats.dropped += batch.length;
        this.warn(`sending demo events failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  private warn(message: string): void {
    const now = Date.now();
    if (now - this.lastWarnMs < WARN_INTERVAL_MS) return;
    this.lastWarnMs = now;
    this.options.warn?.(message);
  }
}

/** The value as an AI config the simulated provider answers, or undefined. */
function simulatedConfig(value: unknown): AiConfigInput | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const config = value as Partial<AiConfigInput>;
  if (config.provider !== DEMO_PROVIDER || typeof config.model !== 'string') return undefined;
  return config as AiConfigInput;
}

/**
 * Time to first token: the time spent on links that failed, plus the serving model's own. The calls
 * are not streamed (a streamed simulated answer waits once per word); the simulated answer tells its
 * time to first token.
 */
function ttftOf(record: RoutingRecord, raw: Partial<SimulatedRaw> | undefined): { ttftMs?: number } {
  if (raw?.ttftMs === undefined || raw.latencyMs === undefined) return {};
  const before = Math.max(0, record.latencyMs - raw.latencyMs);
  return { ttftMs: Math.min(record.latencyMs, before + raw.ttftMs) };
}

/** What a call cost: its tokens at the demo's prices; nothing for a failed call (providers bill answers). */
function costOf(provider: string, model: string, result: ChatResult | undefined): { costUsd?: number } {
  if (result === undefined) return { costUsd: 0 };
  if (provider !== DEMO_PROVIDER || result.usage === undefined) return {};
  const cost = demoCostUsd(model, result.usage.inputTokens, result.usage.outputTokens);
  return cost === undefined ? {} : { costUsd: cost };
}

/** The user's feedback on an answer of this quality, if any: a thumb, a rating, or a judge's score. */
function feedbackOf(
  quality: number,
  feedbackDraw: number,
  thumbDraw: number,
): { thumbs: 'up' | 'down' } | { score: number; source?: 'judge' } | undefined {
  if (feedbackDraw < THUMBS_SHARE) return { thumbs: thumbDraw < quality ? 'up' : 'down' };
  if (feedbackDraw < THUMBS_SHARE + RATING_SHARE) return { score: Math.round(quality * 4) / 4 };
  if (feedbackDraw < THUMBS_SHARE + RATING_SHARE + JUDGE_SHARE) {
    return { score: Math.round(quality * 1000) / 1000, source: 'judge' };
  }
  return undefined;
}
