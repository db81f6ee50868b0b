import type { ServerResponse } from 'node:http';
import type { Segment, Snapshot, SnapshotFlag } from '@switchboard/core';
import type { ChangeBus, DrainSignal } from '../../change-bus.js';
import type { Metrics } from '../../metrics.js';
import type { EnvironmentRef, EnvironmentSnapshot, SnapshotService } from '../evaluation/snapshot-service.js';

/** Heartbeats keep proxies from closing idle streams and let SDKs notice a dead one (they give up after 45 s). */
export const HEARTBEAT_INTERVAL_MS = 15_000;
/** Above this many changed flags and segments in one step, one `put` replaces the patches. */
const MAX_PATCHES = 50;
/** A stream whose unsent output grows beyond this is too slow to keep up: it is closed (it will reconnect and resync). */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/** What a stream receives: every event (server keys), or only a signal that values may have changed (client keys). */
export type StreamKind = 'server' | 'client';

interface Listener {
  response: ServerResponse;
  kind: StreamKind;
  /** The client asked for `drain` events (older SDKs, which would resync on an event they do not know, do not). */
  drain: boolean;
  /** The API key the stream was opened with: revoking it closes the stream. */
  keyId: string | undefined;
}

/** Optional events a stream asked for (`?events=drain`). */
export interface StreamOptions {
  drain?: boolean;
  /** The id of the key that opened the stream; when that key is revoked (on any replica), the stream ends. */
  keyId?: string;
}

interface EnvironmentStreams {
  ref: EnvironmentRef;
  listeners: Set<Listener>;
  /** The snapshot the listeners were last brought to. */
  sent: EnvironmentSnapshot | undefined;
  /** Changes are turned into events one at a time, in order. */
  queue: Promise<void>;
}

