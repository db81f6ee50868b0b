import type { EvaluationContext, GenerationEvent } from '@switchboard/core';
import type { AiPricing } from '@switchboard/llm';
import type { FeedbackInput, GenerationInput } from './event-builders.js';
import type { TrackerHost, TrackOptions } from './generation-call.js';
import type { Logger } from './logger.js';
import type { ResolvedAiConfig } from './resolved-ai-config.js';

/** What a judge scores: the served and the shadow answer of one request. */
export interface JudgeInput {
  flag: string;
  context: EvaluationContext;
  /** What both answered: `tracker.shadow`'s `input`, else the served configuration's messages. */
  input: unknown;
  servedVariant: string;
  shadowVariant: string;
  /** The served answer, as given to `tracker.shadow` (`served`). */
  served: unknown;
  /** The shadow call's result; for a stream, the array of its chunks. */
  shadow: unknown;
  /** Aborted when the client closes. */
  signal: AbortSignal;
}

/** Scores in [0, 1] of the served and the shadow answer; the same judge must give both. */
export interface JudgeScores {
  servedScore: number;
  shadowScore: number;
}

/**
 * Scores the served and the shadow answer of the same request (your function, or `llmJudge`). Both
 * scores are sent as judge feedback sharing a pair id, so the server can compute the paired
 * difference; a judge that throws or gives a score outside [0, 1] is counted and sends nothing.
 */
export type ShadowJudge = (input: JudgeInput) => Promise<JudgeScores>;

/** Shadow mode settings of a client (`createClient({ shadow })`). */
export interface ShadowSettings {
  /**
   * Shadow calls of this client running at once, at most (default 4). A sampled request beyond it is
   * skipped, not queued, and counted in `shadowStats().skippedConcurrency`.
   */
  maxConcurrency?: number;
  /**
   * USD per UTC day spent on shadow calls, at most (default: no cap). The cost of each is computed from
   * the tokens it reports and the shadow variant's `pricing` (a variant without pricing costs nothing
   * here: set one for the cap to hold). Once reached, sampled requests are skipped until the next day
   * and counted in `shadowStats().skippedSpend`. Calls in flight when it is reached still finish, so it
   * can be passed by at most `maxConcurrency` calls.
   */
  maxSpendUsdPerDay?: number;
  /** Scores each shadow answer against the served one (see {@link ShadowJudge}). */
  judge?: ShadowJudge;
}

/** What `tracker.shadow` did with the request. */
export type ShadowOutcome =
  /** The request is not in the shadow sample (or the flag has no shadow): nothing ran. */
  | { status: 'not-sampled' }
  /** Sampled, but the client was at a limit: nothing ran. */
  | { status: 'skipped'; reason: 'concurrency' | 'spend' }
  /** The shadow call answered (and, with a judge, `scores` when the judge scored it). */
  | { status: 'completed'; generationId: string; result: unknown; scores?: JudgeScores }
  /** The shadow call failed (recorded as a shadow generation with its error kind, unless drained). */
  | { status: 'failed'; generationId: string; error: unknown };

/** Counters of shadow mode, for the application's monitoring (`client.shadowStats()`). */
export interface ShadowStats {
  /** Shadow calls running now. */
  running: number;
  started: number;
  completed: number;
  failed: number;
  skippedConcurrency: number;
  skippedSpend: number;
  /** Pairs the judge scored (two feedback events each). */
  judged: number;
  /** Judgements that failed: the judge threw, gave a score outside [0, 1], or the served answer failed. */
  judgeFailed: number;
  /** Spent on shadow calls today (UTC), by the variants' pricing. */
  spentTodayUsd: number;
}

/** Options of one `tracker.shadow` call. */
export interface ShadowRunOptions {
  /** The served answer (or a promise of it) for the judge; without it nothing is judged. */
  served?: unknown;
  /** What both calls answered, for the judge; the served configuration's messages by default. */
  input?: unknown;
  /** The served generation's id, for its judge feedback; the tracker's last by default. */
  servedGenerationId?: string;
  /** A judge for this request instead of the client's, or `false` for none. */
  judge?: ShadowJudge | false;
  /** How the shadow generation is recorded: the model that served it, when not the shadow configuration's own. */
  track?: TrackOptions;
}

