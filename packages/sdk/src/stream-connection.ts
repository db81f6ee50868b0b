import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { type BackoffPolicy, backoffDelay, STREAM_BACKOFF } from './backoff.js';
import type { Logger } from './logger.js';
import type { OpenedStream, StreamTransport } from './stream-transport.js';

/** The server sends a heartbeat every 15 s; a stream silent for this long is treated as dropped. */
export const SILENT_STREAM_MS = 45_000;

/**
 * How often, on average, a stream held away from the first URL checks whether that replica is back
 * (each wait drawn uniformly from half to one and a half times this, so SDKs return spread out).
 */
export const HOME_PROBE_MS = 30_000;

/** Why the stream stopped for good (it never stops for transient failures). */
export class StreamRefusedError extends Error {
  override name = 'StreamRefusedError';
  constructor(readonly status: number) {
    super(`the server refused the stream with ${status}: check the SDK key`);
  }
}

/** What a stream connection needs from its client. */
export interface StreamHandlers {
  /** One event from the server; throwing (a malformed event) makes the connection resync. */
  onEvent(event: EventSourceMessage): void;
  /** The stream is (re)connected. */
  onOpen(): void;
  /** The stream dropped; it will reconnect after `retryInMs`. */
  onDrop(reason: string, retryInMs: number): void;
  /** The first URL answers ready again: the stream leaves `from` for it, at once and resuming by version. */
  onMoveHome?(from: string, home: string): void;
  /** The server refused the key (401/403): no more attempts. */
  onRefused(error: StreamRefusedError): void;
  /** The version to resume from (sent as Last-Event-ID), if any. */
  lastVersion(): number | undefined;
}

export interface StreamOptions {
  urls: readonly string[];
  path: string;
  sdkKey: string;
  transport: StreamTransport;
  logger: Logger;
  backoff?: BackoffPolicy;
  silentStreamMs?: number;
  random?: () => number;
  /**
   * Whether a replica is ready for streams (the client asks `GET /readyz`). Without it a stream that
   * moved away from the first URL stays where it is.
   */
  probe?: (base: string) => Promise<boolean>;
  /** See {@link HOME_PROBE_MS}. */
  homeProbeMs?: number;
}

/**
 * One SSE connection kept open against the server: reconnects with exponential backoff and full jitter
 * (cap 30 s), rotates through the given base URLs, treats a stream silent for 45 s as dropped, stops
 * for good on 401/403, and retries everything else (5xx, network errors, malformed events). The first
 * URL is home: a stream held elsewhere checks now and then whether home is ready again and goes back,
 * so the replicas' load evens out again after one returns.
 */
export class StreamConnection {
  private abort: AbortController | undefined;
  private closed = false;
  private attempt = 0;
  private urlIndex = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private silenceTimer: ReturnType<typeof setTimeout> | undefined;
  /** The connection the silence timer watches. */
  private silenceFor: AbortController | undefined;
  private homeTimer: ReturnType<typeof setTimeout> | undefined;
  /** Set when the stream is closed on purpose to reconnect at home. */
  private movingHome = false;
  /** Set after a malformed event: the next connection asks for a full snapshot (no Last-Event-ID). */
  private resync = false;

  constructor(
    private readonly options: StreamOptions,
    private readonly handlers: StreamHandlers,
  ) {}