/** Formats one SSE message. */
export function sseMessage(event: string, id: number, data: unknown): string {
  return `event: ${event}\nid: ${id}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * Keeps the SDK streams connected to this replica, by environment, and pushes every committed change
 * to them: for each change announced on the bus, it takes the environment's new snapshot, compares it
 * with the one its streams were last brought to, and writes `patch`/`delete` events (or one `put` when
 * much changed) serialized once for all listeners. Client streams get a `change` signal instead.
 */
export class StreamHub {
  private readonly environments = new Map<string, EnvironmentStreams>();
  private readonly heartbeat: ReturnType<typeof setInterval>;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly snapshots: SnapshotService,
    bus: ChangeBus,
    private readonly metrics: Metrics,
    heartbeatMs = HEARTBEAT_INTERVAL_MS,
  ) {
    this.unsubscribe = bus.subscribe((change) => {
      for (const environmentId of Object.keys(change.environmentVersions)) this.schedule(environmentId);
      if (change.drain !== undefined) this.scheduleDrain(change.drain);
      if (change.resource === 'api-key') this.closeStreamsOf(change.key);
    });
    this.heartbeat = setInterval(() => this.beat(), heartbeatMs);
    this.heartbeat.unref();
  }

  /**
   * Attaches a response as a stream of this environment. Sends a `put` unless the client already has
   * the current version (`lastVersion`, from Last-Event-ID): reconnecting never misses a change.
   */
  async attach(
    ref: EnvironmentRef,
    response: ServerResponse,
    kind: StreamKind,
    lastVersion: number | undefined,
    options: StreamOptions = {},
  ): Promise<void> {
    const streams = this.streamsOf(ref);
    // Join the queue so the first event written follows whatever is being sent right now.
    streams.queue = streams.queue.then(async () => {
      // Changes made while no stream was attached were not followed: catch up first (this also
      // brings any attached listeners up to date), so the comparison below is with the current snapshot.
      await this.push(streams);
      const at = streams.sent as EnvironmentSnapshot;
      if (response.destroyed) return;
      const listener: Listener = {
        response,
        kind,
        drain: kind === 'server' && options.drain === true,
        keyId: options.keyId,
      };
      streams.listeners.add(listener);
      this.metrics.streams.inc({ kind });
      response.once('close', () => {
        if (streams.listeners.delete(listener)) this.metrics.streams.dec({ kind });
      });
      if (lastVersion !== at.version) {
        this.write(
          listener,
          kind === 'server'
            ? sseMessage('put', at.version, { version: at.version, snapshot: at.snapshot })
            : sseMessage('change', at.version, { version: at.version }),
        );
      } else {
        this.write(listener, sseMessage('heartbeat', at.version, { version: at.version }));
      }
    });
    await streams.queue;
  }

  /** Closes every stream (shutdown); SDKs reconnect elsewhere. */
  close(): void {
    clearInterval(this.heartbeat);
    this.unsubscribe();
    for (const streams of this.environments.values()) {
      for (const listener of streams.listeners) listener.response.end();
      streams.listeners.clear();
    }
  }

  /**
   * Ends the streams opened with a key that was revoked (a change to an API key names its id): a
   * revoked key must not keep receiving changes on a stream it opened before.
   */
  private closeStreamsOf(keyId: string): void {
    for (const streams of this.environments.values()) {
      for (const listener of streams.listeners) {
        if (listener.keyId !== keyId) continue;
        streams.listeners.delete(listener);
        this.metrics.streams.dec({ kind: listener.kind });
        listener.response.end();
      }
    }
  }

  /** How many streams are attached, by kind. */
  count(): { server: number; client: number } {
    let server = 0;
    let client = 0;
    for (const streams of this.environments.values()) {
      for (const l of streams.listeners) l.kind === 'server' ? server++ : client++;
    }
    return { server, client };
  }

  private streamsOf(ref: EnvironmentRef): EnvironmentStreams {
    let streams = this.environments.get(ref.environmentId);
    if (streams === undefined) {
      streams = { ref, listeners: new Set(), sent: undefined, queue: Promise.resolve() };
      this.environments.set(ref.environmentId, streams);
    }
    return streams;
  }

  private schedule(environmentId: string): void {
    const streams = this.environments.get(environmentId);
    if (streams === undefined || streams.listeners.size === 0) return;
    streams.queue = streams.queue
      .then(() => this.push(streams))
      .catch(() => {
        // A failed read (store down) leaves `sent` as it was: the next change or reconnection catches up.
      });
  }

  /**
   * Sends a `drain` event to the server streams of an environment that asked for them, after whatever
   * change is queued before it (the rollback's split or the kill reaches them first).
   */
  private scheduleDrain(signal: DrainSignal): void {
    const streams = this.environments.get(signal.environmentId);
    if (streams === undefined || streams.listeners.size === 0) return;
    streams.queue = streams.queue.then(async () => {
      await this.push(streams).catch(() => {
        // The store is away: the drain still goes; the change follows when it is back.
      });
      const version = streams.sent?.version ?? 0;
      const message = sseMessage('drain', version, {
        version,
        flag: signal.flag,
        ...(signal.variant === undefined ? {} : { variant: signal.variant }),
        reason: signal.reason,
      });
      for (const listener of streams.listeners) if (listener.drain) this.write(listener, message);
    });
  }

  private async push(streams: EnvironmentStreams): Promise<void> {
    const next = await this.snapshots.get(streams.ref);
    const previous = streams.sent;
    if (previous !== undefined && next.version <= previous.version) return;
    streams.sent = next;
    const events = previous === undefined ? undefined : diff(previous.snapshot, next.snapshot, next.version);
    const serverMessage =
      events === undefined || events.length > MAX_PATCHES
        ? sseMessage('put', next.version, { version: next.version, snapshot: next.snapshot })
        : events.join('');
    const clientMessage = sseMessage('change', next.version, { version: next.version });
    if (serverMessage === '') return;
    for (const listener of streams.listeners)
      this.write(listener, listener.kind === 'server' ? serverMessage : clientMessage);
  }

  private beat(): void {
    for (const streams of this.environments.values()) {
      const version = streams.sent?.version ?? 0;
      const message = sseMessage('heartbeat', version, { version });
      for (const listener of streams.listeners) this.write(listener, message);
    }
  }

  private write(listener: Listener, message: string): void {
    const response = listener.response;
    if (response.destroyed || response.writableEnded) return;
    if (response.writableLength > MAX_BUFFERED_BYTES) {
      response.destroy();
      return;
    }
    response.write(message);
  }
}

/** The patch and delete events that take `before` to `after`, serialized. */
function diff(before: Snapshot, after: Snapshot, version: number): string[] {
  const events: string[] = [];
  const flagsBefore = new Map(before.flags.map((f) => [f.key, f]));
  const flagsAfter = new Map(after.flags.map((f) => [f.key, f]));
  for (const [key, flag] of flagsAfter) {
    if (flagsBefore.get(key)?.version !== flag.version) events.push(patch(version, 'flag', key, flag));
  }
  for (const key of flagsBefore.keys())
    if (!flagsAfter.has(key)) events.push(sseMessage('delete', version, { version, kind: 'flag', key }));
  const segmentsBefore = new Map(before.segments.map((s) => [s.key, s]));
  const segmentsAfter = new Map(after.segments.map((s) => [s.key, s]));
  for (const [key, segment] of segmentsAfter) {
    if (segmentsBefore.get(key)?.version !== segment.version)
      events.push(patch(version, 'segment', key, segment));
  }
  for (const key of segmentsBefore.keys()) {
    if (!segmentsAfter.has(key))
      events.push(sseMessage('delete', version, { version, kind: 'segment', key }));
  }
  return events;
}

function patch(
  version: number,
  kind: 'flag' | 'segment',
  key: string,
  value: SnapshotFlag | Segment,
): string {
  return sseMessage('patch', version, { version, kind, key, value });
}
