import type { EvaluationContext, GenerationEvent } from '@switchboard/core';
import type { ProviderModel } from '@switchboard/llm';
import { type CallOwner, GenerationCall, type TrackerHost, type TrackOptions } from './generation-call.js';
import type { ResolvedAiConfig } from './resolved-ai-config.js';
import type {
  ServedSide,
  ShadowCall,
  ShadowOutcome,
  ShadowRequest,
  ShadowRunOptions,
} from './shadow-runner.js';
import { observeStream } from './stream-observer.js';

/** A generation reported by hand; the provider and model default to the configuration's own. */
export type TrackedGenerationFields = Partial<
  Pick<
    GenerationEvent,
    | 'provider'
    | 'model'
    | 'generationId'
    | 'fallbackUsed'
    | 'ttftMs'
    | 'inputTokens'
    | 'outputTokens'
    | 'costUsd'
    | 'error'
  >
> &
  Pick<GenerationEvent, 'latencyMs'>;

/** A judgement of a generation (the tracker's last one unless named) or of the unit's experience. */
export type TrackerFeedback = {
  generationId?: string;
  /** Set when an automated judge scored it rather than a person. */
  source?: 'user' | 'judge';
} & ({ thumbs: 'up' | 'down'; score?: undefined } | { score: number; thumbs?: undefined });

/** What a tracker is bound to. */
export interface TrackerBinding {
  flag: string;
  /** The assigned variant; undefined when none was (the caller's default served): then nothing is sent. */
  variant: string | undefined;
  unit: string | undefined;
  context: EvaluationContext;
  primary: ProviderModel;
  /** Whether the flag was live (not killed) when the configuration was resolved. */
  enabled: boolean;
  /** Set when the request is in the flag's shadow sample. */
  shadow?: ShadowRequest | undefined;
}

const NOT_SAMPLED: Promise<ShadowOutcome> = Promise.resolve({ status: 'not-sampled' });

/**
 * Measures the model calls made with one resolved AI configuration and sends them as `generation`
 * events attributed to its flag, assigned variant and unit (see `client.aiConfig`).
 */
export class GenerationTracker implements CallOwner, ServedSide {
  readonly flag: string;
  readonly variant: string | undefined;
  readonly unit: string | undefined;
  readonly context: EvaluationContext;
  readonly primary: ProviderModel;
  /** Whether the flag was live (not killed) when the configuration was resolved: a kill drains its calls. */
  readonly enabled: boolean;
  /** The id of the generation this tracker started last: what `feedback()` names by default. */
  lastGenerationId: string | undefined;
  private readonly stamp: number;
  private readonly shadowRequest: ShadowRequest | undefined;

  /** @internal Made by `client.aiConfig`. */
  constructor(
    readonly host: TrackerHost,
    binding: TrackerBinding,
  ) {
    this.flag = binding.flag;
    this.variant = binding.variant;
    this.unit = binding.unit;
    this.context = binding.context;
    this.primary = binding.primary;
    this.enabled = binding.enabled;
    this.stamp = host.snapshotStamp();
    // Nothing to compare against when no variant was assigned or the flag is off.
    this.shadowRequest = binding.variant !== undefined && binding.enabled ? binding.shadow : undefined;
  }

  /** The shadow variant's configuration when this request is in the flag's shadow sample, else null. */
  get shadowConfig(): ResolvedAiConfig | null {
    return this.shadowRequest?.config ?? null;
  }

  /**
   * Runs the shadow call of this request when it is in the flag's shadow sample (`config.shadow` is
   * not null); otherwise does nothing. `call` gets the shadow variant's configuration (same variables)
   * and a signal, and is started on a later turn of the event loop: it never delays you or your
   * served call, and its result and errors never reach you. It is measured as a generation with
   * `shadow: true` under the shadow variant. Skipped, and counted, when the client's shadow
   * concurrency or daily spend is at its limit. One shadow call per request: calling again returns
   * the first outcome.
   *
   * With a judge (the client's `shadow.judge`, or `options.judge`) and the served answer
   * (`options.served`, a value or a promise), both answers are scored and sent as judge feedback
   * sharing a pair id.
   *
   * The promise resolves with what happened once it is over and never rejects: there is no need to
   * await it.
   *
   * @example
   * const completion = await config.tracker.track((signal) => openai.chat.completions.create(toOpenAiChatParams(config), { signal }));
   * void config.tracker.shadow((shadow, signal) => openai.chat.completions.create(toOpenAiChatParams(shadow), { signal }), { served: completion });
   */
  shadow<T>(call: ShadowCall<T>, options: ShadowRunOptions = {}): Promise<ShadowOutcome> {
    const request = this.shadowRequest;
    if (request === undefined) return NOT_SAMPLED;
    return request.runner.run(this, request, call, options);
  }

