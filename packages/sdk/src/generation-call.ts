import type { EvaluationContext, GenerationErrorKind, GenerationEvent } from '@switchboard/core';
import type { ProviderModel } from '@switchboard/llm';
import type { FeedbackInput, GenerationInput } from './event-builders.js';
import { type DrainTrigger, GenerationDrainedError } from './generation-drained-error.js';
import { generationErrorKind } from './generation-error-kind.js';
import type { DrainableCall, InFlightGenerations } from './in-flight-generations.js';
import { ChunkKind, readChunk, readUsage } from './usage-reader.js';

/** What trackers need of the client. */
export interface TrackerHost {
  readonly inFlight: InFlightGenerations;
  /** The kill switch's Retry-After when `flag` is killed for `context` now, else undefined. */
  killedFor(flag: string, context: EvaluationContext): number | undefined;
  /** A number that changes whenever the snapshot does: a flag cannot have been killed while it holds. */
  snapshotStamp(): number;
  sendGeneration(generation: GenerationInput): void;
  /** Sends a generation event built whole (the tracked calls' path: no lookup, no copy). */
  recordGeneration(event: GenerationEvent): void;
  sendFeedback(feedback: FeedbackInput): void;
  /** Counts a generation not sent because a drain aborted it. */
  countDrained(): void;
}

/** What a call needs of the tracker that started it. */
export interface CallOwner {
  readonly flag: string;
  readonly variant: string | undefined;
  readonly unit: string | undefined;
  readonly context: EvaluationContext;
  /** Whether the flag was live when the configuration was resolved: only then does a kill drain the call. */
  readonly enabled: boolean;
  /** The configuration's own provider and model: what serves unless the caller says otherwise. */
  readonly primary: ProviderModel;
  readonly host: TrackerHost;
}

/** Options of one tracked call. */
export interface TrackOptions {
  /** Your id for this generation (a message id) for feedback to name; one is made when missing. */
  generationId?: string;
  /** The provider and model that served, when it is not the configuration's own (a fallback). */
  served?: ProviderModel;
  /** Whether a fallback served; by default, whether `served` differs from the configuration's own. */
  fallbackUsed?: boolean;
  /**
   * A signal of yours (a request's, or `AbortSignal.timeout(ms)`): the signal handed to the call
   * follows it as well as drains, and an abort of yours is classified by its reason (a timeout is a
   * `timeout`, anything else `other`).
   */
  signal?: AbortSignal;
}

const RUNNING = 0;
const DONE = 1;

/**
 * One tracked model call: its abort signal, its generation id, and what it measured so far. `track()`
 * drives it for you; {@link GenerationTracker.begin} hands it out for calls that `track()` cannot wrap.
 *
 * @example
 * const call = config.tracker.begin();
 * try {
 *   for await (const chunk of myStream(call.signal)) { call.chunk(chunk); send(chunk); }
 *   call.end();
 * } catch (error) { call.fail(error); throw error; }
 */
export class GenerationCall implements DrainableCall {
  /** The generation id sent with its event; name it in feedback. */
  readonly id: string;
  /** Aborted when the flag is killed (after the drain timeout) or drained, or when your signal aborts. */
  readonly signal: AbortSignal;
  /** @internal */
  inputTokens: number | undefined = undefined;
  /** @internal */
  outputTokens: number | undefined = undefined;
  /** @internal */
  draining = false;
  private readonly controller: AbortController;
  private readonly startedAt: number;
  private firstTokenAt = -1;
  private served: ProviderModel | undefined;
  private streamError: unknown;
  private drained = false;
  private state = RUNNING;

  constructor(
    private readonly owner: CallOwner,
    private readonly options: TrackOptions | undefined,
  ) {
    this.id = options?.generationId ?? crypto.randomUUID();
    this.served = options?.served;
    this.controller = new AbortController();
    const theirs = options?.signal;
    this.signal =
      theirs === undefined ? this.controller.signal : AbortSignal.any([this.controller.signal, theirs]);
    owner.host.inFlight.add(this);
    this.startedAt = performance.now();
  }

  get flag(): string {
    return this.owner.flag;
  }

