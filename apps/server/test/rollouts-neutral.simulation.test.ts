import { DDSketch } from '@datadog/sketches-js';
import { bucketOf } from '@switchboard/core';
import {
  candidateWeight,
  completesRollout,
  decideStage,
  presetStages,
  type RolloutStage,
  StageAction,
  StageKind,
} from '@switchboard/core/rollout';
import { type PromotionPolicy, resolvePromotionPolicy } from '@switchboard/core/stats';
import { describe, expect, it } from 'vitest';
import { Metric } from '../src/features/events/event-metrics.js';
import type { FlagRollups, RollupAggregate } from '../src/features/events/event-service.js';
import { SKETCH_RELATIVE_ACCURACY } from '../src/features/events/sketch-builder.js';
import { SCENARIOS } from '../src/features/rollouts/simulation-scenarios.js';
import { measureStage } from '../src/features/rollouts/stage-evidence.js';
import { HOUR_MS, seeded } from './rollout-fixtures.js';

/**
 * (c) A candidate no different from the control must not be rolled back more often than the policy's
 * error rate (alpha) allows. Run over many seeds without the server (a full run per seed through HTTP
 * would take minutes): per seed, simulated users make requests under the flag's real bucketing, each
 * stage's requests are rolled up as the server rolls them up (counts, sums, a DDSketch of latency,
 * exposures once per unit and stage), and the scheduler's decision path — `measureStage` then core's
 * `decideStage` with the preset's stages — looks at them every 30 simulated minutes (the scheduler
 * ticks every minute, but the figures it reads change as events arrive: many looks is what matters).
 */

const NEUTRAL = SCENARIOS.neutral.candidate;
const SEEDS = 200;
const USERS = 2_000;
const REQUESTS_PER_HOUR = 300;
const LOOK_EVERY_MS = 30 * 60_000;
const MAX_HOURS = 24 * 5;
const FEEDBACK_SHARE = 0.4;

interface Arm {
  exposed: Set<number>;
  metrics: Map<string, RollupAggregate>;
}

function emptyArm(): Arm {
  return { exposed: new Set(), metrics: new Map() };
}

function add(arm: Arm, metric: string, value: number, sketched = false): void {
  let m = arm.metrics.get(metric);
  if (m === undefined) {
    m = {
      count: 0,
      sum: 0,
      sumSquares: 0,
      ...(sketched ? { sketch: new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY }) } : {}),
    };
    arm.metrics.set(metric, m);
  }
  m.count += 1;
  m.sum += value;
  m.sumSquares += value * value;
  m.sketch?.accept(value);
}

function rollupsOf(arms: Record<string, Arm>): FlagRollups {
  const rollups: FlagRollups = {};
  for (const [variant, arm] of Object.entries(arms)) {
    const metrics: Record<string, RollupAggregate> = {};
    for (const [name, m] of arm.metrics) metrics[name] = m;
    rollups[variant] = { units: arm.exposed.size, metrics };
  }
  return rollups;
}

type Outcome = 'completed' | 'rolled-back' | 'held';

interface PlanRun {
  outcome: Outcome;
  stage: number;
  hours: number;
  /** The checks the last look was held by (for a plan still holding). */
  heldBy: string[];
}