/** The shadow call itself: given the shadow variant's configuration and a signal to pass on. */
export type ShadowCall<T> = (config: ResolvedAiConfig, signal: AbortSignal) => T | Promise<T>;

/** A request in the shadow sample, as its served tracker holds it. */
export interface ShadowRequest {
  readonly runner: ShadowRunner;
  /** The shadow variant's configuration; its tracker records shadow generations. */
  readonly config: ResolvedAiConfig;
  /** Shared by the judge's two feedback events; the id the sampling hashed. */
  readonly pairId: string;
  /** The served configuration's messages: the judge's input unless told. */
  servedMessages: unknown;
  /** Set once `tracker.shadow` ran for it: one shadow call per request. */
  outcome?: Promise<ShadowOutcome>;
}

/** What the runner needs of the served tracker. */
export interface ServedSide {
  readonly flag: string;
  readonly variant: string | undefined;
  readonly unit: string | undefined;
  readonly context: EvaluationContext;
  readonly lastGenerationId: string | undefined;
  /** Sends the served answer's judge feedback. */
  judged(score: number, generationId: string | undefined, pairId: string): void;
}

const DEFAULT_MAX_CONCURRENCY = 4;
const DAY_MS = 86_400_000;
const PER_MILLION = 1_000_000;

/**
 * A client's shadow mode: its limits (concurrency, daily spend), its judge and its counters. Shadow
 * calls start on a later turn of the event loop (`setImmediate`), so the caller's own work, and its
 * served call, never wait for them; their results and errors only reach the events.
 */
export class ShadowRunner {
  private readonly maxConcurrency: number;
  private readonly maxSpendUsdPerDay: number;
  private readonly counters = {
    running: 0,
    started: 0,
    completed: 0,
    failed: 0,
    skippedConcurrency: 0,
    skippedSpend: 0,
    judged: 0,
    judgeFailed: 0,
  };
  private spendDay = -1;
  private spentUsd = 0;
  private readonly closing = new AbortController();

  constructor(
    private readonly settings: ShadowSettings,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    const max = settings.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
    this.maxConcurrency = Number.isFinite(max) && max >= 0 ? Math.floor(max) : DEFAULT_MAX_CONCURRENCY;
    const cap = settings.maxSpendUsdPerDay;
    this.maxSpendUsdPerDay = typeof cap === 'number' && cap >= 0 ? cap : Number.POSITIVE_INFINITY;
  }

  stats(): ShadowStats {
    return { ...this.counters, spentTodayUsd: this.spentToday() };
  }

  /**
   * A host for the shadow variant's tracker: every generation and feedback it sends is marked
   * `shadow: true`, and each generation's cost (by `pricing`) is added to today's spend.
   */
  hostFor(host: TrackerHost, pricingOf: () => AiPricing | undefined): TrackerHost {
    const spend = (inputTokens: number | undefined, outputTokens: number | undefined) => {
      const pricing = pricingOf();
      if (pricing === undefined) return;
      const usd =
        ((inputTokens ?? 0) * pricing.inputPerMillion + (outputTokens ?? 0) * pricing.outputPerMillion) /
        PER_MILLION;
      if (Number.isFinite(usd) && usd > 0) this.addSpend(usd);
    };
    return {
      inFlight: host.inFlight,
      killedFor: (flag, context) => host.killedFor(flag, context),
      snapshotStamp: () => host.snapshotStamp(),
      countDrained: () => host.countDrained(),
      sendGeneration: (generation: GenerationInput) => {
        spend(generation.inputTokens, generation.outputTokens);
        host.sendGeneration({ ...generation, shadow: true });
      },
      recordGeneration: (event: GenerationEvent) => {
        spend(event.inputTokens, event.outputTokens);
        event.shadow = true;
        host.recordGeneration(event);
      },
      sendFeedback: (feedback: FeedbackInput) => host.sendFeedback({ ...feedback, shadow: true }),
    };
  }

