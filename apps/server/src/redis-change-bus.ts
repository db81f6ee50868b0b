import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { z } from 'zod';
import { type Change, type ChangeBus, InProcessChangeBus, type ReplicaLog } from './change-bus.js';

/** Where a RedisChangeBus reports what happens to it; every hook is optional. */
export interface RedisChangeBusHooks {
  log?: ReplicaLog;
  /** A change reached the local subscribers but not Redis (down, or too slow to acknowledge). */
  onPublishFailure?(error: Error): void;
  /** Redis acknowledged a change this replica published. */
  onPublished?(): void;
  /**
   * A change published by another replica arrived, `delayMs` after it was sent by the sender's clock
   * (undefined from a replica that does not stamp its messages).
   */
  onReceived?(delayMs: number | undefined): void;
  /**
   * The subscription is established, first or again: whatever was published while it was not has
   * been missed, and the caller catches up from the store.
   */
  onSubscribed?(): void;
}

export interface RedisChangeBusOptions {
  /** `redis://` or `rediss://`. */
  url: string;
  /** Every replica of one deployment publishes and listens on this channel. */
  channel: string;
  /** Tells this replica's own messages apart when they come back; random by default. */
  replicaId?: string;
}

/** Whether changes currently travel between replicas through Redis. */
export type RedisStatus = 'connected' | 'unavailable';

/** Reconnection delays double from 100 ms up to this, so a Redis back from an outage is found within ~2 s. */
const RECONNECT_CAP_MS = 2_000;
/** A publish not acknowledged by then counts as failed; the request that made the change never waits for it. */
const PUBLISH_TIMEOUT_MS = 2_000;

const messageSchema = z.object({
  replica: z.string(),
  /** When the sender published it (ms since the epoch); older replicas do not send it. */
  sentAt: z.number().optional(),
  change: z.object({
    resource: z.enum(['flag', 'segment', 'environment', 'project', 'api-key', 'drain']),
    key: z.string(),
    projectId: z.string(),
    environmentVersions: z.record(z.string(), z.number().int().nonnegative()),
    drain: z
      .object({
        environmentId: z.string(),
        flag: z.string(),
        variant: z.string().optional(),
        reason: z.string(),
      })
      .optional(),
  }),
});

/**
 * The change bus of a replicated deployment: a change is delivered to this process's subscribers at
 * once, then published on a Redis channel with this replica's id; changes published by the other
 * replicas are delivered to this one's subscribers (its own are skipped). One connection publishes,
 * another subscribes (a subscribed connection can do nothing else).
 *
 * Redis is never in the way of a request: without it, changes still reach this replica's SDK streams;
 * a failed publish is logged and counted, and the other replicas catch up from the store (on their
 * reconnection, see `onSubscribed`, or by the version poll).
 *
 * @example
 * const bus = new RedisChangeBus({ url: 'redis://cache:6379', channel: 'switchboard:changes' });
 * bus.connect({ log, onSubscribed: () => void watcher.catchUp('reconnect') });
 */
export class RedisChangeBus implements ChangeBus {
  readonly replicaId: string;
  private readonly local = new InProcessChangeBus();
  private publisher: Redis | undefined;
  private subscriber: Redis | undefined;
  private subscribed = false;
  private closed = false;
  private hooks: RedisChangeBusHooks = {};

  constructor(private readonly options: RedisChangeBusOptions) {
    this.replicaId = options.replicaId ?? randomUUID();
  }

