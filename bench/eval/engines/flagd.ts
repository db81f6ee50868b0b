/**
 * flagd's in-process evaluator (`FlagdCore`, what the flagd OpenFeature provider runs in-process),
 * loaded from a flagd flag configuration string. Targeting is compiled json-logic (the default
 * mode): `if` with `and`, `==` and `in` for the rule, then `fractional` for the split, bucketing
 * on the flag key plus the targeting key (fractional's default).
 */
import { FlagdCore } from '@openfeature/flagd-core';
import type { SyncEngine } from '../engine.js';
import { DEFAULT_VARIANT, FLAG_KEY, RULE, SPLIT, VARIANTS } from '../flag.js';
import type { User } from '../users.js';

// A type alias, not an interface: OpenFeature's EvaluationContext is an index signature.
type FlagdContext = { targetingKey: string; tier: string; region: string };

export const flagConfiguration = {
  $schema: 'https://flagd.dev/schema/v0/flags.json',
  flags: {
    [FLAG_KEY]: {
      state: 'ENABLED',
      variants: Object.fromEntries(VARIANTS.map((key) => [key, key])),
      defaultVariant: DEFAULT_VARIANT,
      targeting: {
        if: [
          {
            and: [{ '==': [{ var: 'tier' }, RULE.tier] }, { in: [{ var: 'region' }, [...RULE.regions]] }],
          },
          RULE.serve,
          { fractional: SPLIT.map(({ variant, percent }) => [variant, percent]) },
        ],
      },
    },
  },
};

export function createFlagdEngine(): SyncEngine<FlagdContext> {
  const core = new FlagdCore();
  core.setConfigurations(JSON.stringify(flagConfiguration));
  return {
    kind: 'sync',
    id: '@openfeature/flagd-core',
    packageName: '@openfeature/flagd-core',
    call: "core.resolveStringEvaluation('llm-model', 'gpt-4o', context).value",
    contextOf: (user: User) => ({ targetingKey: user.userId, tier: user.tier, region: user.region }),
    evaluate: (context) => core.resolveStringEvaluation(FLAG_KEY, DEFAULT_VARIANT, context).value,
  };
}
