/**
 * Switchboard's evaluator as the SDK calls it: the snapshot compiled once, then one `evaluate` per
 * user with the context as the application passes it.
 */
import { compileSnapshot, evaluate, type Snapshot } from '@switchboard/core';
import type { SyncEngine } from '../engine.js';
import { DEFAULT_VARIANT, FLAG_KEY, RULE, SALT, SPLIT, VARIANTS } from '../flag.js';
import type { User } from '../users.js';

/** Weights are in units of 0.001%, so one percent is this many. */
const WEIGHT_PER_PERCENT = 1_000;

interface SwitchboardContext {
  targetingKey: string;
  tier: string;
  region: string;
}

export const snapshot: Snapshot = {
  environment: 'production',
  version: 1,
  segments: [],
  flags: [
    {
      key: FLAG_KEY,
      kind: 'string',
      salt: SALT,
      variants: VARIANTS.map((key) => ({ key, value: key })),
      enabled: true,
      targets: [],
      prerequisites: [],
      version: 1,
      rules: [
        {
          id: 'enterprise-eu-us',
          clauses: [
            { attribute: 'tier', op: 'equals', values: [RULE.tier] },
            { attribute: 'region', op: 'in', values: [...RULE.regions] },
          ],
          serve: { variant: RULE.serve },
        },
      ],
      fallthrough: {
        split: SPLIT.map(({ variant, percent }) => ({ variant, weight: percent * WEIGHT_PER_PERCENT })),
      },
    },
  ],
};

export function createSwitchboardEngine(): SyncEngine<SwitchboardContext> {
  const compiled = compileSnapshot(snapshot);
  return {
    kind: 'sync',
    id: 'switchboard',
    packageName: '@switchboard/core',
    call: "evaluate(compiled, 'llm-model', context, 'gpt-4o').value",
    contextOf: (user: User) => ({ targetingKey: user.userId, tier: user.tier, region: user.region }),
    evaluate: (context) => evaluate(compiled, FLAG_KEY, context, DEFAULT_VARIANT as string).value,
  };
}
