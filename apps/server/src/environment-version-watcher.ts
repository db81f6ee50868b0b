import type { ChangeBus, ReplicaLog } from './change-bus.js';

/** One environment's current version, as the store has it. */
export interface EnvironmentVersion {
  id: string;
  projectId: string;
  key: string;
  version: number;
}

/** Why the store is being read: Redis came back (or was first reached), or the periodic poll. */
export type CatchUpTrigger = 'reconnect' | 'poll';

/**
 * A version committed an instant ago is usually on its way on the bus (changes are published right
 * after they commit): it counts as missed only if it is still unknown this much later.
 */
export const IN_FLIGHT_GRACE_MS = 250;

export interface EnvironmentVersionWatcherOptions {
  /** Every environment of every project with its version: one small query. */
  listVersions(): Promise<EnvironmentVersion[]>;
  /** How often to poll; 0 polls never (catching up then only happens when asked). */
  pollMs: number;
  /** See {@link IN_FLIGHT_GRACE_MS} (the default). */
  graceMs?: number;
  log?: ReplicaLog;
  /** Called with how many versions a catch-up found that this replica had not been told of. */
  onMissed?(trigger: CatchUpTrigger, count: number): void;
}

/**
 * Knows the newest version of each environment this replica has been told of (every change on the
 * bus carries them), and catches up with the store: it reads every environment's version, and
 * announces locally each one newer than what it knew, as an `environment` change. Snapshot caches
 * then drop what is stale and SDK streams get their diff, as if the change had arrived.
 *
 * Versions only grow and each one numbers the whole environment, so announcing the newest is enough
 * to catch up on every change before it; announcing one already known is harmless. A version found
 * unknown is given {@link IN_FLIGHT_GRACE_MS} to arrive on the bus first, so that what is counted as
 * missed was missed, not merely read before its message came.
 *
 * @example
 * const watcher = new EnvironmentVersionWatcher(bus, { listVersions, pollMs: 5_000 });
 * await watcher.start();
 */
export class EnvironmentVersionWatcher {
  private readonly known = new Map<string, number>();
  private readonly unsubscribe: () => void;
  private timer: ReturnType<typeof setInterval> | undefined;
  /** Reads of the store run one at a time, in order. */
  private queue: Promise<number> = Promise.resolve(0);
  private pending = 0;
  private closed = false;

  constructor(
    private readonly bus: ChangeBus,
    private readonly options: EnvironmentVersionWatcherOptions,
  ) {
    this.unsubscribe = bus.subscribe((change) => {
      for (const [id, version] of Object.entries(change.environmentVersions)) this.note(id, version);
    });
  }

  /** Reads the versions as they are now (nothing to announce: nothing is cached yet), then polls. */
  async start(): Promise<void> {
    await this.enqueue(async () => {
      for (const e of await this.options.listVersions()) this.note(e.id, e.version);
      return 0;
    }, 'start');
    if (this.options.pollMs > 0 && !this.closed) {
      this.timer = setInterval(() => void this.catchUp('poll'), this.options.pollMs);
      this.timer.unref();
    }
  }

  /**
   * Reads every environment's version from the store and announces the ones this replica has not
   * been told of. Resolves with how many there were; never rejects (a failed read is logged, and the
   * next poll tries again). A read starts after any read in progress ends, so a catch-up asked for
   * after a reconnection always reads what was committed before it; polls never pile up behind a
   * slow store.
   */
  catchUp(trigger: CatchUpTrigger): Promise<number> {
    if (trigger === 'poll' && this.pending > 0) return this.queue;
    return this.enqueue(() => this.check(trigger), trigger);
  }

  /** The newest version this replica knows of an environment. */
  knownVersion(environmentId: string): number | undefined {
    return this.known.get(environmentId);
  }

  /** Stops polling and waits for a read in progress (the store may be closed next). */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    this.unsubscribe();
    await this.queue;
  }

  private enqueue(read: () => Promise<number>, trigger: CatchUpTrigger | 'start'): Promise<number> {
    this.pending++;
    this.queue = this.queue
      .then(() => (this.closed ? 0 : read()))
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        this.options.log?.warn({ error: message, trigger }, 'reading environment versions failed');
        return 0;
      })
      .finally(() => {
        this.pending--;
      });
    return this.queue;
  }

  private async check(trigger: CatchUpTrigger): Promise<number> {
    const unknown = (list: EnvironmentVersion[]) =>
      list.filter((e) => e.version > (this.known.get(e.id) ?? 0));
    let missed = unknown(await this.options.listVersions());
    const graceMs = this.options.graceMs ?? IN_FLIGHT_GRACE_MS;
    if (missed.length > 0 && graceMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, graceMs));
      missed = this.closed ? [] : unknown(missed);
    }
    for (const e of missed) {
      this.note(e.id, e.version);
      this.bus.announce({
        resource: 'environment',
        key: e.key,
        projectId: e.projectId,
        environmentVersions: { [e.id]: e.version },
      });
    }
    if (missed.length > 0) {
      this.options.onMissed?.(trigger, missed.length);
      this.options.log?.info(
        { trigger, environments: missed.map((e) => `${e.key}@${e.version}`) },
        'caught up on changes this replica had not been told of',
      );
    }
    return missed.length;
  }

  private note(environmentId: string, version: number): void {
    if (version > (this.known.get(environmentId) ?? 0)) this.known.set(environmentId, version);
  }
}
