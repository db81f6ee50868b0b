import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { expect } from 'vitest';
import { isUniqueViolation } from '../../src/db/store-helpers.js';
import type { Tables } from '../../src/db/tables.js';

/** A store under test, the database it writes to (transactions and fixtures go through it), and how to drop it. */
export interface StoreUnderTest<S> {
  store: S;
  db: Kysely<Tables>;
  close(): Promise<void>;
}

/** Opens a fresh, empty, migrated store; every test of a contract gets its own. */
export type StoreFactory<S> = () => Promise<StoreUnderTest<S>>;

/** What the database under a store can do, so that a contract tests what the implementation can promise. */
export interface ContractOptions {
  /**
   * Whether transactions run side by side (PostgreSQL) rather than one at a time (one SQLite
   * connection). Only then do the races of concurrent conditional writes actually happen.
   */
  concurrentTransactions?: boolean;
}

/** Runs `work` in a transaction that commits. */
export function inTransaction<T>(db: Kysely<Tables>, work: (tx: Kysely<Tables>) => Promise<T>): Promise<T> {
  return db.transaction().execute((tx) => work(tx));
}

/** Asserts that `promise` fails with a unique-constraint violation, as the services expect to detect it. */
export async function expectUniqueViolation(promise: Promise<unknown>): Promise<void> {
  await expect(promise).rejects.toSatisfy(isUniqueViolation);
}

/** A project row written directly, for the stores whose rows belong to one (foreign keys). */
export async function insertProjectRow(db: Kysely<Tables>, key: string): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('projects')
    .values({ id, key, name: key, created_at: '2026-01-01T00:00:00.000Z' })
    .execute();
  return id;
}

/** An environment row written directly. */
export async function insertEnvironmentRow(
  db: Kysely<Tables>,
  projectId: string,
  key: string,
  position: number,
): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('environments')
    .values({
      id,
      project_id: projectId,
      key,
      name: key,
      position,
      version: 1,
      created_at: '2026-01-01T00:00:00.000Z',
    })
    .execute();
  return id;
}

/**
 * Runs `count` transactions that each read, wait until all of them have read, then write, and
 * settles them all: with concurrent transactions every writer has seen the same state before any of
 * them writes. One connection runs them one after the other instead (a barrier would never open).
 */
export async function raceTransactions<T>(
  db: Kysely<Tables>,
  count: number,
  concurrent: boolean,
  read: (tx: Kysely<Tables>) => Promise<unknown>,
  write: (tx: Kysely<Tables>, index: number) => Promise<T>,
): Promise<PromiseSettledResult<T>[]> {
  let arrived = 0;
  let open: () => void = () => {};
  const allRead = new Promise<void>((resolve) => {
    open = resolve;
  });
  return Promise.allSettled(
    Array.from({ length: count }, (_, index) =>
      inTransaction(db, async (tx) => {
        await read(tx);
        if (concurrent) {
          arrived += 1;
          if (arrived === count) open();
          await allRead;
        }
        return write(tx, index);
      }),
    ),
  );
}

/** ISO-8601 UTC timestamps one second apart from a fixed start, in order. */
export function timestamps(count: number, start = Date.parse('2026-03-01T00:00:00.000Z')): string[] {
  return Array.from({ length: count }, (_, i) => new Date(start + i * 1000).toISOString());
}

/** The values of the fulfilled outcomes, and the reasons of the rejected ones. */
export function partition<T>(outcomes: PromiseSettledResult<T>[]): { values: T[]; errors: unknown[] } {
  const values: T[] = [];
  const errors: unknown[] = [];
  for (const o of outcomes) {
    if (o.status === 'fulfilled') values.push(o.value);
    else errors.push(o.reason);
  }
  return { values, errors };
}
