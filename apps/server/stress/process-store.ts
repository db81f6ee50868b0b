import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Dialect } from '../src/db/database.js';
import { TEST_DATABASE_URL } from '../test/harness.js';

/**
 * A store for server processes to start, die and start again on: the embedded SQLite store in a data
 * directory of its own, or a PostgreSQL schema of its own (its data directory then holds only the
 * admin key). Dropped at the end.
 */
export interface ProcessStore {
  dialect: Dialect;
  dataDir: string;
  /** The settings that point a server process at the store. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

/** A fresh store of `dialect` for server processes (see {@link ProcessStore}). */
export async function openProcessStore(dialect: Dialect, name: string): Promise<ProcessStore> {
  const dataDir = await mkdtemp(join(tmpdir(), `switchboard-${name}-`));
  if (dialect === 'sqlite') {
    return { dialect, dataDir, env: {}, drop: () => rm(dataDir, { recursive: true, force: true }) };
  }
  const schema = `sb_${name.replace(/\W/g, '_')}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`create schema ${schema}`);
  } finally {
    await admin.end();
  }
  // The server takes its schema through the URL, as libpq does: ?options=-c search_path=...
  const databaseUrl = new URL(TEST_DATABASE_URL);
  databaseUrl.searchParams.set('options', `-c search_path=${schema}`);
  return {
    dialect,
    dataDir,
    env: { DATABASE_URL: databaseUrl.toString() },
    async drop() {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      try {
        await client.query(`drop schema if exists ${schema} cascade`);
      } finally {
        await client.end();
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
