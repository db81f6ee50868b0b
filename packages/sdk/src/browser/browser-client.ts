import type { EvaluationContext, JsonValue } from '@switchboard/core';
import type { EventSourceMessage } from 'eventsource-parser';
import { backoffDelay, STREAM_BACKOFF } from '../backoff.js';
import type { EvaluationDetails } from '../evaluation-details.js';
import { type Logger, SILENT_LOGGER } from '../logger.js';
import { StreamConnection, type StreamRefusedError } from '../stream-connection.js';
import { MalformedEventError } from '../stream-events.js';
import { fetchTransport } from '../stream-transport.js';
import {
  type ClientFlagResult,
  type ClientFlagsOutcome,
  requestClientFlags,
} from './client-flags-request.js';
import { ListenerRegistry } from './listener-registry.js';
import { remoteDetails, unavailableDetails } from './remote-details.js';

/** How to create a browser client; see {@link createBrowserClient}. */
export interface BrowserClientOptions {
  /** The server's base URL. */
  url: string;
  /** A client key: it names the environment and may only evaluate, so it is safe to ship to browsers. */
  clientKey: string;
  /** Whom flags are evaluated for; change it with `setContext`. */
  context?: EvaluationContext;
  logger?: Logger;
  /** Hold the change stream to refresh values when flags change (default true). */
  stream?: boolean;
  /** For tests and special transports. */
  fetch?: typeof fetch;
  /** A stream silent this long is dropped and reconnected (default 45 s: three missed heartbeats). */
  streamSilenceMs?: number;
}

/** What `ready()`, `setContext()` and `state()` report. */
export interface BrowserClientState {
  /** The values in use were fetched for the current context. */
  loaded: boolean;
  /** The server refused the client key (401/403): nothing more will be fetched. */
  refused: boolean;
  /** Why the last request failed, until one succeeds. */
  error?: string;
}

/** The stream's state, as the `stream` event reports it. */
export interface BrowserStreamState {
  connected: boolean;
  reason?: string;
  retryInMs?: number;
}

/** The events of a {@link BrowserClient}, with their payloads. */
export interface BrowserClientEvents {
  /** The keys of the flags whose value changed (after a flag change, or a new context). */
  change: string[];
  /** A request failed or the key was refused; the client carries on with what it has. */
  error: Error;
  /** The change stream connected or dropped. */
  stream: BrowserStreamState;
}

const EVALUATE_PATH = '/api/v1/client/evaluate';
const STREAM_PATH = '/api/v1/client/stream';
const REQUEST_TIMEOUT_MS = 10_000;
const READY_TIMEOUT_MS = 5_000;

/**
 * The browser client: the server evaluates every flag for one context (`POST /api/v1/client/evaluate`,
 * with a client key, so rules and targeted ids never reach the browser) and the client serves those
 * values synchronously. A change stream (`GET /api/v1/client/stream`) tells it when to fetch again.
 * Failed requests are retried with backoff while the last values keep being served. Never throws into
 * the application, and imports nothing from Node.
 */
export class BrowserClient {
  private flags: ReadonlyMap<string, ClientFlagResult> | undefined;
  private currentContext: EvaluationContext;
  private loaded = false;
  private refused = false;
  private lastError: string | undefined;
  /** The environment version the stream last announced; sent back on reconnection. */
  private version: number | undefined;
  /** Increments with every request: only the newest request's answer is applied. */
  private generation = 0;
  private inflight: AbortController | undefined;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private waiters: ((state: BrowserClientState) => void)[] = [];
  private resolveFirst!: () => void;
  /** Values arrived, the key was refused, or the client closed. */
  private readonly firstSettled = new Promise<void>((resolve) => {
    this.resolveFirst = resolve;
  });
  private readonly base: string;
  private readonly logger: Logger;
  private readonly fetchImpl: typeof fetch;
  private readonly stream: StreamConnection | undefined;
  private readonly listeners: ListenerRegistry<BrowserClientEvents>;
  private closed = false;

