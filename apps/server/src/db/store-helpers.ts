import type { Kysely, Transaction } from 'kysely';
import type { Tables } from './tables.js';

/** A query runner: the database, or a transaction in progress. Stores accept either. */
export type Executor = Kysely<Tables> | Transaction<Tables>;

/** Whether the error is a unique-constraint violation, in either dialect. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (e === null || typeof e !== 'object') return false;
  if (e.code === '23505') return true;
  return typeof e.message === 'string' && e.message.includes('UNIQUE constraint failed');
}

/** Parses a JSON column written by the stores. */
export function fromJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

/** Bumps the snapshot version of each environment; returns the new versions by environment id. */
export async function bumpEnvironments(
  tx: Executor,
  environmentIds: readonly string[],
): Promise<Map<string, number>> {
  const versions = new Map<string, number>();
  if (environmentIds.length === 0) return versions;
  const rows = await tx
    .updateTable('environments')
    .set((eb) => ({ version: eb('version', '+', 1) }))
    .where('id', 'in', [...environmentIds])
    .returning(['id', 'version'])
    .execute();
  for (const row of rows) versions.set(row.id, row.version);
  return versions;
}
