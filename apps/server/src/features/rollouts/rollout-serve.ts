import { BUCKET_SCALE, type Rule, type Serve } from '@switchboard/core';
import { candidateWeight, type RolloutStage, StageKind } from '@switchboard/core/rollout';
import type { EnvironmentPatch } from '../flags/flag-service.js';
import type { VersionedConfig } from '../flags/flag-store.js';

/** The parts of a plan that decide what the flag serves. */
export interface PlanServe {
  id: string;
  candidate: string;
  control: string;
}

/** The id of the rule a plan's targeting stage adds (and removes when it moves on). */
export function rolloutRuleId(planId: string): string {
  return `rollout-${planId.slice(0, 8)}`;
}

function bucketByOf(serve: Serve): string | undefined {
  return 'split' in serve ? serve.bucketBy : undefined;
}

/**
 * The candidate first, then the control (DESIGN.md §3: raising the first entry only adds units). Even
 * a 0% or 100% share is served as a split: evaluations it serves send exposures, which measure each
 * arm's units in a stage.
 */
function split(plan: PlanServe, weight: number, bucketBy: string | undefined): Serve {
  return {
    split: [
      { variant: plan.candidate, weight },
      { variant: plan.control, weight: BUCKET_SCALE - weight },
    ],
    ...(bucketBy === undefined ? {} : { bucketBy }),
  };
}

/** Rules as a patch carries them (stored rules are what patches wrote: the same shape). */
type PatchRules = NonNullable<EnvironmentPatch['rules']>;

function otherRules(config: VersionedConfig, plan: PlanServe): PatchRules {
  const id = rolloutRuleId(plan.id);
  return config.rules.filter((r) => r.id !== id) as PatchRules;
}

/** The shadow a stage leaves in place: the plan's own (of the candidate) goes, anyone else's stays. */
function shadowAfter(config: VersionedConfig, plan: PlanServe): Pick<EnvironmentPatch, 'shadow'> {
  return config.shadow?.variant === plan.candidate ? { shadow: null } : {};
}

/** The candidate's weight in the fallthrough a stage serves. */
function stageWeight(stage: RolloutStage): number {
  return stage.kind === StageKind.Percentage ? candidateWeight(stage.percent) : 0;
}

/**
 * The change that makes a flag's environment serve a stage, from its current configuration: the
 * fallthrough split (candidate first, keeping its `bucketBy`), the targeting stage's rule first among
 * the rules (the segment gets the candidate, as a 100% split), the shadow stage's shadow. Other rules,
 * targets and prerequisites stay as they are.
 */
export function stagePatch(config: VersionedConfig, plan: PlanServe, stage: RolloutStage): EnvironmentPatch {
  const bucketBy = bucketByOf(config.fallthrough);
  const rules = otherRules(config, plan);
  const fallthrough = split(plan, stageWeight(stage), bucketBy);
  switch (stage.kind) {
    case StageKind.Shadow:
      return {
        fallthrough,
        rules,
        shadow: { variant: plan.candidate, sampleRate: stage.sampleRate },
      };
    case StageKind.Targeting: {
      const rule: Rule = {
        id: rolloutRuleId(plan.id),
        description: `Rollout: segment ${stage.segment} gets ${plan.candidate}`,
        clauses: [{ attribute: '', op: 'inSegment', values: [stage.segment] }],
        serve: split(plan, BUCKET_SCALE, bucketBy),
      };
      return { fallthrough, rules: [rule as PatchRules[number], ...rules], ...shadowAfter(config, plan) };
    }
    case StageKind.Percentage:
      return { fallthrough, rules, ...shadowAfter(config, plan) };
  }
}

/** The change that serves the control to everyone: the fallthrough, and nothing of the plan left. */
export function rollbackPatch(config: VersionedConfig, plan: PlanServe): EnvironmentPatch {
  return {
    fallthrough: { variant: plan.control },
    rules: otherRules(config, plan),
    ...shadowAfter(config, plan),
  };
}

/** The candidate's and control's weights in a split serve; null when the serve is not a split of them. */
function weightsOf(serve: Serve, plan: PlanServe): { candidate: number; control: number } | null {
  if (!('split' in serve)) return null;
  let candidate = 0;
  let control = 0;
  for (const entry of serve.split) {
    if (entry.variant === plan.candidate) candidate += entry.weight;
    else if (entry.variant === plan.control) control += entry.weight;
    else if (entry.weight > 0) return null;
  }
  return { candidate, control };
}

/**
 * Whether the configuration still serves the stage as the plan wrote it: the fallthrough splits the
 * candidate and the control as the stage says, and a targeting stage's rule is there. Anything else
 * means someone changed the flag's serving outside the rollout.
 */
export function servesStage(config: VersionedConfig, plan: PlanServe, stage: RolloutStage): boolean {
  const weights = weightsOf(config.fallthrough, plan);
  const expected = stageWeight(stage);
  if (weights === null || weights.candidate !== expected || weights.control !== BUCKET_SCALE - expected)
    return false;
  if (stage.kind === StageKind.Targeting) return config.rules.some((r) => r.id === rolloutRuleId(plan.id));
  return true;
}

/** `split candidate 5% / control 95%`, `control`: a fallthrough for messages. */
export function describeServe(serve: Serve): string {
  if (!('split' in serve)) return serve.variant;
  return `split ${serve.split.map((e) => `${e.variant} ${e.weight / 1000}%`).join(' / ')}`;
}
