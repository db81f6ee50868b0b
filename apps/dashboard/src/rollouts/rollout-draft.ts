import type { EnvironmentConfig, FlagView } from '../api/api-types.js';
import type { PresetView } from './rollout-types.js';

/** What the create form holds: the preset by change type and the two arms. */
export interface RolloutDraft {
  preset: string;
  candidate: string;
  control: string;
}

/**
 * The form's first values: the flag's change type's preset (else `other`, else the first listed); as
 * control a variant keyed `control`, else what the fallthrough serves, else the first variant; as
 * candidate the first other variant.
 */
export function rolloutDraftOf(
  flag: Pick<FlagView, 'variants' | 'changeType'>,
  config: Pick<EnvironmentConfig, 'fallthrough'>,
  presets: readonly Pick<PresetView, 'changeType'>[],
): RolloutDraft {
  const types = presets.map((p) => p.changeType);
  const preset = types.includes(flag.changeType)
    ? flag.changeType
    : types.includes('other')
      ? 'other'
      : (types[0] ?? '');
  const keys = flag.variants.map((v) => v.key);
  const served = 'variant' in config.fallthrough ? config.fallthrough.variant : undefined;
  const control = keys.includes('control')
    ? 'control'
    : served !== undefined && keys.includes(served)
      ? served
      : (keys[0] ?? '');
  const candidate = keys.find((k) => k !== control) ?? '';
  return { preset, candidate, control };
}

/** The body of `POST .../rollout` for a draft. */
export function rolloutBodyOf(draft: RolloutDraft): { candidate: string; control: string; preset: string } {
  return { candidate: draft.candidate, control: draft.control, preset: draft.preset };
}

/** Change types in words, for the preset picker. */
export const CHANGE_TYPE_WORDS: Readonly<Record<string, string>> = {
  'model-swap': 'Model swap',
  prompt: 'Prompt',
  tool: 'New tool',
  parameters: 'Parameters',
  'agent-workflow': 'Agent workflow',
  other: 'Other change',
};
