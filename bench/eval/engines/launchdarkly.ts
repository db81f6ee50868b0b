/**
 * LaunchDarkly's Node server SDK, offline through its TestData source: the flag is given as a full
 * flag model (`usePreconfiguredFlag`, because TestData's builder cannot express a percentage
 * rollout), with events and diagnostics off and logging silenced.
 *
 * `variation` returns a promise (its feature store interface is asynchronous) and the SDK has no
 * synchronous evaluation, so it is timed as callers use it: one `await client.variation(...)` per
 * evaluation. The await, not only the evaluation, is part of what an application pays.
 */
import { basicLogger, init, type LDContext } from '@launchdarkly/node-server-sdk';
import { TestData } from '@launchdarkly/node-server-sdk/integrations';
import type { AsyncEngine } from '../engine.js';
import { DEFAULT_VARIANT, FLAG_KEY, RULE, SALT, SPLIT, VARIANTS } from '../flag.js';
import type { User } from '../users.js';

/** Rollout weights total 100000 in LaunchDarkly, so one percent is this many. */
const WEIGHT_PER_PERCENT = 1_000;
const INITIALIZATION_TIMEOUT_S = 10;

function variationIndex(variant: string): number {
  const index = (VARIANTS as readonly string[]).indexOf(variant);
  if (index < 0) throw new Error(`unknown variant ${variant}`);
  return index;
}

export const flag = {
  key: FLAG_KEY,
  version: 1,
  on: true,
  salt: SALT,
  variations: [...VARIANTS],
  offVariation: variationIndex(DEFAULT_VARIANT),
  targets: [],
  contextTargets: [],
  prerequisites: [],
  rules: [
    {
      id: 'enterprise-eu-us',
      clauses: [
        { contextKind: 'user', attribute: 'tier', op: 'in', values: [RULE.tier], negate: false },
        { contextKind: 'user', attribute: 'region', op: 'in', values: [...RULE.regions], negate: false },
      ],
      variation: variationIndex(RULE.serve),
      trackEvents: false,
    },
  ],
  fallthrough: {
    rollout: {
      variations: SPLIT.map(({ variant, percent }) => ({
        variation: variationIndex(variant),
        weight: percent * WEIGHT_PER_PERCENT,
      })),
    },
  },
  trackEvents: false,
  trackEventsFallthrough: false,
  clientSideAvailability: { usingMobileKey: false, usingEnvironmentId: false },
};

export async function createLaunchDarklyEngine(): Promise<AsyncEngine<LDContext>> {
  const testData = new TestData();
  await testData.usePreconfiguredFlag(flag);
  const client = init('sdk-bench-offline', {
    updateProcessor: testData.getFactory(),
    sendEvents: false,
    diagnosticOptOut: true,
    logger: basicLogger({ level: 'none' }),
  });
  await client.waitForInitialization({ timeout: INITIALIZATION_TIMEOUT_S });
  return {
    kind: 'async',
    id: '@launchdarkly/node-server-sdk',
    packageName: '@launchdarkly/node-server-sdk',
    call: "await client.variation('llm-model', { kind: 'user', key, tier, region }, 'gpt-4o')",
    contextOf: (user: User) => ({ kind: 'user', key: user.userId, tier: user.tier, region: user.region }),
    evaluate: (context) => client.variation(FLAG_KEY, context, DEFAULT_VARIANT),
    close: () => client.close(),
  };
}
