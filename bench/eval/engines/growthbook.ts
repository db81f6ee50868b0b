/**
 * GrowthBook's multi-user server client (`GrowthBookClient`, the Node API its docs recommend for
 * servers): one client initialised synchronously from a payload (no clientKey, so no fetch, stream
 * or polling), then `getFeatureValue` with a per-call user context. No tracking callback is set, so
 * the split rule records no exposure (the other engines record none either).
 */
import { type FeatureDefinitions, GrowthBookClient, type UserContext } from '@growthbook/growthbook';
import type { SyncEngine } from '../engine.js';
import { DEFAULT_VARIANT, FLAG_KEY, RULE, SPLIT } from '../flag.js';
import type { User } from '../users.js';

/** GrowthBook's current hashing (fnv32a, twice); the app creates new experiments with it. */
const HASH_VERSION = 2;

export const features: FeatureDefinitions = {
  [FLAG_KEY]: {
    defaultValue: DEFAULT_VARIANT,
    rules: [
      {
        id: 'enterprise-eu-us',
        condition: { tier: RULE.tier, region: { $in: [...RULE.regions] } },
        force: RULE.serve,
      },
      {
        id: 'split',
        key: FLAG_KEY,
        hashAttribute: 'id',
        hashVersion: HASH_VERSION,
        variations: SPLIT.map((entry) => entry.variant),
        weights: SPLIT.map((entry) => entry.percent / 100),
      },
    ],
  },
};

export function createGrowthBookEngine(): SyncEngine<UserContext> {
  const client = new GrowthBookClient().initSync({ payload: { features } });
  return {
    kind: 'sync',
    id: '@growthbook/growthbook',
    packageName: '@growthbook/growthbook',
    call: "client.getFeatureValue('llm-model', 'gpt-4o', { attributes })",
    contextOf: (user: User) => ({ attributes: { id: user.userId, tier: user.tier, region: user.region } }),
    evaluate: (context) => client.getFeatureValue(FLAG_KEY, DEFAULT_VARIANT as string, context),
    close: () => client.destroy(),
  };
}
