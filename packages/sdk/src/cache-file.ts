import { randomBytes } from 'node:crypto';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import type { Snapshot } from '@switchboard/core';

/** What the cache file holds: the last snapshot received and the environment version it is at. */
export interface CachedSnapshot {
  version: number;
  snapshot: Snapshot;
  savedAt: string;
}

/** Why a cache file could not be used. */
export class CorruptCacheError extends Error {
  override name = 'CorruptCacheError';
}

/**
 * Reads the cache file. Returns undefined when there is none; throws CorruptCacheError when it exists
 * but does not hold a snapshot (the caller reports it and goes on without it).
 */
export async function readCacheFile(path: string): Promise<CachedSnapshot | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CorruptCacheError(`cannot read ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CorruptCacheError(`${path} is not JSON: ${(error as Error).message}`);
  }
  if (!isCachedSnapshot(parsed)) throw new CorruptCacheError(`${path} does not hold a Switchboard snapshot`);
  return parsed;
}

/**
 * Writes the cache file atomically: to a temporary file beside it, then renamed over it, so a crash
 * mid-write leaves the previous file whole.
 */
export async function writeCacheFile(path: string, cached: CachedSnapshot): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, JSON.stringify(cached), { mode: 0o600 });
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => {});
    throw error;
  }
}

function isCachedSnapshot(value: unknown): value is CachedSnapshot {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const snapshot = v.snapshot as Record<string, unknown> | undefined;
  return (
    typeof v.version === 'number' &&
    typeof snapshot === 'object' &&
    snapshot !== null &&
    Array.isArray(snapshot.flags) &&
    Array.isArray(snapshot.segments)
  );
}
