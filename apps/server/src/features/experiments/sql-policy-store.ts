import type { Database } from '../../db/database.js';
import { type Executor, fromJson } from '../../db/store-helpers.js';
import type { PolicySettings } from './experiment-schemas.js';
import type { PolicyStore, StoredPolicy } from './policy-store.js';

export class SqlPolicyStore implements PolicyStore {
  constructor(private readonly database: Database) {}

  async get(environmentId: string, flagKey: string, tx: Executor = this.database.db) {
    const row = await tx
      .selectFrom('promotion_policies')
      .selectAll()
      .where('environment_id', '=', environmentId)
      .where('flag_key', '=', flagKey)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return {
      control: row.control_variant,
      settings: fromJson<PolicySettings>(row.settings),
      version: row.version,
      updatedAt: row.updated_at,
    };
  }

  async put(
    tx: Executor,
    environmentId: string,
    flagKey: string,
    expectedVersion: number,
    policy: Omit<StoredPolicy, 'version'>,
  ): Promise<boolean> {
    const values = {
      control_variant: policy.control,
      settings: JSON.stringify(policy.settings),
      updated_at: policy.updatedAt,
    };
    if (expectedVersion === 0) {
      // ON CONFLICT: a concurrent first write must lose cleanly (a unique violation would abort a
      // PostgreSQL transaction).
      const inserted = await tx
        .insertInto('promotion_policies')
        .values({ environment_id: environmentId, flag_key: flagKey, version: 1, ...values })
        .onConflict((oc) => oc.columns(['environment_id', 'flag_key']).doNothing())
        .executeTakeFirst();
      return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1;
    }
    const updated = await tx
      .updateTable('promotion_policies')
      .set({ ...values, version: expectedVersion + 1 })
      .where('environment_id', '=', environmentId)
      .where('flag_key', '=', flagKey)
      .where('version', '=', expectedVersion)
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) === 1;
  }
}
