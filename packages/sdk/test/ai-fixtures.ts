import type { JsonValue, Snapshot, SnapshotFlag } from '@switchboard/core';
import type { AiConfigInput } from '@switchboard/llm';
import { createClient, type SwitchboardClient } from '../src/index.js';

export { default as Anthropic } from '@anthropic-ai/sdk';
export { default as OpenAI } from 'openai';

export const API_KEY = 'sk-test';

/** The control: OpenAI, a templated prompt, params, tools in every mode, a fallback, pricing. */
export const CONTROL_CONFIG: AiConfigInput = {
  provider: 'openai',
  model: 'gpt-4o',
  messages: [
    { role: 'system', content: 'You support {{product}} customers on the {{ plan.name }} plan.' },
    { role: 'user', content: '{{question}}' },
  ],
  params: { temperature: 0.2, topP: 0.9, maxTokens: 200, stop: ['END'], contextWindow: 128_000 },
  tools: [
    {
      name: 'lookup_order',
      mode: 'enabled',
      description: 'Finds an order',
      parameters: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
    },
    { name: 'refund', mode: 'observe', description: 'Refunds an order' },
    { name: 'delete_account', mode: 'off' },
  ],
  fallbacks: [{ provider: 'anthropic', model: 'claude-sonnet-4-6' }],
  pricing: { inputPerMillion: 2.5, outputPerMillion: 10 },
};

/** The candidate: Anthropic, another prompt. */
export const CANDIDATE_CONFIG: AiConfigInput = {
  provider: 'anthropic',
  model: 'claude-sonnet-4-6',
  messages: [
    { role: 'system', content: 'You are a concise assistant for {{product}}.' },
    { role: 'user', content: '{{question}}' },
  ],
  params: { temperature: 0.7, maxTokens: 300 },
  tools: [],
  fallbacks: [],
};

/** What a unit gets when the flag is off. */
export const SAFE_CONFIG: AiConfigInput = {
  provider: 'openai',
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: '{{question}}' }],
  params: {},
  tools: [],
  fallbacks: [],
};

/** An AI configuration as a flag's variant value (JSON, as the server stores it). */
const json = (config: AiConfigInput) => config as unknown as JsonValue;

function aiFlag(key: string, overrides: Partial<SnapshotFlag> = {}): SnapshotFlag {
  return {
    key,
    kind: 'ai-config',
    salt: `salt-${key}`,
    variants: [
      { key: 'control', value: json(CONTROL_CONFIG) },
      { key: 'candidate', value: json(CANDIDATE_CONFIG) },
      { key: 'safe', value: json(SAFE_CONFIG) },
    ],
    enabled: true,
    offVariant: 'safe',
    targets: [
      { variant: 'candidate', values: ['beta-user'] },
      { variant: 'control', values: ['control-user'] },
    ],
    rules: [],
    prerequisites: [],
    fallthrough: {
      split: [
        { variant: 'candidate', weight: 50_000 },
        { variant: 'control', weight: 50_000 },
      ],
    },
    version: 1,
    ...overrides,
  };
}

export const AI_SNAPSHOT: Snapshot = {
  version: 1,
  flags: [
    aiFlag('support-bot'),
    aiFlag('killed-bot', { enabled: false, retryAfterSeconds: 60 }),
    aiFlag('killed-no-off', { enabled: false, offVariant: undefined }),
    aiFlag('team-bot', {
      fallthrough: {
        split: [
          { variant: 'candidate', weight: 50_000 },
          { variant: 'control', weight: 50_000 },
        ],
        bucketBy: 'accountId',
      },
    }),
    {
      key: 'model-name',
      kind: 'string',
      salt: 'salt-model-name',
      variants: [{ key: 'only', value: 'gpt-4o' }],
      enabled: true,
      targets: [],
      rules: [],
      prerequisites: [],
      fallthrough: { variant: 'only' },
      version: 1,
    },
  ],
  segments: [],
};

/** A client on a bootstrap snapshot that never reaches a server and never flushes on its own. */
export function offlineClient(
  clients: SwitchboardClient[],
  options: Partial<Parameters<typeof createClient>[0]> = {},
): SwitchboardClient {
  const client = createClient({
    url: 'http://127.0.0.1:9',
    sdkKey: 'sb_server_test',
    bootstrap: AI_SNAPSHOT,
    stream: false,
    events: { flushIntervalMs: 3_600_000, batchSize: 100_000, maxBuffer: 1_000_000 },
    ...options,
  });
  clients.push(client);
  return client;
}

/** The events waiting in the client's buffer (read through the same path the sender uses). */
export function queued(client: SwitchboardClient): Record<string, unknown>[] {
  // biome-ignore lint/suspicious/noExplicitAny: the buffer is private; the test reads it to check what would be sent.
  return (client as any).events.buffer as Record<string, unknown>[];
}

/** The queued events of one kind, without their `ts`. */
export function queuedOf(client: SwitchboardClient, kind: string): Record<string, unknown>[] {
  return queued(client)
    .filter((e) => e.kind === kind)
    .map(({ ts: _ts, ...rest }) => rest);
}

/** Waits until `check` holds (polling; for events that land when a stream read in the background ends). */
export async function eventually(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
