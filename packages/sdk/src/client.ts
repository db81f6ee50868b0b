import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import {
  type CompiledSnapshot,
  compileSnapshot,
  DEFAULT_RETRY_AFTER_SECONDS,
  type EvaluationContext,
  evaluate,
  inShadowSample,
  type JsonValue,
  Reason,
  type Snapshot,
  type SwitchboardEvent,
  shadowOf,
} from '@switchboard/core';
import type { EventSourceMessage } from 'eventsource-parser';
import { CorruptCacheError, readCacheFile, writeCacheFile } from './cache-file.js';
import { EvaluationDetails } from './evaluation-details.js';
import {
  type Attribution,
  attribute,
  eventProblem,
  type FeedbackInput,
  type GenerationInput,
  unitIdOf,
  unitOf,
  withoutAttribution,
} from './event-builders.js';
import { EventQueue, type EventQueueStats } from './event-queue.js';
import type { TrackerHost } from './generation-call.js';
import { GenerationTracker, type TrackerBinding } from './generation-tracker.js';
import { type DrainableCall, type DrainResult, InFlightGenerations } from './in-flight-generations.js';
import { type Logger, SILENT_LOGGER } from './logger.js';
import { LruSet } from './lru-set.js';
import { nodeStreamTransport } from './node-stream-transport.js';
import { type AiConfigOptions, type ResolvedAiConfig, resolveAiConfig } from './resolved-ai-config.js';
import { type ShadowRequest, ShadowRunner, type ShadowSettings, type ShadowStats } from './shadow-runner.js';
import { StreamConnection, type StreamRefusedError } from './stream-connection.js';
import {
  applyStreamEvent,
  MalformedEventError,
  parseStreamEvent,
  unusableSnapshotProblem,
} from './stream-events.js';
import { fetchTransport } from './stream-transport.js';

/** How to create a client; see {@link createClient}. */
export interface ClientOptions {
  /** The server's base URL, or several (replicas): the stream moves to the next when one goes away. */
  url: string | readonly string[];
  /** A server key: it names the environment. */
  sdkKey: string;
  /** A snapshot (or the path of a JSON file holding one) to serve until the server answers. */
  bootstrap?: Snapshot | string;
  /** Where to keep the last snapshot received, so a restart without the server still serves it. */
  cacheFile?: string;
  /** Called with the keys of the flags that changed, after every applied change. */
  onChange?: (flagKeys: string[]) => void;
  logger?: Logger;
  /** Hold the SSE stream for live updates (default true); without it, the snapshot is fetched once. */
  stream?: boolean;
  /** Batching of exposure and other events. */
  events?: Partial<{
    flushIntervalMs: number;
    batchSize: number;
    maxBuffer: number;
    exposureCacheSize: number;
  }>;
  /** For tests and special transports. */
  fetch?: typeof fetch;
  /** A stream silent this long is dropped and reconnected (default 45 s: three missed heartbeats). */
  streamSilenceMs?: number;
  /**
   * With several URLs, the first is home: a stream that had to move on checks about this often whether
   * home answers `/readyz` again, and goes back (default 30 s, each wait drawn from half to 1.5× it).
   */
  streamHomeProbeMs?: number;
  /**
   * How long tracked generations of a flag may run on after the flag is killed before their signals
   * abort (default 0: at once). A kill is pulled because a variant does harm (wrong answers, runaway
   * cost, an incident), so by default nothing more of it streams to users; give calls a grace period
   * when finishing a sentence matters more than stopping at once.
   */
  drainTimeoutMs?: number;
  /**
   * Shadow mode: how many shadow calls may run at once, a daily spend cap, and a judge (see
   * `tracker.shadow` and {@link ShadowSettings}).
   */
  shadow?: ShadowSettings;
}

/** Options of {@link SwitchboardClient.drain}. */
export interface DrainOptions {
  /** How long in-flight calls may run on before they are aborted (default: the client's `drainTimeoutMs`). */
  timeoutMs?: number;
  /** Only the calls of units assigned this variant (a rollback drains the candidate, not the control). */
  variant?: string;
}

/** What `client.drain` and the client's `drain` event report. */
export interface DrainReport extends DrainResult {
  flag: string;
  trigger: 'killed' | 'requested';
}

/** Where the client's current snapshot came from. */
export type SnapshotSource = 'server' | 'cache' | 'bootstrap' | 'none';

