import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { DDSketch } from '@datadog/sketches-js';
import { type CompiledSnapshot, parseDate, type SnapshotFlag } from '@switchboard/core';
import type { z } from 'zod';
import type { ServiceContext } from '../../service-context.js';
import type { EnvironmentRef, EnvironmentSnapshot } from '../evaluation/snapshot-service.js';
import { BatchRollup } from './batch-rollup.js';
import { BatchWriter } from './batch-writer.js';
import { Metric, SKETCHED_METRICS } from './event-metrics.js';
import {
  type EventProblem,
  type rejectedEventSchema,
  type ValidEvent,
  validateEvent,
} from './event-schemas.js';
import type { EventStore, RollupRow } from './event-store.js';
import type { PriceBook, PriceService } from './price-service.js';
import { costOf, type ModelPrice, normalizeProvider } from './price-table.js';
import { SketchBuilder } from './sketch-builder.js';

export type RejectedEvent = z.infer<typeof rejectedEventSchema>;

/** What `POST /api/v1/events` answers. */
export interface IngestResult {
  accepted: number;
  rejected: RejectedEvent[];
  /** The key was seen before: this is the answer it got then, and nothing changed. */
  duplicate: boolean;
}

/** One metric of one variant, merged over the hours read. */
export interface RollupAggregate {
  count: number;
  sum: number;
  sumSquares: number;
  /** For latency metrics: every value, for quantiles (`getValueAtQuantile`), within 1%. */
  sketch?: DDSketch;
}

/** One variant's rollups: its units (exact, first sightings) and its metrics by name (see `Metric`). */
export interface VariantRollups {
  units: number;
  metrics: Record<string, RollupAggregate>;
}

/** The rollups of one flag, per variant key. */
export type FlagRollups = Record<string, VariantRollups>;

/** Which rollups to read: one flag of one environment, from `from` (rounded down to its UTC hour) to `to`. */
export interface RollupsQuery {
  environmentId: string;
  flagKey: string;
  /** Inclusive: the hour containing it is included. */
  from?: Date | undefined;
  /** Exclusive: hours starting at or after it are left out. */
  to?: Date | undefined;
}

/** Which raw events to export, by their ts and fields. */
export interface ExportQuery {
  environment: EnvironmentRef & { environmentKey: string };
  from?: Date | undefined;
  to?: Date | undefined;
  kind?: string | undefined;
  flag?: string | undefined;
}

export interface EventServiceOptions {
  /** Days raw events are kept (and the oldest `ts` accepted). */
  retentionDays: number;
  /** How often expired raw events are purged (default hourly). */
  purgeIntervalMs?: number;
  /** Told of a purge that failed (it is tried again at the next interval). */
  onPurgeError?: (error: unknown) => void;
  /** Told of every ingested batch, for the operator's metrics. */
  observer?: IngestObserver;
}

/** What ingestion tells the operator's metrics. Implementations MUST NOT throw. */
export interface IngestObserver {
  /** A batch was answered: its events accepted and rejected, and whether it was a replay. */
  ingested(outcome: { accepted: number; rejected: number; duplicate: boolean }): void;
  /** A batch waited for and went through the group-commit writer in `seconds`. */
  written(seconds: number): void;
}

const DAY_MS = 86_400_000;
/** Clocks differ: an event may be stamped up to this far ahead of the server's time. */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;
const PURGE_INTERVAL_MS = 3_600_000;
/** The first purge after a start: soon, so that servers restarted more often than hourly still purge. */
const FIRST_PURGE_DELAY_MS = 60_000;
const PURGE_BATCHES_PER_STATEMENT = 500;
/** Batches read per page of an export (a batch holds up to 5,000 events). */
const EXPORT_PAGE_BATCHES = 20;
const HOUR_MS = 3_600_000;
/** Ingestion transactions one process runs at once on PostgreSQL (the pool holds 10 connections). */
const POSTGRES_WRITERS = 4;

/** What checking the events of one batch needs: the environment, its flags, the prices, the time. */
interface Admission {
  scope: EnvironmentSnapshot;
  flags: Map<string, Map<string, VariantFacts>>;
  prices: PriceBook;
  nowMs: number;
  nowText: string;
  oldestMs: number;
}

/** What the service knows of a variant to check events and price generations. */
interface VariantFacts {
  provider?: string;
  model?: string;
  pricing?: ModelPrice;
}

/**
 * Event ingestion and the rollups results read.
 *
 * Ingestion validates each event of a batch on its own (a bad one is rejected with its index and
 * field, the rest kept) against the environment's snapshot in memory, fills `ts` and the cost, and
 * folds the batch into its rollup rows in memory; then the batch record, the units seen for the first
 * time and the rollup rows are written in one transaction, shared with the batches that arrived
 * meanwhile (see {@link BatchWriter}). An idempotency key already recorded for the environment makes
 * the request a replay: it gets the first answer again and changes nothing. A key reused with a
 * different body is a replay too: the key, not the body, identifies a batch. Keys are remembered as
 * long as their raw batch is kept (the retention).
 */