  /** Runs a sampled request's shadow call once (see `GenerationTracker.shadow`). */
  run<T>(
    served: ServedSide,
    request: ShadowRequest,
    call: ShadowCall<T>,
    options: ShadowRunOptions,
  ): Promise<ShadowOutcome> {
    if (request.outcome !== undefined) return request.outcome;
    let outcome: Promise<ShadowOutcome>;
    if (this.counters.running >= this.maxConcurrency) {
      this.counters.skippedConcurrency++;
      outcome = Promise.resolve({ status: 'skipped', reason: 'concurrency' });
    } else if (this.spentToday() >= this.maxSpendUsdPerDay) {
      this.counters.skippedSpend++;
      outcome = Promise.resolve({ status: 'skipped', reason: 'spend' });
    } else {
      this.counters.running++;
      this.counters.started++;
      outcome = new Promise<ShadowOutcome>((resolve) => {
        // A later turn of the event loop: whatever the caller does next (its served call, its
        // response) goes first, even when `call` does synchronous work before its first await.
        setImmediate(() => {
          this.execute(served, request, call, options)
            .then(resolve, (error: unknown) => {
              this.logger.warn(`shadow mode failed unexpectedly: ${String(error)}`);
              resolve({ status: 'failed', generationId: '', error });
            })
            .finally(() => {
              this.counters.running--;
            });
        });
      });
    }
    request.outcome = outcome;
    return outcome;
  }

  /** Stops judging on close; shadow calls still running are left to finish unrecorded. */
  close(): void {
    this.closing.abort(new Error('the Switchboard client closed'));
  }

  private async execute<T>(
    served: ServedSide,
    request: ShadowRequest,
    call: ShadowCall<T>,
    options: ShadowRunOptions,
  ): Promise<ShadowOutcome> {
    const { config } = request;
    const tracker = config.tracker;
    let generationId = '';
    let result: unknown;
    try {
      result = await tracker.track((signal, generation) => {
        generationId = generation.id;
        return call(config, signal);
      }, options.track);
      // A stream nobody reads never ends: the shadow's is read here, to its end.
      if (isAsyncIterable(result)) {
        const chunks: unknown[] = [];
        for await (const chunk of result) chunks.push(chunk);
        result = chunks;
      }
    } catch (error) {
      this.counters.failed++;
      return { status: 'failed', generationId, error };
    }
    this.counters.completed++;
    const judge = options.judge === false ? undefined : (options.judge ?? this.settings.judge);
    if (judge === undefined || !('served' in options) || served.variant === undefined) {
      return { status: 'completed', generationId, result };
    }
    const scores = await this.judge(judge, served, request, result, options);
    if (scores === undefined) return { status: 'completed', generationId, result };
    served.judged(scores.servedScore, options.servedGenerationId ?? served.lastGenerationId, request.pairId);
    tracker.host.sendFeedback({
      flag: served.flag,
      variant: config.variant as string,
      ...(served.unit !== undefined && { unit: served.unit }),
      generationId,
      score: scores.shadowScore,
      source: 'judge',
      pairId: request.pairId,
      servedScore: scores.servedScore,
    });
    this.counters.judged++;
    return { status: 'completed', generationId, result, scores };
  }

  private async judge(
    judge: ShadowJudge,
    served: ServedSide,
    request: ShadowRequest,
    shadow: unknown,
    options: ShadowRunOptions,
  ): Promise<JudgeScores | undefined> {
    try {
      const answer = await options.served;
      const scores = await judge({
        flag: served.flag,
        context: served.context,
        input: options.input ?? request.servedMessages,
        servedVariant: served.variant as string,
        shadowVariant: request.config.variant as string,
        served: answer,
        shadow,
        signal: this.closing.signal,
      });
      if (!isScore(scores?.servedScore) || !isScore(scores?.shadowScore)) {
        throw new Error(`the judge gave ${JSON.stringify(scores)}: scores must be numbers in [0, 1]`);
      }
      return { servedScore: scores.servedScore, shadowScore: scores.shadowScore };
    } catch (error) {
      this.counters.judgeFailed++;
      this.logger.warn(`shadow judge of ${served.flag}: ${String(error)}`);
      return undefined;
    }
  }

  private spentToday(): number {
    const day = Math.floor(this.now() / DAY_MS);
    if (day !== this.spendDay) {
      this.spendDay = day;
      this.spentUsd = 0;
    }
    return this.spentUsd;
  }

  private addSpend(usd: number): void {
    this.spentToday();
    this.spentUsd += usd;
  }
}

function isScore(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value <= 1;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}