/** What `ready()` reports. */
export interface ReadyState {
  source: SnapshotSource;
  /** The environment version of the snapshot in use, when there is one. */
  version: number | undefined;
  /** Why the server's snapshot is not (yet) in use. */
  error?: string;
}

/** What a caller returns when a feature is killed. */
export interface KillSwitchResponse {
  error: 'Feature temporarily disabled';
  retryAfterSeconds: number;
}

const SNAPSHOT_PATH = '/api/v1/sdk/snapshot';
/** `events=drain`: this SDK acts on `drain` events (servers send them only to streams that ask). */
const STREAM_PATH = '/api/v1/sdk/stream?events=drain';
const EVENTS_PATH = '/api/v1/events';
const READY_PATH = '/readyz';
/** A replica that does not say it is ready within this long is not ready. */
const PROBE_TIMEOUT_MS = 3_000;
const SNAPSHOT_TIMEOUT_MS = 10_000;
const CACHE_WRITE_DELAY_MS = 250;

/**
 * The server-side SDK: evaluates flags locally from a snapshot streamed by the server, keeps serving
 * the last snapshot when the server is away, and never throws into the application.
 */
export class SwitchboardClient extends EventEmitter {
  private snapshot: Snapshot = { flags: [], segments: [] };
  private compiled: CompiledSnapshot = compileSnapshot(this.snapshot);
  private version: number | undefined;
  private source: SnapshotSource = 'none';
  private lastError: string | undefined;
  private readonly urls: readonly string[];
  /** The replica that took the last event batch: the next one goes there first. */
  private eventsUrl = 0;
  private readonly logger: Logger;
  private readonly fetchImpl: typeof fetch;
  private readonly stream: StreamConnection | undefined;
  private readonly events: EventQueue;
  private readonly exposures: LruSet;
  /** Bootstrap and cache file loaded (or found missing). */
  private readonly localLoaded: Promise<void>;
  private resolveServer!: () => void;
  private readonly serverLoaded = new Promise<void>((resolve) => {
    this.resolveServer = resolve;
  });
  private cacheTimer: ReturnType<typeof setTimeout> | undefined;
  private cacheWrite: Promise<void> = Promise.resolve();
  private closed = false;
  private invalidEvents = 0;
  private drainedGenerations = 0;
  /** Changes with every snapshot put in use: a tracker resolved under the same stamp saw no kill since. */
  private stamp = 0;
  private readonly inFlightCalls = new InFlightGenerations();
  private readonly drainTimeoutMs: number;
  private readonly shadows: ShadowRunner;
  private readonly trackerHost: TrackerHost = {
    inFlight: this.inFlightCalls,
    killedFor: (flag, context) => this.killSwitch(flag, context)?.retryAfterSeconds,
    snapshotStamp: () => this.stamp,
    sendGeneration: (generation) => this.trackGeneration(generation),
    recordGeneration: (event) => {
      const problem = eventProblem(event);
      if (problem === undefined) this.events.push(event);
      else this.invalid(`generation: ${problem}`);
    },
    sendFeedback: (feedback) => this.trackFeedback(feedback),
    countDrained: () => {
      this.drainedGenerations++;
    },
  };

