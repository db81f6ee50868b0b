import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { type App, type AppOptions, createApp } from '../src/app.js';
import { type Config, loadConfig } from '../src/config.js';
import { type Database, type Dialect, openDatabase } from '../src/db/database.js';

/** Every store test and end-to-end test runs on both. */
export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres'];

/** PostgreSQL for tests; under CI=true an unreachable one fails the tests (they never skip). */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Redis for tests; under CI=true an unreachable one fails the tests (they never skip). */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * A fresh, empty store: SQLite in memory, or PostgreSQL in a schema of its own (dropped on close), so
 * test runs never see each other's rows.
 */
export async function openTestDatabase(dialect: Dialect): Promise<Database> {
  if (dialect === 'sqlite') return openDatabase({ dataDir: tmpdir(), sqliteFile: ':memory:' });
  const schema = `sb_test_${randomBytes(6).toString('hex')}`;
  const database = await openDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: tmpdir(), schema });
  return {
    ...database,
    async close() {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(database.db);
      await database.close();
    },
  };
}

/** A started app (in-process, not listening) on a fresh store, with its admin key. */
export interface TestApp extends App {
  adminKey: string;
  dataDir: string;
  /** JSON request helper: `await t.request('POST', '/api/v1/flags', body)`. */
  request(
    method: string,
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
    // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely; assertions check them.
  ): Promise<{ status: number; body: any; headers: Record<string, unknown> }>;
  destroy(): Promise<void>;
}

export async function startTestApp(
  dialect: Dialect,
  overrides: Partial<Config> = {},
  options: AppOptions = {},
): Promise<TestApp> {
  const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-test-'));
  const database = await openTestDatabase(dialect);
  const config = { ...loadConfig({}, { dataDir, logLevel: 'silent' }), ...overrides };
  const app = await createApp(config, { shutdownGraceMs: 500, ...options, database });
  const adminKey = app.bootstrapAdminKey;
  if (adminKey === undefined) throw new Error('the test store was not empty');
  return {
    ...app,
    adminKey,
    dataDir,
    async request(method, url, body, headers = {}) {
      const response = await app.http.inject({
        method: method as 'GET',
        url,
        headers: { authorization: `Bearer ${adminKey}`, ...headers },
        ...(body === undefined ? {} : { payload: body as object }),
      });
      let parsed: unknown = response.body;
      try {
        parsed = JSON.parse(response.body);
      } catch {
        // Not JSON: keep the text.
      }
      // biome-ignore lint/suspicious/noExplicitAny: see TestApp.request.
      return { status: response.statusCode, body: parsed as any, headers: response.headers };
    },
    async destroy() {
      await app.close();
      await database.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
