/**
 * Unleash's Node client, bootstrapped in memory and never connecting: `refreshInterval: 0` turns
 * polling off (no fetch is ever made), `disableMetrics` turns usage metrics off, and the in-memory
 * storage provider keeps it from writing a backup file. The rule is a `default` strategy with two
 * `IN` constraints and one variant; the split is a 100% `flexibleRollout` with three variants.
 * Timed call: `unleash.getVariant('llm-model', context).name`.
 */
import { once } from 'node:events';
import { type ClientFeaturesResponse, type Context, InMemStorageProvider, Unleash } from 'unleash-client';
import type { SyncEngine } from '../engine.js';
import { FLAG_KEY, RULE, SPLIT } from '../flag.js';
import type { User } from '../users.js';

type UnleashFeature = ClientFeaturesResponse['features'][number];
type UnleashOperator = NonNullable<UnleashFeature['strategies']>[number]['constraints'][number]['operator'];

const IN = 'IN' as UnleashOperator;
/** Variant weights total 1000 in Unleash, so one percent is this many. */
const WEIGHT_PER_PERCENT = 10;

export const feature: UnleashFeature = {
  name: FLAG_KEY,
  type: 'experiment',
  project: 'default',
  enabled: true,
  stale: false,
  impressionData: false,
  strategies: [
    {
      // The plain `default` strategy: a 100% flexibleRollout would hash the user once more for nothing.
      name: 'default',
      parameters: {},
      constraints: [
        { contextName: 'tier', operator: IN, inverted: false, values: [RULE.tier] },
        { contextName: 'region', operator: IN, inverted: false, values: [...RULE.regions] },
      ],
      variants: [{ name: RULE.serve, weight: 1000, stickiness: 'default' }],
    },
    {
      name: 'flexibleRollout',
      parameters: { rollout: '100', stickiness: 'default', groupId: FLAG_KEY },
      constraints: [],
      variants: SPLIT.map(({ variant, percent }) => ({
        name: variant,
        weight: percent * WEIGHT_PER_PERCENT,
        stickiness: 'default',
      })),
    },
  ],
  variants: [],
};

export async function createUnleashEngine(): Promise<SyncEngine<Context>> {
  const unleash = new Unleash({
    appName: 'switchboard-bench',
    // Never contacted: refreshInterval 0 makes the poller return before any request.
    url: 'http://127.0.0.1:9/api/',
    refreshInterval: 0,
    disableMetrics: true,
    storageProvider: new InMemStorageProvider(),
    bootstrap: { data: [feature] },
  });
  unleash.on('error', (error: unknown) => {
    throw error instanceof Error ? error : new Error(String(error));
  });
  await once(unleash, 'synchronized');
  return {
    kind: 'sync',
    id: 'unleash-client',
    packageName: 'unleash-client',
    call: "unleash.getVariant('llm-model', { userId, properties }).name",
    contextOf: (user: User) => ({
      userId: user.userId,
      properties: { tier: user.tier, region: user.region },
    }),
    evaluate: (context) => unleash.getVariant(FLAG_KEY, context).name,
    close: () => unleash.destroy(),
  };
}