  constructor(private readonly options: ClientOptions) {
    super();
    this.urls = (typeof options.url === 'string' ? [options.url] : options.url).map((u) =>
      u.replace(/\/+$/, ''),
    );
    this.logger = options.logger ?? SILENT_LOGGER;
    this.fetchImpl = options.fetch ?? fetch;
    this.drainTimeoutMs = Math.max(0, options.drainTimeoutMs ?? 0);
    this.shadows = new ShadowRunner(options.shadow ?? {}, this.logger);
    this.exposures = new LruSet(options.events?.exposureCacheSize ?? 10_000);
    this.events = new EventQueue({
      send: (events, key) => this.postEvents(events, key),
      batchSize: options.events?.batchSize ?? 500,
      maxBuffer: options.events?.maxBuffer ?? 10_000,
      flushIntervalMs: options.events?.flushIntervalMs ?? 5_000,
      maxAttempts: 3,
      logger: this.logger,
    });
    this.events.start();
    this.on('error', () => {
      // 'error' events are reports; without a listener EventEmitter would throw them into the app.
    });
    if (options.stream !== false) {
      this.stream = new StreamConnection(
        {
          urls: this.urls,
          path: STREAM_PATH,
          sdkKey: options.sdkKey,
          // A given fetch (tests, proxies) carries the stream too; otherwise node:http, cheaper per event.
          transport: options.fetch === undefined ? nodeStreamTransport : fetchTransport(options.fetch),
          logger: this.logger,
          ...(options.streamSilenceMs === undefined ? {} : { silentStreamMs: options.streamSilenceMs }),
          ...(options.streamHomeProbeMs === undefined ? {} : { homeProbeMs: options.streamHomeProbeMs }),
          probe: (base) => this.replicaReady(base),
        },
        {
          onEvent: (event) => this.onStreamEvent(event),
          onOpen: () => this.emit('stream', { connected: true }),
          onDrop: (reason, retryInMs) => {
            this.logger.warn(`stream dropped (${reason}); reconnecting in ${retryInMs} ms`);
            this.emit('stream', { connected: false, reason, retryInMs });
          },
          onMoveHome: (from, home) => {
            this.logger.info(`${home} is ready again: the stream moves back to it from ${from}`);
            // Event batches follow: home took none while it was away, and is the one to fill again.
            this.eventsUrl = 0;
            this.emit('stream', {
              connected: false,
              reason: `moving back to ${home}`,
              retryInMs: 0,
              movingHome: true,
            });
          },
          onRefused: (error) => this.refused(error),
          lastVersion: () => (this.source === 'server' ? this.version : undefined),
        },
      );
    }
    this.localLoaded = this.loadLocal();
    void this.start();
  }