export class EventService {
  private readonly flagFacts = new WeakMap<CompiledSnapshot, Map<string, Map<string, VariantFacts>>>();
  private readonly firstPurge: ReturnType<typeof setTimeout>;
  private readonly purges: ReturnType<typeof setInterval>;
  private readonly writer: BatchWriter;
  /** Events handed to the writer and not yet committed (or failed). */
  private writing = 0;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly store: EventStore,
    private readonly prices: PriceService,
    private readonly options: EventServiceOptions,
  ) {
    this.writer = new BatchWriter(
      ctx.database,
      store,
      ctx.database.dialect === 'sqlite' ? 1 : POSTGRES_WRITERS,
    );
    const purge = () => {
      this.purgeExpired().catch((error: unknown) => options.onPurgeError?.(error));
    };
    const interval = options.purgeIntervalMs ?? PURGE_INTERVAL_MS;
    this.firstPurge = setTimeout(purge, Math.min(FIRST_PURGE_DELAY_MS, interval));
    this.purges = setInterval(purge, interval);
    // Housekeeping never keeps a process alive.
    this.firstPurge.unref();
    this.purges.unref();
  }

  /** Stops the purges. */
  close(): void {
    clearTimeout(this.firstPurge);
    clearInterval(this.purges);
  }

  /** Events waiting for the writer or being written now: the depth of its queue. */
  eventsBeingWritten(): number {
    return this.writing;
  }

  /** Resolves once every batch being ingested is written (or failed): call it before closing the store. */
  flush(): Promise<void> {
    return this.writer.idle();
  }

  /**
   * Ingests one batch for the environment of `scope`.
   *
   * @example
   * await events.ingest(snapshot, 'batch-7f3a', [{ kind: 'exposure', flag: 'llm-model', variant: 'b', unit: 'u1' }]);
   */
  async ingest(
    scope: EnvironmentSnapshot,
    idempotencyKey: string,
    events: readonly unknown[],
  ): Promise<IngestResult> {
    const now = this.ctx.clock();
    const nowMs = now.getTime();
    const nowText = now.toISOString();
    // Read here, outside the writer's transaction: on SQLite's single connection, a read made from
    // inside it without its executor would wait for the transaction, which would wait for the read.
    const prices = await this.prices.book();
    const admission: Admission = {
      scope,
      flags: this.factsOf(scope.compiled),
      prices,
      nowMs,
      nowText,
      oldestMs: nowMs - this.options.retentionDays * DAY_MS,
    };
    const rollup = new BatchRollup(this.writer.knownUnitsOf(scope.environmentId));
    const accepted: ValidEvent[] = [];
    const rejected: RejectedEvent[] = [];
    for (let index = 0; index < events.length; index++) {
      const admitted = this.admit(events[index], admission);
      if ('problem' in admitted) {
        rejected.push({ index, ...admitted.problem });
        continue;
      }
      rollup.add(admitted.event, admitted.at, admitted.costUsd);
      accepted.push(admitted.event);
    }

    const response = { accepted: accepted.length, rejected };
    const writeStarted = performance.now();
    this.writing += accepted.length;
    const stored = await this.writer
      .write({
        record: {
          environmentId: scope.environmentId,
          idempotencyKey,
          receivedAt: nowText,
          response: JSON.stringify(response),
          // Level 1: a tenth of the bytes for a fraction of the time the writes it saves would take.
          events: deflateRawSync(JSON.stringify(accepted), { level: 1 }),
          eventCount: accepted.length,
        },
        rollup,
      })
      .finally(() => {
        this.writing -= accepted.length;
      });
    this.options.observer?.written((performance.now() - writeStarted) / 1000);
    if (stored !== undefined) {
      const first = JSON.parse(stored) as Omit<IngestResult, 'duplicate'>;
      this.options.observer?.ingested({ accepted: 0, rejected: 0, duplicate: true });
      return { accepted: first.accepted, rejected: first.rejected, duplicate: true };
    }
    this.options.observer?.ingested({
      accepted: accepted.length,
      rejected: rejected.length,
      duplicate: false,
    });
    return { ...response, duplicate: false };
  }

  /**
   * Checks one event of a batch (its kind's schema, its time, its flag and variant in the snapshot)
   * and fills in what the server adds: `ts` when missing, and the cost of a generation when it can.
   */
  private admit(
    raw: unknown,
    a: Admission,
  ): { event: ValidEvent; at: number; costUsd: number | undefined } | { problem: EventProblem } {
    const valid = validateEvent(raw);
    if ('problem' in valid) return valid;
    const event = valid.event;
    const at = event.ts === undefined ? a.nowMs : (parseDate(event.ts) as number);
    if (at > a.nowMs + MAX_FUTURE_SKEW_MS) {
      return { problem: { field: 'ts', message: 'is more than 5 minutes ahead of the server' } };
    }
    if (at < a.oldestMs) {
      const message = `is older than the ${this.options.retentionDays}-day retention of events`;
      return { problem: { field: 'ts', message } };
    }
    let variant: VariantFacts | undefined;
    if (event.kind !== 'metric' || event.flag !== undefined) {
      const flagKey = event.flag as string;
      const variants = a.flags.get(flagKey);
      if (variants === undefined) {
        const where = `${a.scope.projectKey}/${a.scope.environmentKey}`;
        return { problem: { field: 'flag', message: `no flag ${JSON.stringify(flagKey)} in ${where}` } };
      }
      variant = variants.get(event.variant as string);
      if (variant === undefined) {
        const message = `flag ${JSON.stringify(flagKey)} has no variant ${JSON.stringify(event.variant)}`;
        return { problem: { field: 'variant', message } };
      }
    }
    event.ts = event.ts === undefined ? a.nowText : new Date(at).toISOString();
    let costUsd: number | undefined;
    if (event.kind === 'generation') {
      costUsd = event.costUsd ?? this.costOf(event, variant, a.prices);
      if (costUsd !== undefined) event.costUsd = costUsd;
    }
    return { event, at, costUsd };
  }

  /**
   * The rollups of one flag, merged over the hours asked: per variant, its units and each metric's
   * count, sum, sum of squares and (latency) sketch. Reads rollup rows only, never raw events, and
   * merges each metric's sketches once.
   *
   * @example
   * const byVariant = await events.rollupsFor({ environmentId, flagKey: 'llm-model' });
   * byVariant.candidate?.metrics.latency_ms?.sketch?.getValueAtQuantile(0.95);
   */
  async rollupsFor(query: RollupsQuery): Promise<FlagRollups> {
    return (await this.rollupsSpan(query)).rollups;
  }

  /**
   * {@link rollupsFor}, with the starts of the first and last UTC hours that hold any rollup (null
   * when none), from the same read: how long the data spans.
   */
  async rollupsSpan(
    query: RollupsQuery,
  ): Promise<{ rollups: FlagRollups; firstHour: Date | null; lastHour: Date | null }> {
    const { rows, firstHour, lastHour } = await this.store.rollupTotals(this.rollupQuery(query), [
      ...SKETCHED_METRICS,
    ]);
    return {
      rollups: merge(rows),
      firstHour: firstHour === null ? null : new Date(firstHour),
      lastHour: lastHour === null ? null : new Date(lastHour),
    };
  }

  /** The same rollups per UTC hour, oldest first, for charts. */
  async rollupSeries(query: RollupsQuery): Promise<{ hour: string; variants: FlagRollups }[]> {
    const rows = await this.store.rollups(this.rollupQuery(query));
    const byHour = new Map<string, RollupRow[]>();
    for (const row of rows) {
      const list = byHour.get(row.hour);
      if (list === undefined) byHour.set(row.hour, [row]);
      else list.push(row);
    }
    return [...byHour].map(([hour, hourRows]) => ({ hour, variants: merge(hourRows) }));
  }

  /**
   * The raw events of an environment still kept, in the order received, as NDJSON lines (each event
   * with its server-filled `ts` and cost, and its environment). Reads the store a page at a time as
   * the consumer pulls.
   */
  async *exportEvents(query: ExportQuery): AsyncGenerator<string> {
    const from = query.from?.toISOString();
    const to = query.to?.toISOString();
    // An event's ts is at most MAX_FUTURE_SKEW_MS after its receipt: batches received earlier hold
    // nothing from `from` on.
    const receivedFrom =
      query.from === undefined
        ? undefined
        : new Date(query.from.getTime() - MAX_FUTURE_SKEW_MS).toISOString();
    const environment = query.environment.environmentKey;
    let after = 0;
    for (;;) {
      const page = await this.store.batches(
        query.environment.environmentId,
        after,
        receivedFrom,
        EXPORT_PAGE_BATCHES,
      );
      for (const batch of page) {
        let lines = '';
        const events = JSON.parse(inflateRawSync(batch.events).toString('utf8')) as (ValidEvent & {
          ts: string;
        })[];
        for (const event of events) {
          if (from !== undefined && event.ts < from) continue;
          if (to !== undefined && event.ts >= to) continue;
          if (query.kind !== undefined && event.kind !== query.kind) continue;
          if (query.flag !== undefined && event.flag !== query.flag) continue;
          lines += `${JSON.stringify({ ...event, environment })}\n`;
        }
        if (lines !== '') yield lines;
      }
      const last = page[page.length - 1];
      if (last === undefined || page.length < EXPORT_PAGE_BATCHES) return;
      after = last.id;
    }
  }

  /** Deletes raw events received before the retention; returns how many batches went. Rollups stay. */
  async purgeExpired(): Promise<number> {
    const before = new Date(this.ctx.clock().getTime() - this.options.retentionDays * DAY_MS).toISOString();
    let total = 0;
    for (;;) {
      const purged = await this.store.purge(before, PURGE_BATCHES_PER_STATEMENT);
      total += purged;
      if (purged < PURGE_BATCHES_PER_STATEMENT) return total;
    }
  }

  private rollupQuery(query: RollupsQuery) {
    return {
      environmentId: query.environmentId,
      flagKey: query.flagKey,
      fromHour:
        query.from === undefined
          ? undefined
          : new Date(Math.floor(query.from.getTime() / HOUR_MS) * HOUR_MS).toISOString(),
      toHour: query.to?.toISOString(),
    };
  }

  /**
   * A generation's cost from its tokens: the variant's own `pricing` when the served model is the
   * variant's own, else the price table (settings, then built in); undefined when unknown.
   */
  private costOf(
    event: Extract<ValidEvent, { kind: 'generation' }>,
    variant: VariantFacts | undefined,
    prices: PriceBook,
  ): number | undefined {
    const own =
      variant?.pricing !== undefined &&
      variant.model === event.model &&
      (variant.provider === undefined ||
        normalizeProvider(variant.provider) === normalizeProvider(event.provider));
    const price = own ? variant?.pricing : prices.priceOf(event.provider, event.model);
    return price === undefined ? undefined : costOf(price, event.inputTokens, event.outputTokens);
  }

  /** Flags and variants of a compiled snapshot, indexed once per snapshot. */
  private factsOf(compiled: CompiledSnapshot): Map<string, Map<string, VariantFacts>> {
    const known = this.flagFacts.get(compiled);
    if (known !== undefined) return known;
    const flags = new Map<string, Map<string, VariantFacts>>();
    for (const flag of compiled.source.flags as SnapshotFlag[]) {
      const variants = new Map<string, VariantFacts>();
      for (const v of flag.variants ?? []) variants.set(v.key, factsOf(v.value));
      flags.set(flag.key, variants);
    }
    this.flagFacts.set(compiled, flags);
    return flags;
  }
}

