import type { AnyEngine } from './engine.js';

/** The engines in the order they run and are printed; `--engines` takes a subset of these names. */
export const ENGINE_NAMES = [
  'switchboard',
  'baseline',
  'growthbook',
  'unleash',
  'flagd',
  'launchdarkly',
] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

// Each engine is imported only in its own process, so no engine's code shares a process with another's.
const loaders: Record<EngineName, () => Promise<AnyEngine>> = {
  switchboard: async () => (await import('./engines/switchboard.js')).createSwitchboardEngine(),
  baseline: async () => (await import('./engines/baseline.js')).createBaselineEngine(),
  growthbook: async () => (await import('./engines/growthbook.js')).createGrowthBookEngine(),
  unleash: async () => (await import('./engines/unleash.js')).createUnleashEngine(),
  flagd: async () => (await import('./engines/flagd.js')).createFlagdEngine(),
  launchdarkly: async () => (await import('./engines/launchdarkly.js')).createLaunchDarklyEngine(),
};

export function isEngineName(name: string): name is EngineName {
  return (ENGINE_NAMES as readonly string[]).includes(name);
}

export function loadEngine(name: EngineName): Promise<AnyEngine> {
  return loaders[name]();
}
