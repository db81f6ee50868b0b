import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { type App, type AppOptions, createApp } from '../src/app.js';
import { type Config, loadConfig } from '../src/config.js';
import { type Database, type Dialect, openDatabase } from '../src/db/database.js';
import { openTestDatabase, TEST_DATABASE_URL } from './harness.js';

/**
 * One store that apps are started on, closed and started on again (a restart), or started on twice
 * at once (replicas: on PostgreSQL each with its own connection pool to the same schema).
 */
export interface SharedStore {
  database: Database;
  /** Starts an app on the store; on PostgreSQL with `ownPool`, through a pool of its own. */
  start(options?: AppOptions & { ownPool?: boolean }, overrides?: Partial<Config>): Promise<App>;
  /** The admin key made by the first start. */
  adminKey(): string;
  destroy(): Promise<void>;
}

export async function openSharedStore(dialect: Dialect): Promise<SharedStore> {
  const database = await openTestDatabase(dialect);
  const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-shared-'));
  const pools: Database[] = [];
  let adminKey: string | undefined;
  return {
    database,
    async start(options = {}, overrides = {}) {
      const { ownPool, ...appOptions } = options;
      let db = database;
      if (ownPool === true && dialect === 'postgres') {
        const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(
          database.db,
        );
        db = await openDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir, schema: rows[0]?.schema });
        pools.push(db);
      }
      const config = { ...loadConfig({}, { dataDir, logLevel: 'silent' }), ...overrides };
      const app = await createApp(config, { shutdownGraceMs: 500, ...appOptions, database: db });
      adminKey ??= app.bootstrapAdminKey;
      return app;
    },
    adminKey() {
      if (adminKey === undefined) throw new Error('no app was started on the store');
      return adminKey;
    },
    async destroy() {
      for (const pool of pools) await pool.close();
      await database.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** An admin JSON request to an app in-process. */
export async function adminRequest(
  app: App,
  adminKey: string,
  method: string,
  url: string,
  body?: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely; assertions check them.
): Promise<{ status: number; body: any }> {
  const response = await app.http.inject({
    method: method as 'GET',
    url,
    headers: { authorization: `Bearer ${adminKey}` },
    ...(body === undefined ? {} : { payload: body as object }),
  });
  return { status: response.statusCode, body: response.body === '' ? undefined : JSON.parse(response.body) };
}