  constructor(private readonly options: BrowserClientOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.logger = options.logger ?? SILENT_LOGGER;
    this.currentContext = options.context ?? {};
    // Always called through an arrow: a browser's fetch called as a method of another object throws
    // "Illegal invocation".
    const given = options.fetch;
    this.fetchImpl =
      given === undefined
        ? (input, init) => globalThis.fetch(input, init)
        : (input, init) => given(input, init);
    this.listeners = new ListenerRegistry<BrowserClientEvents>((event, error) =>
      this.logger.error(`a ${event} listener threw`, { error: String(error) }),
    );
    if (options.stream !== false) {
      this.stream = new StreamConnection(
        {
          urls: [this.base],
          path: STREAM_PATH,
          sdkKey: options.clientKey,
          transport: fetchTransport(this.fetchImpl),
          logger: this.logger,
          ...(options.streamSilenceMs === undefined ? {} : { silentStreamMs: options.streamSilenceMs }),
        },
        {
          onEvent: (event) => this.onStreamEvent(event),
          onOpen: () => this.listeners.emit('stream', { connected: true }),
          onDrop: (reason, retryInMs) => {
            this.logger.warn(`stream dropped (${reason}); reconnecting in ${retryInMs} ms`);
            this.listeners.emit('stream', { connected: false, reason, retryInMs });
          },
          onRefused: (error) => this.onRefused(error),
          lastVersion: () => this.version,
        },
      );
    }
    void this.request();
    this.stream?.start();
  }

  /**
   * Resolves once values for the context are in, the key is refused, or `timeoutMs` (default 5 s) has
   * passed, whichever comes first. Never rejects; until values arrive, evaluations serve defaults.
   */
  async ready(options: { timeoutMs?: number } = {}): Promise<BrowserClientState> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.firstSettled,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, options.timeoutMs ?? READY_TIMEOUT_MS);
      }),
    ]);
    clearTimeout(timer);
    return this.state();
  }

  /** Whether the values in use are for the current context, and what last went wrong. */
  state(): BrowserClientState {
    return {
      loaded: this.loaded,
      refused: this.refused,
      ...(this.lastError === undefined ? {} : { error: this.lastError }),
    };
  }

  /** The context values are evaluated for. */
  get context(): EvaluationContext {
    return this.currentContext;
  }

  /**
   * Evaluates for a new context (a sign-in, a changed attribute): fetches its values and resolves when
   * they are in, or when the request failed (then retried in the background). Until then the previous
   * values are served. Never rejects.
   */
  setContext(context: EvaluationContext): Promise<BrowserClientState> {
    this.currentContext = context;
    this.loaded = false;
    return this.refresh();
  }

  /**
   * A flag's value for the current context, from the values last fetched: synchronous, never throws.
   *
   * @example
   * const model = client.evaluate('llm-model', 'gpt-4o').getValue();
   */
  evaluate<T = JsonValue | undefined>(flagKey: string, defaultValue?: T): EvaluationDetails<T> {
    try {
      if (this.flags === undefined) {
        return unavailableDetails(
          flagKey,
          defaultValue,
          this.lastError ?? 'the flags have not been fetched yet',
        );
      }
      return remoteDetails(flagKey, this.flags.get(flagKey), defaultValue);
    } catch (error) {
      return unavailableDetails(flagKey, defaultValue, `evaluation failed: ${String(error)}`);
    }
  }

  getBooleanValue(flagKey: string, defaultValue: boolean): boolean {
    return this.evaluate(flagKey, defaultValue).value;
  }

  getStringValue(flagKey: string, defaultValue: string): string {
    return this.evaluate(flagKey, defaultValue).value;
  }

  getNumberValue(flagKey: string, defaultValue: number): number {
    return this.evaluate(flagKey, defaultValue).value;
  }

  getJsonValue<T extends JsonValue>(flagKey: string, defaultValue: T): T {
    return this.evaluate(flagKey, defaultValue).value;
  }

  /** Every flag's value for the current context (undefined where the caller's default would apply). */
  allFlags(): Record<string, JsonValue | undefined> {
    const values: Record<string, JsonValue | undefined> = {};
    for (const [key, result] of this.flags ?? []) {
      values[key] = result.errorCode === undefined ? result.value : undefined;
    }
    return values;
  }

  /**
   * Listens to `change` (the keys whose value changed), `error` or `stream`; returns what stops
   * listening. A listener that throws is logged, never rethrown.
   *
   * @example
   * const off = client.on('change', (keys) => { if (keys.includes('new-checkout')) rerender(); });
   */
  on<K extends keyof BrowserClientEvents>(
    event: K,
    listener: (payload: BrowserClientEvents[K]) => void,
  ): () => void {
    return this.listeners.on(event, listener);
  }

  off<K extends keyof BrowserClientEvents>(
    event: K,
    listener: (payload: BrowserClientEvents[K]) => void,
  ): void {
    this.listeners.off(event, listener);
  }

  /** Stops the stream, any request and retry, and removes every listener. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stream?.close();
    this.inflight?.abort();
    clearTimeout(this.retryTimer);
    this.resolveFirst();
    this.settle();
    this.listeners.clear();
  }

  /** Fetches the values again; resolves when the newest request is answered. */
  private refresh(): Promise<BrowserClientState> {
    if (this.closed || this.refused) return Promise.resolve(this.state());
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      void this.request();
    });
  }

  private async request(): Promise<void> {
    if (this.closed || this.refused) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    // The newest request wins: an older one may carry an older context or configuration.
    this.inflight?.abort();
    const abort = new AbortController();
    this.inflight = abort;
    const generation = ++this.generation;
    const outcome = await requestClientFlags({
      url: `${this.base}${EVALUATE_PATH}`,
      clientKey: this.options.clientKey,
      context: this.currentContext,
      fetch: this.fetchImpl,
      signal: abort.signal,
      timeoutMs: REQUEST_TIMEOUT_MS,
    });
    if (generation !== this.generation || this.closed || this.refused) return;
    this.inflight = undefined;
    if (outcome.ok) this.apply(outcome.flags);
    else this.fail(outcome);
    this.settle();
  }

  private apply(flags: ReadonlyMap<string, ClientFlagResult>): void {
    const changed = changedKeys(this.flags, flags);
    this.flags = flags;
    this.loaded = true;
    this.lastError = undefined;
    this.attempt = 0;
    this.resolveFirst();
    if (changed.length > 0) this.listeners.emit('change', changed);
  }

  private fail(outcome: Extract<ClientFlagsOutcome, { ok: false }>): void {
    this.lastError = outcome.error;
    this.logger.warn(outcome.error);
    if (outcome.refused) {
      this.refused = true;
      this.stream?.close();
      this.resolveFirst();
    } else {
      const delay = Math.max(backoffDelay(this.attempt++, STREAM_BACKOFF), outcome.retryAfterMs ?? 0);
      this.retryTimer = setTimeout(() => void this.request(), delay);
      this.retryTimer.unref?.();
    }
    this.listeners.emit('error', new Error(outcome.error));
  }

  private settle(): void {
    const waiters = this.waiters;
    this.waiters = [];
    const state = this.state();
    for (const resolve of waiters) resolve(state);
  }

  private onStreamEvent(event: EventSourceMessage): void {
    // Other events are for newer clients: ignoring them keeps the stream up.
    if (event.event !== 'change' && event.event !== 'heartbeat') return;
    const version = versionOf(event.data);
    if (version === this.version) return;
    // The evaluate endpoint does not say which version it answered from, so any version we have not
    // seen (including the first one after connecting) means fetching again.
    this.version = version;
    void this.refresh();
  }

  private onRefused(error: StreamRefusedError): void {
    this.refused = true;
    this.lastError = `the server refused the client key (${error.status})`;
    this.logger.warn(this.lastError);
    this.inflight?.abort();
    clearTimeout(this.retryTimer);
    this.resolveFirst();
    this.settle();
    this.listeners.emit('error', new Error(this.lastError));
  }
}

