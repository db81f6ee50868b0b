import type { Serve } from '@switchboard/core';
import { type PromotionPolicy, resolvePromotionPolicy } from '@switchboard/core/stats';
import { NotFoundError, ValidationError, VersionConflictError } from '../../http/errors.js';
import type { Actor, ServiceContext } from '../../service-context.js';
import { Metric } from '../events/event-metrics.js';
import type { EventService, VariantRollups } from '../events/event-service.js';
import type { FlagService } from '../flags/flag-service.js';
import type { VersionedConfig } from '../flags/flag-store.js';
import type { ProjectService } from '../projects/project-service.js';
import { computeResults, type ExperimentResults } from './experiment-results.js';
import type { PolicySettings, PolicyView } from './experiment-schemas.js';
import type { PolicyStore, StoredPolicy } from './policy-store.js';
import type { SeriesFigures, SeriesPoint } from './results-view.js';

export type { SeriesFigures, SeriesPoint } from './results-view.js';

/** Which results to compute. */
export interface ResultsRequest {
  from?: Date | undefined;
  to?: Date | undefined;
  /** Compare against this variant instead of the configured control. */
  control?: string | undefined;
}

/**
 * Experiment results and promotion policies (DESIGN.md §5): per-variant figures from the rollups, each
 * candidate against the control, and the verdict of the flag's policy in the environment.
 */
export class ExperimentService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly store: PolicyStore,
    private readonly projects: ProjectService,
    private readonly flags: FlagService,
    private readonly events: EventService,
  ) {}

  async getPolicy(projectKey: string, flagKey: string, environmentKey: string): Promise<PolicyView> {
    const { environment } = await this.projects.resolve(projectKey, environmentKey);
    await this.flags.get(projectKey, flagKey);
    return policyView(flagKey, environmentKey, await this.store.get(environment.id, flagKey));
  }

  /** Replaces the policy, refused (409) unless `expected` is the version stored (0: none yet). Audited. */
  async setPolicy(
    projectKey: string,
    flagKey: string,
    environmentKey: string,
    input: { control?: string | null | undefined; policy: PolicySettings },
    expected: number,
    actor: Actor,
  ): Promise<PolicyView> {
    const { project, environment } = await this.projects.resolve(projectKey, environmentKey);
    const flag = await this.flags.get(projectKey, flagKey);
    const control = input.control ?? null;
    if (control !== null && !flag.variants.some((v) => v.key === control))
      throw new ValidationError(
        'body.control',
        `unknown variant ${JSON.stringify(control)} of flag ${flagKey}`,
      );
    const at = this.ctx.clock().toISOString();
    const after = await this.ctx.database.db.transaction().execute(async (tx) => {
      const before = await this.store.get(environment.id, flagKey, tx);
      const current = before?.version ?? 0;
      const next = { control, settings: input.policy, updatedAt: at };
      if (current !== expected || !(await this.store.put(tx, environment.id, flagKey, expected, next))) {
        const latest = (await this.store.get(environment.id, flagKey, tx))?.version ?? current;
        throw new VersionConflictError('promotion policy of flag', flagKey, expected, latest);
      }
      const stored = { ...next, version: expected + 1 };
      await this.ctx.audit.append(tx, {
        at,
        actor,
        action: 'flag.policy.update',
        resourceType: 'promotion-policy',
        resourceKey: flagKey,
        project: project.key,
        environment: environmentKey,
        flag: flagKey,
        before: before === undefined ? null : policyView(flagKey, environmentKey, before),
        after: policyView(flagKey, environmentKey, stored),
      });
      return stored;
    });
    return policyView(flagKey, environmentKey, after);
  }

  /**
   * Results of a flag in an environment over a window (all data when none), grouped by assigned
   * variant. Reads rollups only: the cost does not grow with the number of events.
   */
  async results(
    projectKey: string,
    flagKey: string,
    environmentKey: string,
    request: ResultsRequest = {},
  ): Promise<ExperimentResults> {
    const { environment } = await this.projects.resolve(projectKey, environmentKey);
    const flag = await this.flags.get(projectKey, flagKey);
    if (request.from !== undefined && request.to !== undefined && request.from >= request.to)
      throw new ValidationError('querystring.to', 'must be after from');
    if (request.control !== undefined && !flag.variants.some((v) => v.key === request.control))
      throw new ValidationError('querystring.control', `unknown variant ${JSON.stringify(request.control)}`);
    const config = flag.environments[environmentKey];
    if (config === undefined) throw new NotFoundError('environment', environmentKey);
    const stored = await this.store.get(environment.id, flagKey);
    const span = await this.events.rollupsSpan({
      environmentId: environment.id,
      flagKey,
      from: request.from,
      to: request.to,
    });
    return computeResults({
      flag: flagKey,
      environment: environmentKey,
      variants: flag.variants.map((v) => v.key),
      control: request.control ?? stored?.control ?? controlOf(flag, config),
      rollups: span.rollups,
      split: splitOf(config.fallthrough),
      policy: effectivePolicy(stored),
      from: request.from ?? null,
      to: request.to ?? null,
      firstHour: span.firstHour,
      lastHour: span.lastHour,
      now: this.ctx.clock(),
    });
  }

  /** Per UTC hour and variant, the figures charts draw (for the dashboard's time series). */
  async series(
    projectKey: string,
    flagKey: string,
    environmentKey: string,
    request: Pick<ResultsRequest, 'from' | 'to'> = {},
  ): Promise<SeriesPoint[]> {
    const { environment } = await this.projects.resolve(projectKey, environmentKey);
    await this.flags.get(projectKey, flagKey);
    const hours = await this.events.rollupSeries({
      environmentId: environment.id,
      flagKey,
      from: request.from,
      to: request.to,
    });
    return hours.map(({ hour, variants }) => ({
      hour,
      variants: Object.fromEntries(
        Object.entries(variants).map(([variant, rollups]) => [variant, seriesFigures(rollups)]),
      ),
    }));
  }
}

