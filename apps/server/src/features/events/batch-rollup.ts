import { customMetric, errorMetric, Metric, SHADOW_PREFIX, SKETCHED_METRICS } from './event-metrics.js';
import type { ValidEvent } from './event-schemas.js';
import type { RollupDelta, UnitSighting } from './event-store.js';
import { SketchBuilder } from './sketch-builder.js';

const HOUR_MS = 3_600_000;

/**
 * One batch's contribution to the rollups, aggregated in memory first: a batch of hundreds of events
 * touches only a few rows (flags × variants × metrics × hours), each written once.
 */
export class BatchRollup {
  /** Rows by flag, variant and hour (nested: no key to build per event), then by metric. */
  private readonly groups = new Map<string, Map<string, Map<string, Group>>>();
  /** Each unit's earliest sighting by flag, then variant, then unit. */
  private readonly sightings = new Map<string, Map<string, Map<string, Sighting>>>();
  private lastHour = Number.NaN;

  /**
   * @param known Whether a unit is known to be recorded already: its sightings are not kept (the
   *   store would ignore them), which spares most of a batch's unit work once units have been seen.
   */
  constructor(private readonly known?: (flag: string, variant: string, unit: string) => boolean) {}

  private lastHourText = '';

  /** The UTC hour of a time, as the rollups key it (ISO-8601 of the hour's start). */
  hourOf(ms: number): string {
    const hour = Math.floor(ms / HOUR_MS);
    if (hour !== this.lastHour) {
      this.lastHour = hour;
      this.lastHourText = new Date(hour * HOUR_MS).toISOString();
    }
    return this.lastHourText;
  }

  /**
   * Adds an accepted event, at `ms` (its ts), with its cost when known. Units: those of exposures,
   * and of served generations and feedback (a unit that generated or gave feedback under a variant
   * was assigned it, even if its exposure has not arrived); never of shadow generations or their
   * judgements, whose variant is not the one the unit was assigned.
   */
  add(event: ValidEvent, ms: number, costUsd: number | undefined): void {
    const hour = this.hourOf(ms);
    switch (event.kind) {
      case 'exposure':
        add(this.group(event.flag, event.variant, hour), Metric.Exposures, 1);
        this.sight(event.flag, event.variant, event.unit, hour, ms);
        return;
      case 'generation': {
        const prefix = event.shadow === true ? SHADOW_PREFIX : '';
        const g = this.group(event.flag, event.variant, hour);
        add(g, prefix + Metric.Generations, 1);
        if (event.error !== undefined) {
          add(g, prefix + Metric.Errors, 1);
          add(g, prefix + errorMetric(event.error), 1);
        }
        if (event.fallbackUsed === true) add(g, prefix + Metric.Fallbacks, 1);
        add(g, prefix + Metric.LatencyMs, event.latencyMs);
        if (event.ttftMs !== undefined) add(g, prefix + Metric.TtftMs, event.ttftMs);
        if (event.inputTokens !== undefined) add(g, prefix + Metric.InputTokens, event.inputTokens);
        if (event.outputTokens !== undefined) add(g, prefix + Metric.OutputTokens, event.outputTokens);
        if (costUsd === undefined) add(g, prefix + Metric.CostUnknown, 1);
        else add(g, prefix + Metric.CostUsd, costUsd);
        if (event.shadow !== true && event.unit !== undefined)
          this.sight(event.flag, event.variant, event.unit, hour, ms);
        return;
      }
      case 'feedback': {
        const score = event.score ?? (event.thumbs === 'up' ? 1 : 0);
        const metric = event.source === 'judge' ? Metric.JudgeScore : Metric.FeedbackScore;
        const g = this.group(event.flag, event.variant, hour);
        if (event.shadow === true) {
          // A judgement of a shadow answer: the unit was never assigned its variant.
          add(g, SHADOW_PREFIX + metric, score);
          if (event.servedScore !== undefined)
            add(g, SHADOW_PREFIX + Metric.JudgePairedDifference, event.servedScore - score);
          return;
        }
        add(g, metric, score);
        if (event.unit !== undefined) this.sight(event.flag, event.variant, event.unit, hour, ms);
        return;
      }
      case 'metric':
        if (event.flag !== undefined && event.variant !== undefined) {
          add(this.group(event.flag, event.variant, hour), customMetric(event.name), event.value);
        }
        return;
    }
  }

