/**
 * Switchboard's evaluator as the SDK calls it: the snapshot compiled once, then one `evaluate` per
 * user with the context as the application passes it.
 */
import { compileSnapshot, evaluate, type Snapshot } from '@switchboard/core';
import type { SyncEngine } from '../engine.js';
import { DEFAULT_VARIANT, FLAG_KEY, SALT } from '../flag.js';
import { SWITCHBOARD_TARGETING, SWITCHBOARD_VARIANTS } from '../switchboard-flag.js';
import type { User } from '../users.js';

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
      variants: SWITCHBOARD_VARIANTS,
      enabled: true,
      targets: [],
      prerequisites: [],
      version: 1,
      ...SWITCHBOARD_TARGETING,
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
