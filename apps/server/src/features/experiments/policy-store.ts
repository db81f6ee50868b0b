import type { Executor } from '../../db/store-helpers.js';
import type { PolicySettings } from './experiment-schemas.js';

/** A flag's promotion policy in one environment, as stored. */
export interface StoredPolicy {
  control: string | null;
  settings: PolicySettings;
  version: number;
  updatedAt: string;
}

/**
 * Promotion policies by environment and flag key. Implementations MUST write only when the stored
 * version equals the expected one (0 = none stored yet), atomically, and MUST then store version
 * expected + 1; a write that loses MUST change nothing and return false.
 */
export interface PolicyStore {
  get(environmentId: string, flagKey: string, tx?: Executor): Promise<StoredPolicy | undefined>;
  put(
    tx: Executor,
    environmentId: string,
    flagKey: string,
    expectedVersion: number,
    policy: Omit<StoredPolicy, 'version'>,
  ): Promise<boolean>;
}
