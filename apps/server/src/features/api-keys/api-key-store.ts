import type { Executor } from '../../db/store-helpers.js';

/** The kinds of key, from most to least powerful. */
export const KEY_KINDS = ['admin', 'server', 'client'] as const;
export type KeyKind = (typeof KEY_KINDS)[number];

/** A key as stored: never the key itself, only its hash and first characters. */
export interface ApiKey {
  id: string;
  name: string;
  kind: KeyKind;
  /** For server and client keys: the one environment they serve. */
  projectId: string | null;
  environmentId: string | null;
  hash: string;
  prefix: string;
  createdAt: string;
  createdBy: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/**
 * API keys. Hashes MUST be unique; `findByHash` MUST return revoked keys too (the caller refuses them);
 * `revoke` MUST only set `revokedAt` once and report whether it did.
 */
export interface ApiKeyStore {
  insert(tx: Executor, key: ApiKey): Promise<void>;
  findByHash(hash: string): Promise<ApiKey | undefined>;
  findById(id: string, tx?: Executor): Promise<ApiKey | undefined>;
  list(): Promise<ApiKey[]>;
  count(tx?: Executor): Promise<number>;
  revoke(tx: Executor, id: string, at: string): Promise<boolean>;
  touch(ids: readonly string[], at: string): Promise<void>;
}
