import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrations.js';
import { TEST_DATABASE_URL } from './harness.js';

/**
 * Kysely's migrator read the catalog of every schema of the database to find its own tables; a schema
 * or table dropped by someone else in the middle of that read failed the migration with "schema … does
 * not exist" or "column … of relation … does not exist" (seen in CI: two test files at a time, each
 * dropping its store's schema when done). It now reads only its own schema.
 */
describe('migrating a PostgreSQL store while other schemas of the database come and go', () => {
  it('succeeds every time', async () => {
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    let churning = true;
    let churned = 0;
    const churn = (async () => {
      while (churning) {
        const other = `sb_churn_${randomBytes(4).toString('hex')}`;
        await admin.query(
          `create schema ${other}; create table ${other}.t (id serial primary key, a text, b text)`,
        );
        await admin.query(`drop schema ${other} cascade`);
        churned++;
      }
    })();
    const failures: string[] = [];
    try {
      for (let i = 0; i < 30; i++) {
        const schema = `sb_test_${randomBytes(6).toString('hex')}`;
        const database = await openDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: tmpdir(), schema });
        try {
          const applied = await migrateToLatest(database.db as never, 'postgres');
          expect(applied.length).toBeGreaterThan(0);
        } catch (error) {
          failures.push(String(error));
        } finally {
          await admin.query(`drop schema if exists ${schema} cascade`);
          await database.close();
        }
      }
    } finally {
      churning = false;
      await churn;
      await admin.end();
    }
    expect(churned).toBeGreaterThan(30);
    expect(failures).toEqual([]);
  }, 120_000);
});