/** `{ "version": 12 }` → 12; anything else is a malformed event (the stream reconnects). */
function versionOf(data: string): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    throw new MalformedEventError('the event data is not JSON');
  }
  const version = (parsed as { version?: unknown } | null)?.version;
  if (typeof version !== 'number' || !Number.isInteger(version))
    throw new MalformedEventError('the event has no version');
  return version;
}

/** Keys whose value differs between two sets of results (added and removed flags included). */
function changedKeys(
  before: ReadonlyMap<string, ClientFlagResult> | undefined,
  after: ReadonlyMap<string, ClientFlagResult>,
): string[] {
  const changed: string[] = [];
  for (const [key, result] of after) {
    const held = before?.get(key);
    if (held === undefined || JSON.stringify(held.value) !== JSON.stringify(result.value)) changed.push(key);
  }
  for (const key of before?.keys() ?? []) if (!after.has(key)) changed.push(key);
  return changed.sort();
}

/**
 * Creates a browser client and starts fetching the values for its context.
 *
 * @example
 * const flags = createBrowserClient({ url: 'https://flags.example.com', clientKey: 'sb_client_...', context: { targetingKey: userId, plan } });
 * await flags.ready({ timeoutMs: 1500 });
 * if (flags.getBooleanValue('new-checkout', false)) showNewCheckout();
 * flags.on('change', () => rerender());
 */
export function createBrowserClient(options: BrowserClientOptions): BrowserClient {
  return new BrowserClient(options);
}
