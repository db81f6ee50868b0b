import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolvePromotionPolicy } from '../stats/promotion-policy.js';
import type { PromotionArm } from '../stats/promotion-verdict.js';
import { decideStage, type StageEvidence, type StageInput } from './decide-stage.js';
import { type RolloutStage, StageKind } from './rollout-stage.js';

const HOUR_MS = 3_600_000;

function arm(overrides: Partial<PromotionArm> = {}): PromotionArm {
  return {
    units: 1_000,
    requests: 2_000,
    quality: { n: 0, sum: 0, sumSquares: 0 },
    latencyP95Ms: 1_000,
    costPerRequestUsd: 0.002,
    errors: { n: 2_000, successes: 20 },
    fallbacks: { n: 2_000, successes: 10 },
    ...overrides,
  };
}

const TEN: RolloutStage = {
  kind: StageKind.Percentage,
  percent: 10,
  minDurationMs: 24 * HOUR_MS,
  minUnitsPerArm: 100,
};
const TWENTY_FIVE: RolloutStage = { ...TEN, percent: 25 };

/** A stage at 10% whose exposures match its split, run for its whole duration, the candidate a bit better. */
function input(overrides: Partial<StageInput> = {}, evidence: Partial<StageEvidence> = {}): StageInput {
  return {
    stage: TEN,
    next: TWENTY_FIVE,
    // Errors may rise one point: 2,000 requests per arm can show that.
    policy: resolvePromotionPolicy({ maxErrorRateIncrease: 0.01 }),
    elapsedMs: 24 * HOUR_MS,
    costCapPerDayUsd: null,
    evidence: {
      control: arm({
        units: 9_000,
        requests: 18_000,
        errors: { n: 18_000, successes: 180 },
        fallbacks: { n: 18_000, successes: 90 },
      }),
      candidate: arm({ errors: { n: 2_000, successes: 14 } }),
      exposures: { control: 9_000, candidate: 1_000 },
      requestsPerDay: 20_000,
      ...evidence,
    },
    ...overrides,
  };
}

describe('decideStage', () => {
  it('advances when every check passes, and says where to', () => {
    const decision = decideStage(input());
    expect(decision.action).toBe('advance');
    expect(decision.reason).toBe('promote: every check passed at 10% → 25%');
    expect(decision.verdict.decision).toBe('promote');
    expect(decision.cost).toBeNull();
  });

  it("holds until the stage's own duration and sample are met, listing what is missing", () => {
    const short = decideStage(input({ elapsedMs: 5 * HOUR_MS, stage: { ...TEN, minUnitsPerArm: 2_000 } }));
    expect(short.action).toBe('hold');
    expect(short.reason).toMatch(/^hold: waiting on sample-size, duration/);
    expect(short.reason).toContain('candidate units 1000 of 2000');
    expect(short.reason).toContain('duration 5 h of 24 h');
    expect(short.missing).toContainEqual({
      check: 'duration',
      arm: null,
      what: 'duration-ms',
      have: 5 * HOUR_MS,
      need: 24 * HOUR_MS,
    });
    // The stage's minimum never lowers the policy's floor of 100 units.
    const floor = decideStage(
      input({ stage: { ...TEN, minUnitsPerArm: 10 } }, { candidate: arm({ units: 50 }) }),
    );
    expect(floor.reason).toContain('candidate units 50 of 100');
  });

  it('rolls back when a guardrail breaks, naming it with its figures, whatever else is short', () => {
    const decision = decideStage(
      input({ elapsedMs: HOUR_MS }, { candidate: arm({ errors: { n: 2_000, successes: 300 } }) }),
    );
    expect(decision.action).toBe('roll-back');
    expect(decision.reason).toMatch(
      /^regress: guardrail broken \(error-rate\) at 10%: error rate control 1%, candidate 15%/,
    );
    const slow = decideStage(input({}, { candidate: arm({ latencyP95Ms: 1_800 }) }));
    expect(slow.action).toBe('roll-back');
    expect(slow.reason).toContain('p95 latency control 1000 ms, candidate 1800 ms');
  });

  it('holds a percentage stage whose exposures do not match its split (sample-ratio mismatch)', () => {
    const decision = decideStage(input({}, { exposures: { control: 9_000, candidate: 1_400 } }));
    expect(decision.action).toBe('hold');
    expect(decision.reason).toMatch(/sample-ratio mismatch/);
  });

  it('does not check the sample ratio of a stage that does not randomize (segment, shadow)', () => {
    const targeting: RolloutStage = {
      kind: StageKind.Targeting,
      segment: 'beta',
      minDurationMs: 0,
      minUnitsPerArm: 100,
    };
    const decision = decideStage(
      input({ stage: targeting }, { exposures: { control: 9_000, candidate: 5_000 } }),
    );
    expect(decision.action).toBe('advance');
    const srm = decision.verdict.checks.find((c) => c.name === 'sample-ratio');
    expect(srm).toMatchObject({
      blocksPromotion: false,
      detail: 'not checked: a targeting stage does not randomize units',
    });
    const shadow: RolloutStage = {
      kind: StageKind.Shadow,
      sampleRate: 0.1,
      minDurationMs: 0,
      minUnitsPerArm: 100,
    };
    const short = decideStage(input({ stage: shadow }, { candidate: arm({ units: 40, requests: 40 }) }));
    expect(short.action).toBe('hold');
    expect(short.reason).not.toMatch(/sample-ratio/);
    expect(short.reason).toContain('candidate units 40 of 100');
  });

  it("holds on the cost cap: the candidate's spend projected at the next stage's share", () => {
    // $0.002 a request × 20,000 requests a day × 25% = $10 a day.
    const over = decideStage(input({ costCapPerDayUsd: 8 }));
    expect(over.action).toBe('hold');
    expect(over.reason).toBe(
      "hold: the candidate's projected spend at 25% is $10/day, over the cap of $8/day",
    );
    expect(over.cost).toEqual({ capPerDayUsd: 8, projectedPerDayUsd: 10, atPercent: 25, exceeds: true });
    const under = decideStage(input({ costCapPerDayUsd: 12 }));
    expect(under.action).toBe('advance');
    expect(under.cost?.exceeds).toBe(false);
    const unknown = decideStage(
      input({ costCapPerDayUsd: 12 }, { candidate: arm({ costPerRequestUsd: null }) }),
    );
    expect(unknown.action).toBe('hold');
    expect(unknown.reason).toMatch(/cannot be checked/);
  });

  it('never throws, and always answers one of its actions, whatever the figures', () => {
    const count = fc.oneof(
      fc.nat(),
      fc.constant(Number.NaN),
      fc.constant(-1),
      fc.constant(Number.POSITIVE_INFINITY),
    );
    const arb = fc.record({
      units: count,
      requests: count,
      latencyP95Ms: fc.option(fc.double(), { nil: null }),
      costPerRequestUsd: fc.option(fc.double(), { nil: null }),
      errors: fc.record({ n: count, successes: count }),
      fallbacks: fc.record({ n: count, successes: count }),
      quality: fc.record({ n: count, sum: fc.double(), sumSquares: fc.double() }),
    });
    fc.assert(
      fc.property(
        arb,
        arb,
        count,
        count,
        fc.option(fc.double(), { nil: null }),
        (control, candidate, a, b, cap) => {
          const decision = decideStage(
            input({ costCapPerDayUsd: cap }, { control, candidate, exposures: { control: a, candidate: b } }),
          );
          expect(['advance', 'hold', 'roll-back']).toContain(decision.action);
          expect(typeof decision.reason).toBe('string');
        },
      ),
      { numRuns: 300 },
    );
  });
});