  get variant(): string | undefined {
    return this.owner.variant;
  }

  /** @internal Whether a kill of its flag for its context drains it. */
  killedFor(): number | undefined {
    return this.owner.enabled ? this.owner.host.killedFor(this.flag, this.owner.context) : undefined;
  }

  /** Says which provider and model served (a fallback of yours), when it is not the configuration's own. */
  servedBy(target: ProviderModel): void {
    this.served = target;
  }

  /** Notes a streamed chunk: the first one with output is the first token; usage is read from any. */
  chunk(value: unknown): void {
    const kind = readChunk(value, this);
    if (kind === ChunkKind.Output) {
      if (this.firstTokenAt < 0) this.firstTokenAt = performance.now();
    } else if (kind === ChunkKind.Error) {
      this.streamError = (value as { error?: unknown }).error ?? value;
    }
  }

  /**
   * Ends the call and sends its generation. Give the answer (a whole response) to read its token
   * counts; a stream ends without one, its counts read from its chunks. A stream that ended because a
   * drain aborted it is not sent; a whole answer is, since it was served.
   */
  end(result?: unknown): void {
    if (this.state !== RUNNING) return;
    const endedAt = this.finish();
    if (result !== undefined) {
      readUsage(result, this);
      this.send(endedAt, undefined);
    } else if (this.signal.aborted) {
      this.aborted(endedAt, undefined);
    } else {
      this.send(endedAt, this.streamError === undefined ? undefined : generationErrorKind(this.streamError));
    }
  }

  /** Ends the call as failed with `error` (classified by kind), unless a drain aborted it. */
  fail(error: unknown): void {
    if (this.state !== RUNNING) return;
    const endedAt = this.finish();
    if (this.signal.aborted) this.aborted(endedAt, error);
    else this.send(endedAt, generationErrorKind(error));
  }

  /** @internal Aborts the call's signal for a drain. */
  drain(trigger: DrainTrigger): void {
    if (this.state !== RUNNING || this.controller.signal.aborted) return;
    this.drained = true;
    const retryAfter = trigger === 'killed' ? this.killedFor() : undefined;
    this.controller.abort(new GenerationDrainedError(this.flag, trigger, retryAfter));
  }

  private finish(): number {
    this.state = DONE;
    this.owner.host.inFlight.delete(this);
    return performance.now();
  }

  private aborted(endedAt: number, error: unknown): void {
    if (this.drained) {
      this.owner.host.countDrained();
      return;
    }
    // Your own signal aborted: its reason says whether it was a timeout.
    const reason: unknown = this.options?.signal?.aborted ? this.options.signal.reason : error;
    this.send(endedAt, generationErrorKind(reason));
  }

  private send(endedAt: number, error: GenerationErrorKind | undefined): void {
    const owner = this.owner;
    // Nothing was assigned (the flag is unknown, the caller's default served): nothing to attribute.
    if (owner.variant === undefined) return;
    const primary = owner.primary;
    const served = this.served ?? primary;
    const event: GenerationEvent = {
      kind: 'generation',
      flag: owner.flag,
      variant: owner.variant,
      generationId: this.id,
      provider: served.provider,
      model: served.model,
      fallbackUsed:
        this.options?.fallbackUsed ??
        (served.provider !== primary.provider || served.model !== primary.model),
      latencyMs: endedAt - this.startedAt,
      ts: new Date().toISOString(),
    };
    if (owner.unit !== undefined) event.unit = owner.unit;
    if (this.firstTokenAt >= 0) event.ttftMs = this.firstTokenAt - this.startedAt;
    if (this.inputTokens !== undefined) event.inputTokens = this.inputTokens;
    if (this.outputTokens !== undefined) event.outputTokens = this.outputTokens;
    if (error !== undefined) event.error = error;
    owner.host.recordGeneration(event);
  }

  /** @internal Aborts at once: the flag was killed before the call started. */
  killedAtStart(retryAfterSeconds: number): void {
    this.drained = true;
    this.draining = true;
    this.controller.abort(new GenerationDrainedError(this.flag, 'killed', retryAfterSeconds));
  }
}
