import { type ChangeBus, InProcessChangeBus, type ReplicaLog } from './change-bus.js';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import { type EnvironmentVersion, EnvironmentVersionWatcher } from './environment-version-watcher.js';
import type { Metrics } from './metrics.js';
import { RedisChangeBus, type RedisStatus } from './redis-change-bus.js';

/** What `/readyz` says about the fan-out: Redis's state when it is configured. */
export interface ReplicaSyncStatus {
  redis?: RedisStatus;
}

/**
 * Keeps this replica in step with the changes the others make. The bus is Redis when `REDIS_URL` is
 * set, in-process otherwise. Whatever the bus loses is caught up from the store by an
 * {@link EnvironmentVersionWatcher}: at each (re)subscription to Redis, and by polling every
 * `versionPollMs` on PostgreSQL — the store several replicas share, with or without Redis (replicas
 * started without it still converge within the interval). On the embedded SQLite store there is one
 * process, which is told of every change it makes: no poll.
 *
 * @example
 * const sync = new ReplicaSync(config, database);
 * const ctx = { bus: sync.bus, ... };
 * // once the app is built:
 * await sync.start({ log: http.log, metrics });
 */
export class ReplicaSync {
  readonly bus: ChangeBus;
  private readonly redis: RedisChangeBus | undefined;
  private watcher: EnvironmentVersionWatcher | undefined;

  constructor(
    private readonly config: Pick<Config, 'redisUrl' | 'redisChannel' | 'versionPollMs'>,
    private readonly database: Database,
  ) {
    this.redis =
      config.redisUrl === undefined
        ? undefined
        : new RedisChangeBus({ url: config.redisUrl, channel: config.redisChannel });
    this.bus = this.redis ?? new InProcessChangeBus();
  }

  /**
   * Reads the environment versions, starts the poll and connects to Redis (without waiting for it:
   * a replica starts and serves without Redis). Changes published before this reach only this process.
   */
  async start({ log, metrics }: { log: ReplicaLog; metrics: Metrics }): Promise<void> {
    const pollMs = this.database.dialect === 'postgres' ? this.config.versionPollMs : 0;
    if (this.redis === undefined && pollMs === 0) return;
    const watcher = new EnvironmentVersionWatcher(this.bus, {
      listVersions: () => listEnvironmentVersions(this.database),
      pollMs,
      log,
      onMissed: (trigger, count) => metrics.missedChanges.inc({ trigger }, count),
    });
    this.watcher = watcher;
    await watcher.start();
    this.redis?.connect({
      log,
      onPublishFailure: () => metrics.changePublishFailures.inc(),
      onPublished: () => metrics.redisChanges.inc({ direction: 'published' }),
      onReceived: (delayMs) => {
        metrics.redisChanges.inc({ direction: 'received' });
        if (delayMs !== undefined) metrics.redisChangeDelay.observe(delayMs / 1000);
      },
      onSubscribed: () => {
        // A key revoked while Redis was away must stop working here now, not when its cache entry expires.
        this.bus.announce({ resource: 'api-key', key: '*', projectId: '', environmentVersions: {} });
        void watcher.catchUp('reconnect');
      },
    });
  }

  status(): ReplicaSyncStatus {
    return this.redis === undefined ? {} : { redis: this.redis.status() };
  }

  async close(): Promise<void> {
    await this.watcher?.close();
    await this.bus.close();
  }
}

/** Every environment's version: the one query the watcher runs. */
async function listEnvironmentVersions(database: Database): Promise<EnvironmentVersion[]> {
  const rows = await database.db
    .selectFrom('environments')
    .select(['id', 'project_id', 'key', 'version'])
    .execute();
  return rows.map((r) => ({ id: r.id, projectId: r.project_id, key: r.key, version: Number(r.version) }));
}