  /**
   * Resolves once a snapshot from the server is in use, or after `timeoutMs` with whatever the client
   * fell back to (cache file, bootstrap, or nothing). Never rejects.
   */
  async ready(options: { timeoutMs?: number } = {}): Promise<ReadyState> {
    const timeout = options.timeoutMs ?? 5_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.serverLoaded,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeout);
      }),
    ]);
    clearTimeout(timer);
    // Local files are quick to read and decide what the fallback is; the server is never waited past the timeout.
    await this.localLoaded;
    return this.state();
  }

  /** Where the current snapshot came from and its version. */
  state(): ReadyState {
    return {
      source: this.source,
      version: this.version,
      ...(this.source !== 'server' && this.lastError !== undefined ? { error: this.lastError } : {}),
    };
  }

  /**
   * Evaluates a flag locally, in microseconds, with no network. Never throws.
   *
   * @example
   * const model = client.evaluate('llm-model', { targetingKey: userId, tier }).getValue() ?? 'gpt-4o';
   */
  evaluate<T = JsonValue | undefined>(
    flagKey: string,
    context: EvaluationContext = {},
    defaultValue?: T,
  ): EvaluationDetails<T> {
    return this.evaluateFlag(flagKey, context, defaultValue, true);
  }

  private evaluateFlag<T>(
    flagKey: string,
    context: EvaluationContext,
    defaultValue: T | undefined,
    expose: boolean,
  ): EvaluationDetails<T> {
    try {
      const result = evaluate<T>(this.compiled, flagKey, context, defaultValue);
      const details = new EvaluationDetails<T>(flagKey, result);
      if (expose && result.reason === Reason.Split && result.variant !== undefined) {
        this.recordExposure(flagKey, result.variant, result.ruleId, context);
      }
      return details;
    } catch (error) {
      return new EvaluationDetails<T>(flagKey, {
        value: defaultValue as T,
        reason: Reason.Error,
        errorCode: 'GENERAL',
        errorMessage: String(error),
      });
    }
  }

  getBooleanValue(flagKey: string, context: EvaluationContext, defaultValue: boolean): boolean {
    return this.typed(flagKey, context, defaultValue, (v): v is boolean => typeof v === 'boolean');
  }

  getStringValue(flagKey: string, context: EvaluationContext, defaultValue: string): string {
    return this.typed(flagKey, context, defaultValue, (v): v is string => typeof v === 'string');
  }

  getNumberValue(flagKey: string, context: EvaluationContext, defaultValue: number): number {
    return this.typed(flagKey, context, defaultValue, (v): v is number => typeof v === 'number');
  }

  getJsonValue<T extends JsonValue>(flagKey: string, context: EvaluationContext, defaultValue: T): T {
    return this.typed(flagKey, context, defaultValue, (v): v is T => v !== undefined);
  }

  /** Every flag's value for this context (records no exposures: listing is not serving). */
  allFlags(context: EvaluationContext = {}): Record<string, JsonValue | undefined> {
    const values: Record<string, JsonValue | undefined> = {};
    for (const key of this.compiled.flagKeys())
      values[key] = this.evaluateFlag(key, context, undefined, false).value;
    return values;
  }

  /**
   * The kill switch: null when the feature may run, or the response to return when it is off (the
   * flag disabled in this environment, or a boolean flag serving false). An unknown flag is not a kill.
   *
   * @example
   * const killed = client.killSwitch('ai-agent', { targetingKey: userId });
   * if (killed) return res.status(503).set('Retry-After', String(killed.retryAfterSeconds)).json(killed);
   */
  killSwitch(flagKey: string, context: EvaluationContext = {}): KillSwitchResponse | null {
    try {
      const result = evaluate(this.compiled, flagKey, context);
      const off = result.reason === Reason.Disabled || result.value === false;
      if (!off) return null;
      const retryAfterSeconds =
        this.compiled.flags.get(flagKey)?.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS;
      return { error: 'Feature temporarily disabled', retryAfterSeconds };
    } catch {
      return null;
    }
  }

  /**
   * Counters of events: queued, sent, dropped (buffer full), failed (gave up), invalid (never queued),
   * and drained: tracked generations not sent because a drain aborted them.
   */
  eventStats(): EventQueueStats & { invalid: number; drained: number } {
    return { ...this.events.stats(), invalid: this.invalidEvents, drained: this.drainedGenerations };
  }

  /**
   * Resolves a flag's AI configuration for a unit: provider, model, messages with their `{{variables}}`
   * filled, params, tools, fallbacks, the assigned variant, and a `tracker` that measures the calls made
   * with it. Records an exposure as `evaluate` does. Never throws: a missing variable is listed in
   * `errors`, and without a usable configuration your `defaultConfig` is used.
   *
   * @example
   * const config = client.aiConfig('support-bot', { targetingKey: userId, plan }, { variables: { product: 'Acme', question } });
   * if (!config.enabled) return res.status(503).json(client.killSwitch('support-bot'));
   * const completion = await config.tracker.track((signal) =>
   *   openai.chat.completions.create(toOpenAiChatParams(config), { signal }),
   * );
   */
  aiConfig(
    flagKey: string,
    context: EvaluationContext = {},
    options: AiConfigOptions = {},
  ): ResolvedAiConfig {
    const details = this.evaluate(flagKey, context);
    // The unit a split bucketed (as its exposure names it); otherwise targetingKey or userId.
    const unit =
      details.reason === Reason.Split ? this.unitOf(flagKey, details.ruleId, context) : unitOf(context);
    const makeTracker = (binding: Omit<TrackerBinding, 'context' | 'unit'>) =>
      new GenerationTracker(this.trackerHost, { ...binding, context, unit });
    try {
      const shadow = this.sampleShadow(details, context, unit, options);
      const config = resolveAiConfig(
        details,
        options,
        (binding) => new GenerationTracker(this.trackerHost, { ...binding, context, unit, shadow }),
      );
      if (shadow !== undefined) shadow.servedMessages = config.messages;
      return config;
    } catch (error) {
      this.logger.warn(`the AI configuration of ${flagKey} is malformed: ${String(error)}`);
      const failed = new EvaluationDetails<JsonValue | undefined>(flagKey, {
        value: undefined,
        reason: Reason.Error,
        errorCode: 'PARSE_ERROR',
        errorMessage: String(error),
      });
      try {
        return resolveAiConfig(failed, options, makeTracker);
      } catch {
        // The default is malformed too: nothing to serve.
        return resolveAiConfig(failed, {}, makeTracker);
      }
    }
  }

  /**
   * The shadow variant's configuration for this request when the flag has a shadow in this
   * environment, the unit was assigned another variant, and the request is in the sample: a fresh
   * pair id hashed with murmur3 (`inShadowSample`), so requests are sampled independently of units,
   * at the flag's rate. Undefined otherwise, and when the shadow's messages miss a variable.
   */
  private sampleShadow(
    details: EvaluationDetails,
    context: EvaluationContext,
    unit: string | undefined,
    options: AiConfigOptions,
  ): ShadowRequest | undefined {
    const served = details.variant;
    if (served === undefined || details.reason === Reason.Disabled || details.reason === Reason.Error)
      return undefined;
    const shadow = shadowOf(this.compiled, details.flagKey);
    if (shadow === undefined || shadow.variant === served) return undefined;
    const pairId = crypto.randomUUID();
    if (!inShadowSample(shadow.sampleRate, pairId)) return undefined;
    let config: ResolvedAiConfig | undefined;
    const host = this.shadows.hostFor(this.trackerHost, () => config?.pricing);
    config = resolveAiConfig(
      new EvaluationDetails(details.flagKey, {
        value: shadow.value,
        variant: shadow.variant,
        reason: details.reason,
      }),
      { variables: options.variables },
      (binding) => new GenerationTracker(host, { ...binding, context, unit }),
    );
    if (config.source !== 'variant' || config.errors.length > 0) {
      this.logger.debug(
        `${details.flagKey}: the shadow variant ${shadow.variant} cannot run for this request`,
      );
      return undefined;
    }
    return { runner: this.shadows, config, pairId, servedMessages: undefined };
  }

  /** Counters of shadow mode: calls running, started, completed, failed, skipped at a limit, judged, and today's spend. */
  shadowStats(): ShadowStats {
    return this.shadows.stats();
  }

  /**
   * Drains a flag's tracked generations: those in flight may run on for `timeoutMs` (default the
   * client's `drainTimeoutMs`), then their signals abort. Resolves with how many finished and how many
   * were aborted. Aborted calls are not sent as generations (see `eventStats().drained`).
   *
   * @example
   * await client.drain('support-bot', { timeoutMs: 5_000, variant: 'candidate' });
   */
  drain(flagKey: string, options: DrainOptions = {}): Promise<DrainReport> {
    const { variant } = options;
    const calls = this.inFlightCalls.callsOf(flagKey, (c) => variant === undefined || c.variant === variant);
    return this.drainCalls(flagKey, calls, options.timeoutMs ?? this.drainTimeoutMs, 'requested');
  }

  /** How many tracked generations are in flight under `flagKey`, or under every flag. */
  inFlight(flagKey?: string): number {
    return this.inFlightCalls.count(flagKey);
  }

  private drainCalls(
    flag: string,
    calls: readonly DrainableCall[],
    timeoutMs: number,
    trigger: DrainReport['trigger'],
  ): Promise<DrainReport> {
    return this.inFlightCalls.drain(calls, Math.max(0, timeoutMs), trigger).then((result) => {
      const report = { flag, trigger, ...result };
      if (calls.length > 0) {
        this.logger.info(`drained ${flag}: ${result.aborted} aborted, ${result.finished} finished`);
        this.emit('drain', report);
      }
      return report;
    });
  }

  /** Drains the in-flight generations of flags a change killed. */
  private drainKilled(flagKeys: readonly string[]): void {
    for (const flag of flagKeys) {
      if (this.inFlightCalls.count(flag) === 0) continue;
      const calls = this.inFlightCalls.callsOf(flag, (c) => c.killedFor() !== undefined);
      if (calls.length > 0) void this.drainCalls(flag, calls, this.drainTimeoutMs, 'killed');
    }
  }

  /**
   * Records a custom metric (a conversion, a task's success, a handling time…), attributed to the
   * variant of `flag` that the unit was assigned when `attribution` is given. Never throws; an event
   * that cannot be sent is reported and counted as `invalid`.
   *
   * @example
   * client.track('ticket-resolved', 1, { flag: 'support-model', context: { targetingKey: userId } });
   */
  track(name: string, value = 1, attribution?: Attribution): void {
    this.safely(() => {
      if (attribution === undefined) return this.send({ kind: 'metric', name, value });
      const assigned = attribute(attribution, this.assignedVariant);
      if (typeof assigned === 'string') return this.invalid(`metric ${name}: ${assigned}`);
      this.send({ kind: 'metric', name, value, ...assigned });
    });
  }

  /**
   * Records one model call made under a flag's variant: served provider and model, latency, tokens,
   * cost (computed by the server from its price table when omitted), error kind. An AI config's tracker
   * calls this for you.
   *
   * @example
   * client.trackGeneration({ flag: 'llm-model', context, provider: 'openai', model: 'gpt-4o', latencyMs: 840, inputTokens: 1200, outputTokens: 300 });
   */
  trackGeneration(generation: GenerationInput): void {
    this.safely(() => {
      const assigned = attribute(generation, this.assignedVariant);
      if (typeof assigned === 'string') return this.invalid(`generation: ${assigned}`);
      this.send({ ...withoutAttribution(generation), kind: 'generation', ...assigned });
    });
  }

  /**
   * Records a judgement: thumbs up/down or a score in [0, 1], of a unit's experience or of one
   * generation (by the `generationId` given to {@link trackGeneration}).
   *
   * @example
   * client.trackFeedback({ flag: 'llm-model', context, generationId, thumbs: 'up' });
   */
  trackFeedback(feedback: FeedbackInput): void {
    this.safely(() => {
      const assigned = attribute(feedback, this.assignedVariant);
      if (typeof assigned === 'string') return this.invalid(`feedback: ${assigned}`);
      this.send({ ...withoutAttribution(feedback), kind: 'feedback', ...assigned });
    });
  }

  /** Queues an event as given (for SDK extensions); prefer the typed `track*` methods. */
  enqueue(event: Record<string, unknown>): void {
    this.events.push({ ...event, ts: event.ts ?? new Date().toISOString() });
  }

  /** The variant of `flag` the context is assigned, without recording an exposure. */
  private readonly assignedVariant = (flag: string, context: EvaluationContext): string | undefined =>
    this.evaluateFlag(flag, context, undefined, false).variant;

  private send(event: SwitchboardEvent): void {
    const problem = eventProblem(event);
    if (problem !== undefined) this.invalid(`${event.kind}: ${problem}`);
    else this.enqueue(event as unknown as Record<string, unknown>);
  }

  private invalid(message: string): void {
    this.invalidEvents++;
    this.logger.warn(`event not sent: ${message}`);
  }

  /** Tracking never throws into the application, whatever it is given. */
  private safely(track: () => void): void {
    try {
      track();
    } catch (error) {
      this.invalid(String(error));
    }
  }

  /** Stops the stream, flushes the events left and the cache file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stream?.close();
    this.inFlightCalls.close();
    this.shadows.close();
    await this.events.close();
    if (this.cacheTimer !== undefined) {
      clearTimeout(this.cacheTimer);
      this.persist();
    }
    await this.cacheWrite;
  }

  private typed<T>(
    flagKey: string,
    context: EvaluationContext,
    defaultValue: T,
    is: (v: unknown) => v is T,
  ): T {
    const value = this.evaluate<T>(flagKey, context, defaultValue).value;
    return is(value) ? value : defaultValue;
  }

  private async start(): Promise<void> {
    await this.localLoaded;
    await this.fetchSnapshot();
    if (!this.closed) this.stream?.start();
  }

  private async loadLocal(): Promise<void> {
    const { bootstrap, cacheFile } = this.options;
    if (bootstrap !== undefined) {
      try {
        const snapshot =
          typeof bootstrap === 'string'
            ? (JSON.parse(await readFile(bootstrap, 'utf8')) as Snapshot)
            : bootstrap;
        const inner = (snapshot as { snapshot?: Snapshot }).snapshot ?? snapshot;
        this.replace(inner, undefined, 'bootstrap');
      } catch (error) {
        this.report(`the bootstrap could not be read: ${(error as Error).message}`);
      }
    }
    if (cacheFile !== undefined) {
      try {
        const cached = await readCacheFile(cacheFile);
        if (cached !== undefined) this.replace(cached.snapshot, cached.version, 'cache');
      } catch (error) {
        const message = error instanceof CorruptCacheError ? error.message : String(error);
        this.report(`the cache file was ignored: ${message}`);
      }
    }
  }

  /** Whether a replica answers `GET /readyz` with 200 within a few seconds. */
  private async replicaReady(base: string): Promise<boolean> {
    const response = await this.fetchImpl(`${base}${READY_PATH}`, {
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    await response.body?.cancel().catch(() => undefined);
    return response.ok;
  }

  private async fetchSnapshot(): Promise<void> {
    for (const base of this.urls) {
      try {
        const headers: Record<string, string> = { authorization: `Bearer ${this.options.sdkKey}` };
        if (this.source === 'cache' && this.version !== undefined)
          headers['if-none-match'] = `"${this.version}"`;
        const response = await this.fetchImpl(`${base}${SNAPSHOT_PATH}`, {
          headers,
          signal: AbortSignal.timeout(SNAPSHOT_TIMEOUT_MS),
        });
        if (response.status === 304) {
          this.source = 'server';
          this.resolveServer();
          return;
        }
        if (response.status === 401 || response.status === 403) {
          this.report(`the server refused the SDK key (${response.status})`);
          this.resolveServer();
          return;
        }
        if (!response.ok) {
          this.report(`the snapshot request failed with ${response.status}`);
          continue;
        }
        const body = (await response.json()) as Snapshot & { version?: number };
        this.replace(body, typeof body.version === 'number' ? body.version : undefined, 'server');
        return;
      } catch (error) {
        this.report(`the server is unreachable at ${base}: ${(error as Error).message}`);
      }
    }
  }

  private onStreamEvent(event: EventSourceMessage): void {
    if (event.event === 'drain') {
      const drain = parseStreamEvent(event);
      if (drain.type !== 'drain') return;
      // A rollback serves the control now (the change came first): what still runs on the candidate
      // is aborted, as `client.drain` would.
      this.logger.info(`the server asked to drain ${drain.flag}: ${drain.reason}`);
      void this.drain(drain.flag, drain.variant === undefined ? {} : { variant: drain.variant });
      return;
    }
    const applied = applyStreamEvent(this.snapshot, this.version, event);
    if (applied === undefined) return;
    const compiled = compileSnapshot(applied.snapshot, { previous: this.compiled });
    // A change the evaluator cannot use would replace a flag that works with one that serves errors:
    // it is refused (the connection resyncs from a full put) and the last good snapshot stays.
    const problem = unusableSnapshotProblem(compiled, this.compiled, applied.changed);
    if (problem !== undefined) throw new MalformedEventError(`the ${event.event} is unusable: ${problem}`);
    this.replace(applied.snapshot, applied.version, 'server', applied.changed, compiled);
  }

  /** Puts a snapshot in use; emits `change` with the flags whose configuration changed. */
  private replace(
    snapshot: Snapshot,
    version: number | undefined,
    source: SnapshotSource,
    changed?: string[],
    compiled?: CompiledSnapshot,
  ): void {
    const keys = changed ?? changedFlags(this.snapshot, snapshot);
    this.snapshot = snapshot;
    this.stamp++;
    // A patch leaves every other flag's object as it was: only the patched flag is compiled again.
    this.compiled = compiled ?? compileSnapshot(snapshot, { previous: this.compiled });
    this.version = version;
    this.source = source;
    if (source === 'server') {
      this.lastError = undefined;
      this.resolveServer();
      this.schedulePersist();
    }
    if (keys.length > 0) {
      // Before the listeners: whatever they start sees the kill, and what ran under it is draining.
      this.drainKilled(keys);
      this.emit('change', keys);
      try {
        this.options.onChange?.(keys);
      } catch (error) {
        this.logger.error('onChange threw', { error: String(error) });
      }
    }
  }

  private refused(error: StreamRefusedError): void {
    this.report(error.message);
    // Nothing will come from the server with this key: `ready()` need not wait out its timeout.
    this.resolveServer();
  }

  private report(message: string): void {
    this.lastError = message;
    this.logger.warn(message);
    this.emit('error', new Error(message));
  }

  /** The unit an evaluation served: the one its split bucketed by, else targetingKey or userId. */
  private unitOf(flag: string, ruleId: string | undefined, context: EvaluationContext): string | undefined {
    const compiledFlag = this.compiled.flags.get(flag);
    const serve =
      ruleId === undefined
        ? compiledFlag?.fallthrough
        : compiledFlag?.rules.find((r) => r.id === ruleId)?.serve;
    // The unit the evaluator bucketed: it skips an empty targetingKey for userId, and non-finite numbers.
    return serve?.bucketBy === undefined ? unitOf(context) : unitIdOf(context?.[serve.bucketBy]);
  }

  private recordExposure(
    flag: string,
    variant: string,
    ruleId: string | undefined,
    context: EvaluationContext,
  ): void {
    const unit = this.unitOf(flag, ruleId, context);
    // Once per flag version too: after a change (a rollout's next stage) each unit is exposed again,
    // so a stage's exposures count the units it served, in the proportions of its split.
    const version = (this.compiled.flags.get(flag)?.source as { version?: number } | undefined)?.version;
    if (unit === undefined || !this.exposures.add(`${unit}\u0000${flag}\u0000${variant}\u0000${version}`))
      return;
    this.enqueue({ kind: 'exposure', flag, variant, unit, ...(ruleId === undefined ? {} : { ruleId }) });
  }

  /**
   * Sends one batch to the replica that took the last one, else to the next of `url` in turn: a
   * replica that is down or answers 5xx/429 moves the batch on (with the same idempotency key, so a
   * replica that stored it before failing to answer is not counted twice); another 4xx is the same
   * everywhere and fails the attempt.
   */
  private async postEvents(events: readonly unknown[], idempotencyKey: string): Promise<void> {
    const body = JSON.stringify({ events });
    let failure: Error | undefined;
    for (let tried = 0; tried < this.urls.length; tried++) {
      const index = (this.eventsUrl + tried) % this.urls.length;
      let response: Response;
      try {
        response = await this.fetchImpl(`${this.urls[index] as string}${EVENTS_PATH}`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${this.options.sdkKey}`,
            'content-type': 'application/json',
            'idempotency-key': idempotencyKey,
          },
          body,
          signal: AbortSignal.timeout(SNAPSHOT_TIMEOUT_MS),
        });
      } catch (error) {
        failure = error instanceof Error ? error : new Error(String(error));
        continue;
      }
      await response.body?.cancel().catch(() => {});
      if (response.ok || response.status === 409) {
        this.eventsUrl = index;
        return;
      }
      failure = new Error(`events were refused with ${response.status}`);
      if (response.status < 500 && response.status !== 429) break;
    }
    throw failure ?? new Error('no server to send events to');
  }

  private schedulePersist(): void {
    if (this.options.cacheFile === undefined || this.cacheTimer !== undefined) return;
    this.cacheTimer = setTimeout(() => {
      this.cacheTimer = undefined;
      this.persist();
    }, CACHE_WRITE_DELAY_MS);
    this.cacheTimer.unref();
  }

  private persist(): void {
    const file = this.options.cacheFile;
    if (file === undefined || this.version === undefined) return;
    const cached = { version: this.version, snapshot: this.snapshot, savedAt: new Date().toISOString() };
    this.cacheWrite = this.cacheWrite
      .then(() => writeCacheFile(file, cached))
      .catch((error) => this.report(`the cache file could not be written: ${(error as Error).message}`));
  }
}

/** A context attribute as a unit id, by the evaluator's rule: a non-empty string or a finite number. */
/** Keys of flags added, removed, or changed (by version) between two snapshots; any segment change counts for every flag using it. */
export function changedFlags(before: Snapshot, after: Snapshot): string[] {
  const versions = new Map(before.flags.map((f) => [f.key, f.version]));
  const changed = new Set<string>();
  for (const f of after.flags) if (versions.get(f.key) !== f.version) changed.add(f.key);
  for (const f of before.flags) if (!after.flags.some((g) => g.key === f.key)) changed.add(f.key);
  const segmentVersions = new Map(before.segments.map((s) => [s.key, s.version]));
  const changedSegments = new Set(
    after.segments.filter((s) => segmentVersions.get(s.key) !== s.version).map((s) => s.key),
  );
  for (const s of before.segments)
    if (!after.segments.some((t) => t.key === s.key)) changedSegments.add(s.key);
  if (changedSegments.size > 0) {
    for (const f of after.flags) {
      const uses = f.rules.some((r) =>
        r.clauses.some((c) => c.op === 'inSegment' && c.values.some((v) => changedSegments.has(v as string))),
      );
      if (uses) changed.add(f.key);
    }
  }
  return [...changed].sort();
}

/**
 * Creates a client and starts loading its snapshot (bootstrap, cache file, then the server).
 *
 * @example
 * const client = createClient({ url: 'http://127.0.0.1:7400', sdkKey: process.env.SWITCHBOARD_SDK_KEY!, cacheFile: './switchboard-cache.json' });
 * await client.ready({ timeoutMs: 2000 });
 * if (client.getBooleanValue('new-prompt', { targetingKey: userId }, false)) { ... }
 */
export function createClient(options: ClientOptions): SwitchboardClient {
  return new SwitchboardClient(options);
}
