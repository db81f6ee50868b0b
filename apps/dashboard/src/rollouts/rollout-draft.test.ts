import { describe, expect, it } from 'vitest';
import { rolloutBodyOf, rolloutDraftOf } from './rollout-draft.js';

const PRESETS = ['model-swap', 'prompt', 'tool', 'parameters', 'agent-workflow', 'other'].map(
  (changeType) => ({
    changeType,
  }),
);
const variants = (...keys: string[]) => keys.map((key) => ({ key, value: key }));

describe('rolloutDraftOf', () => {
  it("starts from the flag's change type, a variant keyed control, and the first other variant", () => {
    const flag = { changeType: 'model-swap', variants: variants('candidate', 'control', 'third') };
    expect(rolloutDraftOf(flag, { fallthrough: { variant: 'third' } }, PRESETS)).toEqual({
      preset: 'model-swap',
      control: 'control',
      candidate: 'candidate',
    });
  });

  it('takes what the fallthrough serves as the control when no variant is keyed control', () => {
    const flag = { changeType: 'prompt', variants: variants('gpt-4o', 'gpt-4o-mini') };
    expect(rolloutDraftOf(flag, { fallthrough: { variant: 'gpt-4o-mini' } }, PRESETS)).toEqual({
      preset: 'prompt',
      control: 'gpt-4o-mini',
      candidate: 'gpt-4o',
    });
    const split = { split: [{ variant: 'gpt-4o', weight: 100_000 }] };
    expect(rolloutDraftOf(flag, { fallthrough: split }, PRESETS)).toMatchObject({
      control: 'gpt-4o',
      candidate: 'gpt-4o-mini',
    });
  });

  it('falls back to the other preset for a change type the server does not list', () => {
    const flag = { changeType: 'unheard-of', variants: variants('on', 'off') };
    expect(rolloutDraftOf(flag, { fallthrough: { variant: 'off' } }, PRESETS).preset).toBe('other');
    expect(rolloutDraftOf(flag, { fallthrough: { variant: 'off' } }, [{ changeType: 'tool' }]).preset).toBe(
      'tool',
    );
  });

  it('sends the preset and both arms', () => {
    expect(rolloutBodyOf({ preset: 'tool', candidate: 'b', control: 'a' })).toEqual({
      preset: 'tool',
      candidate: 'b',
      control: 'a',
    });
  });
});
