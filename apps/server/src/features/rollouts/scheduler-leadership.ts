import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../../db/database.js';

/** What one attempt at leading a tick gave: the work's result, or nothing when another replica leads. */
export type Led<T> = { leader: true; value: T } | { leader: false };

/**
 * Who acts on a tick. With several replicas on one PostgreSQL store, exactly one at a time: each tick
 * takes a session-level advisory lock (`pg_try_advisory_lock`) on a connection of its own, held for
 * the tick and released at its end (or when the connection drops with a crashed replica), so a
 * replica that finds it taken skips the tick. The embedded SQLite store serves one process: it leads
 * alone. Within a process, ticks never overlap.
 */
export class SchedulerLeadership {
  private key: Promise<string> | undefined;
  private running = false;

  constructor(private readonly database: Database) {}

  async run<T>(work: () => Promise<T>): Promise<Led<T>> {
    if (this.running) return { leader: false };
    this.running = true;
    try {
      if (this.database.dialect !== 'postgres') return { leader: true, value: await work() };
      const key = await this.lockKey();
      return await this.database.db.connection().execute(async (connection) => {
        const taken = await sql<{
          locked: boolean;
        }>`select pg_try_advisory_lock(${key}::bigint) as locked`.execute(connection);
        if (taken.rows[0]?.locked !== true) return { leader: false } as const;
        try {
          return { leader: true, value: await work() } as const;
        } finally {
          await sql`select pg_advisory_unlock(${key}::bigint)`.execute(connection);
        }
      });
    } finally {
      this.running = false;
    }
  }

  /**
   * One lock per store: replicas of a deployment share it, while stores in other schemas of the same
   * database (tests, other deployments) do not contend.
   */
  private lockKey(): Promise<string> {
    this.key ??= sql<{ schema: string }>`select current_schema() as schema`
      .execute(this.database.db)
      .then((result) => {
        const digest = createHash('sha256')
          .update(`switchboard:rollouts:${result.rows[0]?.schema ?? ''}`)
          .digest();
        return digest.readBigInt64BE(0).toString();
      });
    return this.key;
  }
}