  /** @internal Sends the served answer's judge feedback (see {@link shadow}). */
  judged(score: number, generationId: string | undefined, pairId: string): void {
    if (this.variant === undefined) return;
    this.host.sendFeedback({
      flag: this.flag,
      variant: this.variant,
      ...(this.unit !== undefined && { unit: this.unit }),
      ...(generationId !== undefined && { generationId }),
      score,
      source: 'judge',
      pairId,
    });
  }

  /**
   * Runs a model call and measures it: latency; for a stream (an OpenAI or Anthropic client stream, an
   * AI SDK `streamText` result, any async iterable) time to first token and latency at its end, read
   * while you consume it; token counts from the answer; the error kind of a failure. Sends one
   * `generation` event. The call's result (the same object) and its error pass through untouched.
   *
   * The call gets an `AbortSignal`: pass it on to the client, so that a kill switch can drain the call.
   *
   * @example
   * const completion = await config.tracker.track((signal) =>
   *   openai.chat.completions.create(toOpenAiChatParams(config), { signal }),
   * );
   */
  track<T>(
    call: (signal: AbortSignal, generation: GenerationCall) => T,
    options?: TrackOptions,
  ): Promise<Awaited<T>> {
    const generation = this.begin(options);
    let pending: T;
    try {
      pending = call(generation.signal, generation);
    } catch (error) {
      generation.fail(error);
      return Promise.reject(error);
    }
    return Promise.resolve(pending).then(
      (result) => {
        if (!observeStream(result, generation)) generation.end(result ?? null);
        return result;
      },
      (error: unknown) => {
        generation.fail(error);
        throw error;
      },
    );
  }

  /**
   * Starts a call by hand, for what `track()` cannot wrap: report its chunks with `chunk()`, then
   * `end()` or `fail()` it. A call started after the flag was killed gets an aborted signal.
   */
  begin(options?: TrackOptions): GenerationCall {
    const generation = new GenerationCall(this, options);
    this.lastGenerationId = generation.id;
    if (this.enabled && this.host.snapshotStamp() !== this.stamp) {
      // The configuration was resolved before a change that may have killed the flag.
      const retryAfter = this.host.killedFor(this.flag, this.context);
      if (retryAfter !== undefined) generation.killedAtStart(retryAfter);
    }
    return generation;
  }

  /**
   * Reports a generation measured elsewhere (a `FallbackRouter`'s `generationFields(record, usage)`,
   * a gateway's metrics); returns its generation id.
   */
  trackGeneration(fields: TrackedGenerationFields): string {
    const generationId = fields.generationId ?? crypto.randomUUID();
    this.lastGenerationId = generationId;
    if (this.variant === undefined) return generationId;
    const provider = fields.provider ?? this.primary.provider;
    const model = fields.model ?? this.primary.model;
    this.host.sendGeneration({
      ...fields,
      flag: this.flag,
      variant: this.variant,
      ...(this.unit !== undefined && { unit: this.unit }),
      generationId,
      provider,
      model,
      fallbackUsed:
        fields.fallbackUsed ?? (provider !== this.primary.provider || model !== this.primary.model),
    });
    return generationId;
  }

  /**
   * Records thumbs or a score in [0, 1] for a generation: the one named, else the tracker's last.
   *
   * @example
   * config.tracker.feedback({ thumbs: 'up' });
   * config.tracker.feedback({ score: 0.8, generationId, source: 'judge' });
   */
  feedback(feedback: TrackerFeedback): void {
    if (this.variant === undefined) return;
    const generationId = feedback.generationId ?? this.lastGenerationId;
    this.host.sendFeedback({
      flag: this.flag,
      variant: this.variant,
      ...(this.unit !== undefined && { unit: this.unit }),
      ...(generationId !== undefined && { generationId }),
      ...(feedback.thumbs !== undefined ? { thumbs: feedback.thumbs } : { score: feedback.score }),
      ...(feedback.source !== undefined && { source: feedback.source }),
    });
  }
}
