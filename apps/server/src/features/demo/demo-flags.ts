import { BUCKET_SCALE } from '@switchboard/core';
import type { AiConfigInput } from '@switchboard/llm';
import type { EnvironmentPatch, FlagCreate } from '../flags/flag-service.js';
import { DEFAULT_PROJECT } from '../projects/project-service.js';
import { DEMO_MODELS, DEMO_PROVIDER } from './demo-models.js';

/** Where the demo lives: the project the dashboard and the CLI open by default. */
export const DEMO_PROJECT = DEFAULT_PROJECT;
/** The environment the demo configures and sends traffic to. */
export const DEMO_ENVIRONMENT = 'production';
/** Every flag the demo creates carries it; a flag with a demo key but without it is someone else's. */
export const DEMO_TAG = 'demo';
/** Who the audit log says made the demo's changes. */
export const DEMO_ACTOR = 'demo';

/** The keys of the demo's flags. */
export const DemoFlag = {
  /** ai-config: the model swap under test (control `gpt-4o`, candidate `gpt-4o-mini`). */
  Model: 'llm-model',
  /** string: the system prompt, A or B. */
  Prompt: 'prompt-variant',
  /** boolean: the kill switch of the whole AI feature. */
  KillSwitch: 'ai-agent',
} as const;
export type DemoFlag = (typeof DemoFlag)[keyof typeof DemoFlag];

/** One demo flag: its definition, and its configuration in {@link DEMO_ENVIRONMENT}. */
export interface DemoFlagDefinition {
  create: FlagCreate;
  production: EnvironmentPatch;
}

const HALF = BUCKET_SCALE / 2;

const PROMPT_A = 'You are the support assistant of Acme. Answer clearly and concisely.';
const PROMPT_B =
  'You are a senior support engineer at Acme. Give specific, actionable steps and explain your reasoning briefly.';

/** The prompt the model flag's system message falls back to when the prompt flag cannot be read. */
export const DEFAULT_SYSTEM_PROMPT = PROMPT_A;

function modelConfig(model: string, fallback: string): AiConfigInput & Record<string, unknown> {
  return {
    provider: DEMO_PROVIDER,
    model,
    messages: [
      { role: 'system', content: '{{systemPrompt}}' },
      { role: 'user', content: '{{question}}' },
    ],
    params: { temperature: 0.3, maxTokens: 800 },
    fallbacks: [{ provider: DEMO_PROVIDER, model: fallback }],
    pricing: DEMO_MODELS[model]?.pricing,
  };
}

/**
 * The demo's flags, in creation order. Splits list the candidate first (the treatment of a ramp) and
 * serve the control when off, so results compare against the control.
 */
export const DEMO_FLAGS: readonly DemoFlagDefinition[] = [
  {
    create: {
      key: DemoFlag.Model,
      kind: 'ai-config',
      name: 'LLM model',
      description:
        'Demo: the support assistant on gpt-4o (control) or gpt-4o-mini (candidate), both simulated. ' +
        'The candidate is cheaper and faster, and slightly worse.',
      variants: [
        {
          key: 'control',
          name: 'gpt-4o',
          value: modelConfig('gpt-4o', 'gpt-4o-mini'),
        },
        {
          key: 'candidate',
          name: 'gpt-4o-mini',
          value: modelConfig('gpt-4o-mini', 'gpt-4o'),
        },
      ],
      tags: [DEMO_TAG, 'ai'],
      changeType: 'model-swap',
    },
    production: {
      enabled: true,
      offVariant: 'control',
      fallthrough: {
        split: [
          { variant: 'candidate', weight: HALF },
          { variant: 'control', weight: HALF },
        ],
      },
    },
  },
  {
    create: {
      key: DemoFlag.Prompt,
      kind: 'string',
      name: 'System prompt',
      description: 'Demo: the system prompt of the support assistant, A (concise) or B (step by step).',
      variants: [
        { key: 'a', name: 'Prompt A (concise)', value: PROMPT_A },
        { key: 'b', name: 'Prompt B (step by step)', value: PROMPT_B },
      ],
      tags: [DEMO_TAG, 'ai'],
      changeType: 'prompt',
    },
    production: {
      enabled: true,
      offVariant: 'a',
      fallthrough: {
        split: [
          { variant: 'b', weight: HALF },
          { variant: 'a', weight: HALF },
        ],
      },
    },
  },
  {
    create: {
      key: DemoFlag.KillSwitch,
      kind: 'boolean',
      name: 'AI agent',
      description:
        'Demo: the kill switch of the support assistant. Turn it off (switchboard kill ai-agent --env ' +
        'production) and the simulated traffic stops calling models.',
      variants: [
        { key: 'on', value: true },
        { key: 'off', value: false },
      ],
      tags: [DEMO_TAG, 'kill-switch'],
      changeType: 'other',
    },
    production: { enabled: true, offVariant: 'off', fallthrough: { variant: 'on' }, retryAfterSeconds: 60 },
  },
];