/** One rollout of a neutral candidate through the prompt preset (10% → 25% → 50% → 100%, 24 h each). */
function runPlan(seed: number, policy: PromotionPolicy): PlanRun {
  const random = seeded(seed);
  const salt = `neutral-${seed}`;
  const buckets = Array.from({ length: USERS }, (_, u) => bucketOf(salt, `user-${u}`));
  const stages: RolloutStage[] = presetStages('prompt');
  const plan = { candidate: 'candidate', control: 'control' };
  let index = 0;
  let stageStart = 0;
  let heldBy: string[] = [];
  let arms: Record<string, Arm> = { control: emptyArm(), candidate: emptyArm() };
  const perLook = (REQUESTS_PER_HOUR * LOOK_EVERY_MS) / HOUR_MS;
  for (let now = LOOK_EVERY_MS; now <= MAX_HOURS * HOUR_MS; now += LOOK_EVERY_MS) {
    const stage = stages[index] as RolloutStage;
    const weight = stage.kind === StageKind.Percentage ? candidateWeight(stage.percent) : 0;
    for (let r = 0; r < perLook; r++) {
      const user = Math.floor(random() * USERS);
      const variant = (buckets[user] as number) < weight ? 'candidate' : 'control';
      const arm = arms[variant] as Arm;
      if (!arm.exposed.has(user)) {
        arm.exposed.add(user);
        add(arm, Metric.Exposures, 1);
      }
      const failed = random() < NEUTRAL.errorRate;
      add(arm, Metric.Generations, 1);
      if (failed) add(arm, Metric.Errors, 1);
      if (!failed && random() < NEUTRAL.fallbackRate) add(arm, Metric.Fallbacks, 1);
      add(arm, Metric.LatencyMs, NEUTRAL.latencyMs * (0.6 + 0.8 * random()), true);
      add(arm, Metric.CostUsd, 0.0025);
      if (!failed && random() < FEEDBACK_SHARE)
        add(arm, Metric.FeedbackScore, random() < NEUTRAL.upRate ? 1 : 0);
    }
    const windowMs = now - stageStart;
    const measured = measureStage(rollupsOf(arms), plan, stage, windowMs);
    const decision = decideStage({
      stage,
      next: stages[index + 1],
      policy,
      evidence: measured.evidence,
      elapsedMs: windowMs,
    });
    const hours = now / HOUR_MS;
    if (decision.action === StageAction.RollBack)
      return { outcome: 'rolled-back', stage: index, hours, heldBy };
    if (decision.action === StageAction.Advance) {
      index += 1;
      if (completesRollout(stages[index] as RolloutStage))
        return { outcome: 'completed', stage: index, hours, heldBy: [] };
      // A new stage counts its own data; every unit is exposed again under the new configuration.
      stageStart = now;
      arms = { control: emptyArm(), candidate: emptyArm() };
    }
    heldBy = decision.verdict.checks.filter((c) => c.blocksPromotion).map((c) => c.name);
  }
  return { outcome: 'held', stage: index, hours: MAX_HOURS, heldBy };
}

function runSeeds(policy: PromotionPolicy, seeds = SEEDS) {
  const counts: Record<Outcome, number> = { completed: 0, 'rolled-back': 0, held: 0 };
  const heldBy = new Map<string, number>();
  const stages = new Map<number, number>();
  for (let seed = 1; seed <= seeds; seed++) {
    const run = runPlan(seed, policy);
    counts[run.outcome] += 1;
    if (run.outcome !== 'held') continue;
    stages.set(run.stage, (stages.get(run.stage) ?? 0) + 1);
    for (const check of run.heldBy) heldBy.set(check, (heldBy.get(check) ?? 0) + 1);
  }
  return { counts, heldBy: Object.fromEntries(heldBy), heldInStage: Object.fromEntries(stages) };
}

describe('(c) a neutral candidate over many seeds', () => {
  it(`is rolled back no more often than the policy's alpha allows (${SEEDS} seeds × ${MAX_HOURS} h, the prompt preset)`, () => {
    const policy = resolvePromotionPolicy({});
    const result = runSeeds(policy);
    console.log(
      `[simulation c] ${SEEDS} seeds, neutral candidate, default policy (always-valid intervals), ${(MAX_HOURS * HOUR_MS) / LOOK_EVERY_MS} looks each: ${JSON.stringify(result)}`,
    );
    expect(result.counts['rolled-back'] / SEEDS).toBeLessThanOrEqual(policy.alpha);
    // What a neutral candidate waits for is evidence that it is not worse (the non-inferiority margins),
    // never a broken split: the stage's exposures match its weights.
    expect(result.heldBy['sample-ratio'] ?? 0).toBe(0);
  });

  it('is promoted through every stage under margins its traffic can show, still without rollbacks beyond alpha', () => {
    // Margins a few hundred requests per arm can establish: errors may rise 2 points, quality drop 0.1.
    const policy = resolvePromotionPolicy({ maxErrorRateIncrease: 0.02, qualityDelta: 0.1 });
    const seeds = SEEDS / 2;
    const result = runSeeds(policy, seeds);
    console.log(`[simulation c] ${seeds} seeds, neutral candidate, wider margins: ${JSON.stringify(result)}`);
    expect(result.counts['rolled-back'] / seeds).toBeLessThanOrEqual(policy.alpha);
    expect(result.counts.completed).toBeGreaterThan(seeds / 2);
  });
});
