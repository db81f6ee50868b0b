import type { Executor } from '../../db/store-helpers.js';
import { NotFoundError } from '../../http/errors.js';
import type { Actor, ServiceContext } from '../../service-context.js';
import type { PriceOverride, PriceStore } from './price-store.js';
import { BUILT_IN_PRICES, type ModelPrice, normalizeProvider, priceNames } from './price-table.js';

/** One entry of the effective price table, as the settings show it. */
export interface PriceEntry extends ModelPrice {
  provider: string;
  model: string;
  /** `settings` when an override set it (replacing any built-in price of the same model). */
  source: 'built-in' | 'settings';
  /** When the override was last set; absent for built-in prices. */
  updatedAt?: string;
}

/**
 * How long overrides read from the store are used before reading them again. Edits through this
 * replica apply at once; edits through another replica (PostgreSQL) within this time.
 */
const OVERRIDES_CACHE_MS = 10_000;

const MAX_REMEMBERED_ANSWERS = 10_000;

/** The prices in force at one moment: overrides, then the built-in table. */
export class PriceBook {
  /** Answers given, by provider and model as asked (a batch names the same few models again and again). */
  private readonly answers = new Map<string, ModelPrice | null>();

  constructor(private readonly overrides: ReadonlyMap<string, ModelPrice>) {}

  /** The price of a provider's model, or undefined when neither the settings nor the table know it. */
  priceOf(provider: string, model: string): ModelPrice | undefined {
    const asked = `${provider}\n${model}`;
    const known = this.answers.get(asked);
    if (known !== undefined) return known ?? undefined;
    const p = normalizeProvider(provider);
    let price: ModelPrice | undefined;
    for (const name of priceNames(model)) {
      price = this.overrides.get(`${p}\n${name}`) ?? BUILT_IN_PRICES[p]?.[name];
      if (price !== undefined) break;
    }
    // Bounded: a client naming ever new models must not grow it for good.
    if (this.answers.size >= MAX_REMEMBERED_ANSWERS) this.answers.clear();
    this.answers.set(asked, price ?? null);
    return price;
  }
}

/** The model price table: built in, overridable in the server's settings (audited). */
export class PriceService {
  private cached: { book: PriceBook; until: number } | undefined;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly store: PriceStore,
  ) {}

  /**
   * The prices in force, from memory when read recently. Reads the store: call it outside any
   * transaction (on SQLite's single connection a read waits for an open transaction to end).
   */
  async book(): Promise<PriceBook> {
    const now = Date.now();
    if (this.cached !== undefined && this.cached.until > now) return this.cached.book;
    const overrides = await this.store.list();
    const book = new PriceBook(new Map(overrides.map((o) => [`${o.provider}\n${o.model}`, o])));
    this.cached = { book, until: now + OVERRIDES_CACHE_MS };
    return book;
  }

  /** The effective table: every built-in price and every override, by provider then model. */
  async list(): Promise<PriceEntry[]> {
    const overrides = await this.store.list();
    const entries = new Map<string, PriceEntry>();
    for (const [provider, models] of Object.entries(BUILT_IN_PRICES)) {
      for (const [model, price] of Object.entries(models)) {
        entries.set(`${provider}\n${model}`, { provider, model, ...price, source: 'built-in' });
      }
    }
    for (const o of overrides) entries.set(`${o.provider}\n${o.model}`, toEntry(o));
    return [...entries.values()].sort((a, b) => compare(a.provider, b.provider) || compare(a.model, b.model));
  }

  /** Sets the price of a provider's model, replacing any earlier override; recorded in the audit log. */
  async set(provider: string, model: string, price: ModelPrice, actor: Actor): Promise<PriceEntry> {
    const p = normalizeProvider(provider);
    const at = this.ctx.clock().toISOString();
    const override: PriceOverride = { provider: p, model, ...price, updatedAt: at };
    await this.ctx.database.db.transaction().execute(async (tx) => {
      const before = await this.store.find(tx, p, model);
      await this.store.upsert(tx, override);
      const previous = before === undefined ? builtInEntry(p, model) : toEntry(before);
      await this.audit(tx, actor, 'price.set', p, model, previous, toEntry(override), at);
    });
    this.cached = undefined;
    return toEntry(override);
  }

  /** Removes an override (the built-in price, if any, applies again); 404 when there is none. */
  async remove(provider: string, model: string, actor: Actor): Promise<void> {
    const p = normalizeProvider(provider);
    const at = this.ctx.clock().toISOString();
    await this.ctx.database.db.transaction().execute(async (tx) => {
      const before = await this.store.find(tx, p, model);
      if (before === undefined || !(await this.store.remove(tx, p, model))) {
        throw new NotFoundError('price override', `${p}/${model}`);
      }
      await this.audit(tx, actor, 'price.delete', p, model, toEntry(before), builtInEntry(p, model), at);
    });
    this.cached = undefined;
  }

  private async audit(
    tx: Executor,
    actor: Actor,
    action: string,
    provider: string,
    model: string,
    before: PriceEntry | null,
    after: PriceEntry | null,
    at: string,
  ): Promise<void> {
    await this.ctx.audit.append(tx, {
      at,
      actor,
      action,
      resourceType: 'model-price',
      resourceKey: `${provider}/${model}`,
      project: null,
      environment: null,
      flag: null,
      before,
      after,
    });
  }
}

function toEntry(o: PriceOverride): PriceEntry {
  return {
    provider: o.provider,
    model: o.model,
    inputPerMillion: o.inputPerMillion,
    outputPerMillion: o.outputPerMillion,
    source: 'settings',
    updatedAt: o.updatedAt,
  };
}

/** The built-in entry of exactly this provider and model, or null. */
function builtInEntry(provider: string, model: string): PriceEntry | null {
  const price = BUILT_IN_PRICES[provider]?.[model];
  return price === undefined ? null : { provider, model, ...price, source: 'built-in' };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