  start(): void {
    void this.connect();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.silenceTimer);
    clearTimeout(this.homeTimer);
    this.abort?.abort();
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const abort = new AbortController();
    this.abort = abort;
    const away = this.urlIndex % this.options.urls.length !== 0;
    const base = this.options.urls[this.urlIndex % this.options.urls.length] as string;
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.options.sdkKey}`,
      accept: 'text/event-stream',
    };
    const last = this.resync ? undefined : this.handlers.lastVersion();
    this.resync = false;
    if (last !== undefined) headers['last-event-id'] = String(last);
    let reason: string;
    try {
      this.armSilence(abort);
      const response = await this.options.transport(`${base}${this.options.path}`, {
        headers,
        signal: abort.signal,
      });
      if (response.status === 401 || response.status === 403) {
        response.discard();
        this.closed = true;
        clearTimeout(this.silenceTimer);
        this.handlers.onRefused(new StreamRefusedError(response.status));
        return;
      }
      if (response.status < 200 || response.status > 299) {
        response.discard();
        reason = `HTTP ${response.status}`;
      } else {
        this.attempt = 0;
        this.handlers.onOpen();
        if (away) this.probeHomeLater(abort, base);
        reason = await this.read(response, abort);
      }
    } catch (error) {
      reason = abort.signal.aborted && this.closed ? 'closed' : `network: ${(error as Error).message}`;
    }
    clearTimeout(this.silenceTimer);
    clearTimeout(this.homeTimer);
    abort.abort();
    if (this.closed) return;
    if (this.movingHome) {
      // Home answered ready a moment ago: no backoff; Last-Event-ID resumes where this stream stopped.
      this.movingHome = false;
      this.urlIndex = 0;
      void this.connect();
      return;
    }
    // The next attempt goes to the next URL: a replica that went away is skipped at once.
    this.urlIndex++;
    const delay = backoffDelay(this.attempt++, this.options.backoff ?? STREAM_BACKOFF, this.options.random);
    this.handlers.onDrop(reason, delay);
    this.reconnectTimer = setTimeout(() => void this.connect(), delay);
    this.reconnectTimer.unref?.();
  }

  /** Reads events until the stream ends; returns why it ended. */
  private async read(response: OpenedStream, abort: AbortController): Promise<string> {
    let failure: string | undefined;
    const parser = createParser({
      onEvent: (event) => {
        if (failure !== undefined) return;
        try {
          this.handlers.onEvent(event);
        } catch (error) {
          failure = `malformed ${event.event ?? 'message'} event: ${(error as Error).message}`;
        }
      },
      onComment: () => this.armSilence(abort),
    });
    try {
      await response.read((text) => {
        if (failure !== undefined) return;
        this.armSilence(abort);
        parser.feed(text);
        // A malformed event means our state may be wrong: reconnect and start over from a full put.
        if (failure !== undefined) abort.abort();
      });
    } catch (error) {
      if (failure === undefined) throw error;
    }
    if (failure === undefined) return 'the server closed the stream';
    this.options.logger.warn(`${failure}; resyncing`);
    this.resync = true;
    return failure;
  }

  /** While the stream `abort` controls is held at `base`, not home, asks now and then whether home is ready. */
  private probeHomeLater(abort: AbortController, base: string): void {
    const probe = this.options.probe;
    if (probe === undefined) return;
    const home = this.options.urls[0] as string;
    const mean = this.options.homeProbeMs ?? HOME_PROBE_MS;
    const random = this.options.random ?? Math.random;
    const current = () => !this.closed && this.abort === abort && !abort.signal.aborted;
    clearTimeout(this.homeTimer);
    this.homeTimer = setTimeout(
      async () => {
        if (!current()) return;
        const ready = await probe(home).catch(() => false);
        if (!current()) return;
        if (!ready) {
          this.probeHomeLater(abort, base);
          return;
        }
        this.handlers.onMoveHome?.(base, home);
        this.movingHome = true;
        abort.abort();
      },
      mean * (0.5 + random()),
    );
    this.homeTimer.unref?.();
  }

  private armSilence(abort: AbortController): void {
    // Called on every chunk of every stream: re-arming the same Node timer is far cheaper than a new one.
    const timer = this.silenceTimer as { refresh?: () => unknown } | undefined;
    if (this.silenceFor === abort && typeof timer?.refresh === 'function') {
      timer.refresh();
      return;
    }
    clearTimeout(this.silenceTimer);
    this.silenceFor = abort;
    this.silenceTimer = setTimeout(() => {
      this.options.logger.warn(
        `no heartbeat for ${this.options.silentStreamMs ?? SILENT_STREAM_MS} ms; reconnecting`,
      );
      abort.abort();
    }, this.options.silentStreamMs ?? SILENT_STREAM_MS);
    this.silenceTimer.unref?.();
  }
}
