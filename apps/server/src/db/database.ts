import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import Sqlite from 'libsql';
import pg from 'pg';
import type { Tables } from './tables.js';

/** Which store is in use. */
export type Dialect = 'sqlite' | 'postgres';

/** The open store: the query builder, which dialect it speaks, and how to close it. */
export interface Database {
  db: Kysely<Tables>;
  dialect: Dialect;
  /** Where it lives, for logs (no credentials). */
  location: string;
  close(): Promise<void>;
}

/** How to open a store. */
export interface DatabaseOptions {
  /** A postgres:// URL; without it, the embedded SQLite store in `dataDir`. */
  databaseUrl?: string | undefined;
  dataDir: string;
  /** PostgreSQL schema to use (created if missing); tests give each run its own. */
  schema?: string | undefined;
  /** SQLite file name inside `dataDir`, or ':memory:'. */
  sqliteFile?: string;
}

/** The embedded store's file name in the data directory. */
export const SQLITE_FILE = 'switchboard.db';

/**
 * Opens the store: PostgreSQL through `pg` when a URL is given, otherwise SQLite through `libsql`
 * (WAL, foreign keys on) in the data directory.
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl !== undefined) {
    const schema = options.schema;
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: 10,
      ...(schema === undefined ? {} : { options: `-c search_path=${quoteIdentifier(schema)}` }),
    });
    const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
    if (schema !== undefined) await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
    const url = new URL(options.databaseUrl);
    return {
      db,
      dialect: 'postgres',
      location: `postgres://${url.host}${url.pathname}${schema === undefined ? '' : ` (schema ${schema})`}`,
      close: () => db.destroy(),
    };
  }
  const file = options.sqliteFile ?? SQLITE_FILE;
  let path = file;
  if (file !== ':memory:') {
    mkdirSync(options.dataDir, { recursive: true });
    path = join(options.dataDir, file);
  }
  const database = new Sqlite(path);
  database.pragma('journal_mode = WAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  // Durable on power loss with WAL, without an fsync per transaction.
  database.pragma('synchronous = NORMAL');
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database }) });
  return { db, dialect: 'sqlite', location: path, close: () => db.destroy() };
}

function quoteIdentifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid schema name ${JSON.stringify(name)}`);
  return name;
}
