import type { Kysely } from 'kysely';
import type { Executor } from '../../db/store-helpers.js';
import type { Tables } from '../../db/tables.js';
import type { PriceOverride, PriceStore } from './price-store.js';

function toOverride(r: Tables['model_prices']): PriceOverride {
  return {
    provider: r.provider,
    model: r.model,
    inputPerMillion: Number(r.input_per_million),
    outputPerMillion: Number(r.output_per_million),
    updatedAt: r.updated_at,
  };
}

export class SqlPriceStore implements PriceStore {
  constructor(private readonly db: Kysely<Tables>) {}

  async list(tx: Executor = this.db): Promise<PriceOverride[]> {
    const rows = await tx
      .selectFrom('model_prices')
      .selectAll()
      .orderBy('provider')
      .orderBy('model')
      .execute();
    return rows.map(toOverride);
  }

  async find(tx: Executor, provider: string, model: string): Promise<PriceOverride | undefined> {
    const row = await tx
      .selectFrom('model_prices')
      .selectAll()
      .where('provider', '=', provider)
      .where('model', '=', model)
      .executeTakeFirst();
    return row && toOverride(row);
  }

  async upsert(tx: Executor, o: PriceOverride): Promise<void> {
    await tx
      .insertInto('model_prices')
      .values({
        provider: o.provider,
        model: o.model,
        input_per_million: o.inputPerMillion,
        output_per_million: o.outputPerMillion,
        updated_at: o.updatedAt,
      })
      .onConflict((oc) =>
        oc.columns(['provider', 'model']).doUpdateSet((eb) => ({
          input_per_million: eb.ref('excluded.input_per_million'),
          output_per_million: eb.ref('excluded.output_per_million'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }

  async remove(tx: Executor, provider: string, model: string): Promise<boolean> {
    const r = await tx
      .deleteFrom('model_prices')
      .where('provider', '=', provider)
      .where('model', '=', model)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
