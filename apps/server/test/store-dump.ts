import { sql } from 'kysely';
import type { Database } from '../src/db/database.js';

/** Every row of every table, sorted: two dumps are equal exactly when the store is unchanged. */
export async function dumpStore(database: Database): Promise<Record<string, string[]>> {
  const tables =
    database.dialect === 'sqlite'
      ? await sql<{
          name: string;
        }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`
          .execute(database.db)
          .then((r) => r.rows.map((row) => row.name))
      : await sql<{ name: string }>`select table_name as name from information_schema.tables
          where table_schema = current_schema() and table_type = 'BASE TABLE'`
          .execute(database.db)
          .then((r) => r.rows.map((row) => row.name));
  const dump: Record<string, string[]> = {};
  for (const table of tables.sort()) {
    const { rows } = await sql`select * from ${sql.table(table)}`.execute(database.db);
    dump[table] = rows.map((row) => JSON.stringify(row)).sort();
  }
  return dump;
}
