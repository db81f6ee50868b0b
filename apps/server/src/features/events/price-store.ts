import type { Executor } from '../../db/store-helpers.js';

/** A price edited in the server's settings, overriding the built-in table for one provider's model. */
export interface PriceOverride {
  /** Lowercase. */
  provider: string;
  model: string;
  inputPerMillion: number;
  outputPerMillion: number;
  updatedAt: string;
}

/**
 * Price overrides. There MUST be at most one per provider and model: `upsert` MUST replace an
 * existing one. `list` MUST return them ordered by provider, then model. `remove` MUST report whether
 * there was one to remove. Writes MUST go through the executor given, so that they commit with the
 * audit entry that records them.
 */
export interface PriceStore {
  list(tx?: Executor): Promise<PriceOverride[]>;
  find(tx: Executor, provider: string, model: string): Promise<PriceOverride | undefined>;
  upsert(tx: Executor, override: PriceOverride): Promise<void>;
  remove(tx: Executor, provider: string, model: string): Promise<boolean>;
}