/** What an ai-config value says of its model and price; nothing for other values. */
function factsOf(value: unknown): VariantFacts {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  const v = value as { provider?: unknown; model?: unknown; pricing?: unknown };
  const facts: VariantFacts = {};
  if (typeof v.provider === 'string') facts.provider = v.provider;
  if (typeof v.model === 'string') facts.model = v.model;
  const pricing = v.pricing as { inputPerMillion?: unknown; outputPerMillion?: unknown } | undefined;
  if (
    pricing !== null &&
    typeof pricing === 'object' &&
    typeof pricing.inputPerMillion === 'number' &&
    typeof pricing.outputPerMillion === 'number'
  ) {
    facts.pricing = { inputPerMillion: pricing.inputPerMillion, outputPerMillion: pricing.outputPerMillion };
  }
  return facts;
}

/** Sums rows per variant and metric; each metric's sketches are merged into one. */
function merge(rows: readonly RollupRow[]): FlagRollups {
  const variants = new Map<string, Map<string, { aggregate: RollupAggregate; sketch?: SketchBuilder }>>();
  for (const row of rows) {
    let metrics = variants.get(row.variantKey);
    if (metrics === undefined) {
      metrics = new Map();
      variants.set(row.variantKey, metrics);
    }
    let entry = metrics.get(row.metric);
    if (entry === undefined) {
      entry = { aggregate: { count: 0, sum: 0, sumSquares: 0 } };
      metrics.set(row.metric, entry);
    }
    entry.aggregate.count += row.count;
    entry.aggregate.sum += row.sum;
    entry.aggregate.sumSquares += row.sumSquares;
    if (row.sketch !== null) {
      entry.sketch ??= new SketchBuilder();
      entry.sketch.addEncoded(row.sketch);
    }
  }
  const result: FlagRollups = {};
  for (const [variant, metrics] of variants) {
    const out: Record<string, RollupAggregate> = {};
    for (const [metric, { aggregate, sketch }] of metrics) {
      if (sketch === undefined) {
        out[metric] = aggregate;
      } else {
        const merged = sketch.toSketch();
        // The encoding carries counts only; the sum is the row's.
        merged.sum = aggregate.sum;
        out[metric] = { ...aggregate, sketch: merged };
      }
    }
    result[variant] = { units: out[Metric.Units]?.count ?? 0, metrics: out };
  }
  return result;
}