  /**
   * Opens both connections; they reconnect on their own until `close()`. Until this is called,
   * changes are delivered locally only. Returns at once, reachable Redis or not.
   */
  connect(hooks: RedisChangeBusHooks = {}): void {
    if (this.publisher !== undefined || this.closed) return;
    this.hooks = hooks;
    const common: RedisOptions = {
      retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt - 1, 10), RECONNECT_CAP_MS),
      // Nothing is queued while disconnected, nor resent after: a change that did not go out is
      // caught up from the store, never delivered late and out of order.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
    };
    // Named, so that `CLIENT LIST` shows whose connections these are.
    const name = `switchboard:${this.replicaId}`;
    this.publisher = new Redis(this.options.url, {
      ...common,
      commandTimeout: PUBLISH_TIMEOUT_MS,
      connectionName: `${name}:pub`,
    });
    // Subscribed again by hand on every connection, so that catching up starts once it is in place.
    this.subscriber = new Redis(this.options.url, {
      ...common,
      autoResubscribe: false,
      connectionName: `${name}:sub`,
    });
    this.watch(this.publisher, 'publisher');
    this.watch(this.subscriber, 'subscriber');
    const subscriber = this.subscriber;
    subscriber.on('ready', () => void this.listen(subscriber));
    subscriber.on('close', () => {
      this.subscribed = false;
    });
    subscriber.on('message', (channel: string, text: string) => this.receive(channel, text));
  }

  publish(change: Change): void {
    try {
      this.local.publish(change);
    } finally {
      this.send(change);
    }
  }

  announce(change: Change): void {
    this.local.announce(change);
  }

  subscribe(listener: (change: Change) => void): () => void {
    return this.local.subscribe(listener);
  }

  /** `connected` when this replica both publishes to and hears from the others. */
  status(): RedisStatus {
    return this.publisher?.status === 'ready' && this.subscribed ? 'connected' : 'unavailable';
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.local.close();
    const publisher = this.publisher;
    const subscriber = this.subscriber;
    this.publisher = undefined;
    this.subscriber = undefined;
    this.subscribed = false;
    // QUIT lets the publishes already sent be answered; disconnect() stops the reconnection attempts.
    if (publisher?.status === 'ready') await publisher.quit().catch(() => {});
    publisher?.disconnect();
    subscriber?.disconnect();
  }

  private send(change: Change): void {
    const publisher = this.publisher;
    if (publisher === undefined) return;
    const message = JSON.stringify({ replica: this.replicaId, sentAt: Date.now(), change });
    const failed = (error: unknown) => {
      const reason = error instanceof Error ? error : new Error(String(error));
      this.hooks.log?.warn(
        // The message is the story (Redis down, or slow); a stack trace per change would bury it.
        { error: reason.message, resource: change.resource, key: change.key, channel: this.options.channel },
        'a change could not be published on Redis; the other replicas will catch up from the store',
      );
      this.hooks.onPublishFailure?.(reason);
    };
    try {
      publisher.publish(this.options.channel, message).then(() => this.hooks.onPublished?.(), failed);
    } catch (error) {
      failed(error);
    }
  }

  private async listen(subscriber: Redis): Promise<void> {
    try {
      await subscriber.subscribe(this.options.channel);
    } catch (error) {
      // The connection went away meanwhile: the next 'ready' subscribes again.
      this.hooks.log?.warn({ err: error, channel: this.options.channel }, 'subscribing on Redis failed');
      return;
    }
    if (this.closed || subscriber !== this.subscriber) return;
    this.subscribed = true;
    this.hooks.onSubscribed?.();
  }

  private receive(channel: string, text: string): void {
    if (channel !== this.options.channel) return;
    let parsed: z.infer<typeof messageSchema>;
    try {
      parsed = messageSchema.parse(JSON.parse(text));
    } catch {
      this.hooks.log?.warn({ channel }, 'ignored a malformed message on the Redis channel');
      return;
    }
    if (parsed.replica === this.replicaId) return;
    this.hooks.onReceived?.(
      parsed.sentAt === undefined ? undefined : Math.max(0, Date.now() - parsed.sentAt),
    );
    try {
      this.local.publish(parsed.change);
    } catch (error) {
      // A subscriber's failure must not reach ioredis, whose event loop would report it as its own.
      this.hooks.log?.warn({ err: error }, 'a change from another replica could not be applied');
    }
  }

  /** Logs the connection's ups and downs once each, not every reconnection attempt. */
  private watch(connection: Redis, role: 'publisher' | 'subscriber'): void {
    let state: 'starting' | 'up' | 'down' = 'starting';
    let lastError: string | undefined;
    connection.on('error', (error: Error) => {
      lastError = error.message;
      if (state !== 'starting' || this.closed) return;
      state = 'down';
      this.hooks.log?.warn(
        { role, error: lastError },
        "Redis is unreachable; until it is back, replicas learn of each other's changes from the store",
      );
    });
    connection.on('ready', () => {
      if (state === 'down') this.hooks.log?.info({ role }, 'Redis is reachable again');
      state = 'up';
    });
    connection.on('close', () => {
      if (state !== 'up' || this.closed) return;
      state = 'down';
      this.hooks.log?.warn(
        { role, error: lastError },
        "lost Redis; until it is back, replicas learn of each other's changes from the store",
      );
    });
  }
}