function seriesFigures(rollups: VariantRollups): SeriesFigures {
  const get = (name: string) => rollups.metrics[name];
  const requests = get(Metric.Generations)?.count ?? 0;
  const ratio = (part: number | undefined, whole: number | undefined) =>
    whole === undefined || whole === 0 ? null : (part ?? 0) / whole;
  const latency = get(Metric.LatencyMs)?.sketch;
  const quantile = (q: number) =>
    latency === undefined || latency.count === 0 ? null : latency.getValueAtQuantile(q);
  const cost = get(Metric.CostUsd);
  const feedback = get(Metric.FeedbackScore);
  return {
    units: rollups.units,
    exposures: get(Metric.Exposures)?.count ?? 0,
    requests,
    errorRate: ratio(get(Metric.Errors)?.count, requests),
    fallbackRate: ratio(get(Metric.Fallbacks)?.count, requests),
    latencyP50Ms: quantile(0.5),
    latencyP95Ms: quantile(0.95),
    costUsd: cost?.sum ?? 0,
    costPerRequestUsd: ratio(cost?.sum, cost?.count),
    quality: ratio(feedback?.sum, feedback?.count),
  };
}

/** The policy in force: stored settings over the playbook's defaults. */
export function effectivePolicy(stored: Pick<StoredPolicy, 'settings'> | undefined): PromotionPolicy {
  const settings = stored?.settings ?? {};
  // null in the stored settings means "no limit": the same as leaving the field out.
  const defined = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== null));
  return resolvePromotionPolicy(defined as Partial<PromotionPolicy>);
}

function policyView(flag: string, environment: string, stored: StoredPolicy | undefined): PolicyView {
  return {
    flag,
    environment,
    control: stored?.control ?? null,
    settings: stored?.settings ?? {},
    policy: { ...effectivePolicy(stored) },
    version: stored?.version ?? 0,
    updatedAt: stored?.updatedAt ?? null,
  };
}

/**
 * The control when no policy names one: a variant keyed `control`, else the environment's off variant
 * when the split serves it, else the split's last entry (its first is the treatment of a ramp,
 * DESIGN.md §3), else the flag's first variant.
 */
export function controlOf(
  flag: { variants: readonly { key: string }[] },
  config: Pick<VersionedConfig, 'offVariant' | 'fallthrough'>,
): string {
  const split = splitOf(config.fallthrough);
  const inSplit = (key: string | null) => key !== null && split !== null && key in split;
  if (flag.variants.some((v) => v.key === 'control')) return 'control';
  if (inSplit(config.offVariant)) return config.offVariant as string;
  if ('split' in config.fallthrough) {
    const last = config.fallthrough.split[config.fallthrough.split.length - 1];
    if (last !== undefined) return last.variant;
  }
  return flag.variants[0]?.key ?? 'control';
}

/** A split serve as variant → weight (weights of a variant listed twice add up); null for a fixed serve. */
export function splitOf(serve: Serve): Record<string, number> | null {
  if (!('split' in serve)) return null;
  const weights: Record<string, number> = {};
  for (const entry of serve.split) weights[entry.variant] = (weights[entry.variant] ?? 0) + entry.weight;
  return weights;
}