  /** Adds another batch's rollups and sightings (copied: `other` is left as it was). */
  absorb(other: BatchRollup): void {
    for (const group of other.allGroups()) {
      const into = this.group(group.flag, group.variant, group.hour);
      for (const delta of group.values()) {
        let target = into.get(delta.metric);
        if (target === undefined) {
          target = {
            flagKey: delta.flagKey,
            hour: delta.hour,
            variantKey: delta.variantKey,
            metric: delta.metric,
            count: 0,
            sum: 0,
            sumSquares: 0,
          };
          if (delta.sketch !== undefined) target.sketch = new SketchBuilder();
          into.set(delta.metric, target);
        }
        target.count += delta.count;
        target.sum += delta.sum;
        target.sumSquares += delta.sumSquares;
        if (delta.sketch !== undefined) target.sketch?.addBuilder(delta.sketch);
      }
    }
    for (const [flag, variants] of other.sightings) {
      for (const [variant, units] of variants) {
        for (const [unit, seen] of units) this.sight(flag, variant, unit, seen.hour, seen.at);
      }
    }
  }

  /** Each unit's earliest sighting in the batch, per flag and variant. */
  units(): UnitSighting[] {
    const units: UnitSighting[] = [];
    for (const [flagKey, variants] of this.sightings) {
      for (const [variantKey, sightings] of variants) {
        for (const [unit, { hour }] of sightings) units.push({ flagKey, variantKey, unit, hour });
      }
    }
    return units;
  }

  /** Counts the units the store recorded for the first time, in the hour they were first seen. */
  addNewUnits(units: readonly UnitSighting[]): void {
    for (const u of units) add(this.group(u.flagKey, u.variantKey, u.hour), Metric.Units, 1);
  }

  /** The rows to add to, one per flag × variant × metric × hour touched. */
  rows(): RollupDelta[] {
    const rows: RollupDelta[] = [];
    for (const group of this.allGroups()) rows.push(...group.values());
    return rows;
  }

  private group(flag: string, variant: string, hour: string): Group {
    let variants = this.groups.get(flag);
    if (variants === undefined) {
      variants = new Map();
      this.groups.set(flag, variants);
    }
    let hours = variants.get(variant);
    if (hours === undefined) {
      hours = new Map();
      variants.set(variant, hours);
    }
    let group = hours.get(hour);
    if (group === undefined) {
      group = Object.assign(new Map<string, RollupDelta>(), { flag, variant, hour });
      hours.set(hour, group);
    }
    return group;
  }

  /** Every group of rows. */
  private *allGroups(): Generator<Group> {
    for (const variants of this.groups.values()) {
      for (const hours of variants.values()) yield* hours.values();
    }
  }

  private sight(flag: string, variant: string, unit: string, hour: string, at: number): void {
    if (this.known?.(flag, variant, unit) === true) return;
    let variants = this.sightings.get(flag);
    if (variants === undefined) {
      variants = new Map();
      this.sightings.set(flag, variants);
    }
    let units = variants.get(variant);
    if (units === undefined) {
      units = new Map();
      variants.set(variant, units);
    }
    const seen = units.get(unit);
    if (seen === undefined || at < seen.at) units.set(unit, { hour, at });
  }
}

/** When a unit was first seen in a batch. */
interface Sighting {
  hour: string;
  at: number;
}

/** The rows of one flag × variant × hour by metric, with what they share. */
type Group = Map<string, RollupDelta> & { flag: string; variant: string; hour: string };

function add(group: Group, metric: string, value: number): void {
  let delta = group.get(metric);
  if (delta === undefined) {
    delta = {
      flagKey: group.flag,
      hour: group.hour,
      variantKey: group.variant,
      metric,
      count: 0,
      sum: 0,
      sumSquares: 0,
    };
    if (SKETCHED_METRICS.has(metric)) delta.sketch = new SketchBuilder();
    group.set(metric, delta);
  }
  delta.count += 1;
  delta.sum += value;
  delta.sumSquares += value * value;
  delta.sketch?.accept(value);
}
