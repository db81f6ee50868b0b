/**
 * The PostgreSQL database the two-replica run shares: created for the run and dropped after it,
 * through the `pg` driver the server itself uses (the benchmark declares no database driver of its own).
 */
import { createRequire } from 'node:module';

/** The PostgreSQL server; the benchmark owns the database it creates there. */
export const BENCH_POSTGRES_URL =
  process.env.SWITCHBOARD_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

interface PgClient {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}

async function admin(run: (client: PgClient) => Promise<void>): Promise<void> {
  const fromServer = createRequire(new URL('../../apps/server/package.json', import.meta.url));
  const { Client } = fromServer('pg') as { Client: new (options: { connectionString: string }) => PgClient };
  const client = new Client({ connectionString: BENCH_POSTGRES_URL });
  await client.connect();
  try {
    await run(client);
  } finally {
    await client.end();
  }
}

/** A fresh database `name` (dropped first if a run left it); resolves with its URL and how to drop it. */
export async function createBenchDatabase(name: string): Promise<{ url: string; drop(): Promise<void> }> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
  await admin(async (client) => {
    await client.query(`drop database if exists ${name} with (force)`);
    await client.query(`create database ${name}`);
  });
  const url = new URL(BENCH_POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      admin((client) => client.query(`drop database if exists ${name} with (force)`).then(() => {})),
  };
}
