import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { SwitchboardClient } from '../src/index.js';
import { offlineClient, queuedOf, SAFE_CONFIG } from './ai-fixtures.js';

const clients: SwitchboardClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

async function readyClient(): Promise<SwitchboardClient> {
  const client = offlineClient(clients);
  await client.ready({ timeoutMs: 200 });
  return client;
}

const VARIABLES = { product: 'Acme', plan: { name: 'Pro' }, question: 'Where is my order?' };

describe('client.aiConfig', () => {
  it('resolves the assigned variant with its messages rendered, params, tools with their mode, fallbacks', async () => {
    const client = await readyClient();
    const config = client.aiConfig('support-bot', { targetingKey: 'control-user' }, { variables: VARIABLES });
    expect(config).toMatchObject({
      flag: 'support-bot',
      variant: 'control',
      reason: 'TARGETING_MATCH',
      errorCode: undefined,
      enabled: true,
      source: 'variant',
      provider: 'openai',
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'You support Acme customers on the Pro plan.' },
        { role: 'user', content: 'Where is my order?' },
      ],
      params: { temperature: 0.2, topP: 0.9, maxTokens: 200, stop: ['END'] },
      contextWindow: 128_000,
      fallbacks: [{ provider: 'anthropic', model: 'claude-sonnet-4-6' }],
      chain: [
        { provider: 'openai', model: 'gpt-4o' },
        { provider: 'anthropic', model: 'claude-sonnet-4-6' },
      ],
      pricing: { inputPerMillion: 2.5, outputPerMillion: 10 },
      errors: [],
    });
    expect(config.params).not.toHaveProperty('contextWindow');
    expect(config.tools).toEqual([
      {
        name: 'lookup_order',
        mode: 'enabled',
        description: 'Finds an order',
        parameters: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
      },
      { name: 'refund', mode: 'observe', description: 'Refunds an order', observeOnly: true },
    ]);
    expect(config.tracker).toMatchObject({ flag: 'support-bot', variant: 'control', unit: 'control-user' });
  });

  it('lists missing variables in errors and leaves their placeholders as written', async () => {
    const client = await readyClient();
    const config = client.aiConfig(
      'support-bot',
      { targetingKey: 'control-user' },
      { variables: { product: 'Acme' } },
    );
    expect(config.messages).toEqual([
      { role: 'system', content: 'You support Acme customers on the {{ plan.name }} plan.' },
      { role: 'user', content: '{{question}}' },
    ]);
    expect(config.errors).toEqual([
      { variable: 'plan.name', messageIndex: 0, message: 'variable "plan.name" is missing' },
      { variable: 'question', messageIndex: 1, message: 'variable "question" is missing' },
    ]);
    expect(config.enabled).toBe(true);
  });

  it('records an exposure for a split, exactly once per unit and variant, and none for a target', async () => {
    const client = await readyClient();
    client.aiConfig('support-bot', { targetingKey: 'u-1' }, { variables: VARIABLES });
    const again = client.aiConfig('support-bot', { targetingKey: 'u-1' }, { variables: VARIABLES });
    client.aiConfig('support-bot', { targetingKey: 'beta-user' }, { variables: VARIABLES });
    expect(again.reason).toBe('SPLIT');
    expect(queuedOf(client, 'exposure')).toEqual([
      { kind: 'exposure', flag: 'support-bot', variant: again.variant, unit: 'u-1' },
    ]);
    // The same as evaluate: it records nothing more for the same unit.
    client.evaluate('support-bot', { targetingKey: 'u-1' });
    expect(queuedOf(client, 'exposure')).toHaveLength(1);
  });

  it('binds the tracker to the unit a split bucketed by, as its exposure names it', async () => {
    const client = await readyClient();
    const split = client.aiConfig('team-bot', { targetingKey: 'u-1', accountId: 'acme' });
    expect(split.reason).toBe('SPLIT');
    expect(split.tracker.unit).toBe('acme');
    expect(queuedOf(client, 'exposure')).toEqual([
      { kind: 'exposure', flag: 'team-bot', variant: split.variant, unit: 'acme' },
    ]);
    // A target names the unit by its targetingKey.
    expect(client.aiConfig('team-bot', { targetingKey: 'beta-user', accountId: 'acme' }).tracker.unit).toBe(
      'beta-user',
    );
  });

  it('serves the off variant, disabled, when the flag is killed; the default when there is no off variant', async () => {
    const client = await readyClient();
    const killed = client.aiConfig('killed-bot', { targetingKey: 'u-1' }, { variables: VARIABLES });
    expect(killed).toMatchObject({
      variant: 'safe',
      reason: 'DISABLED',
      enabled: false,
      source: 'variant',
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Where is my order?' }],
    });
    const defaultConfig = { ...SAFE_CONFIG, model: 'my-default' };
    const noOff = client.aiConfig(
      'killed-no-off',
      { targetingKey: 'u-1' },
      { variables: VARIABLES, defaultConfig },
    );
    expect(noOff).toMatchObject({
      variant: undefined,
      reason: 'DISABLED',
      enabled: false,
      source: 'default',
      model: 'my-default',
    });
    expect(client.aiConfig('killed-no-off', { targetingKey: 'u-1' })).toMatchObject({
      enabled: false,
      source: 'none',
      provider: '',
      model: '',
      messages: [],
    });
  });

  it('falls back to the default for an unknown flag or one that serves no AI configuration', async () => {
    const client = await readyClient();
    const defaultConfig = { provider: 'openai', model: 'gpt-4o-mini' };
    expect(client.aiConfig('nope', { targetingKey: 'u' }, { defaultConfig })).toMatchObject({
      variant: undefined,
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
      enabled: true,
      source: 'default',
      model: 'gpt-4o-mini',
      messages: [],
      chain: [{ provider: 'openai', model: 'gpt-4o-mini' }],
    });
    expect(client.aiConfig('model-name', { targetingKey: 'u' }, { defaultConfig })).toMatchObject({
      variant: undefined,
      reason: 'ERROR',
      errorCode: 'TYPE_MISMATCH',
      source: 'default',
      model: 'gpt-4o-mini',
    });
  });

  it('never throws, whatever it is given', async () => {
    const client = await readyClient();
    fc.assert(
      fc.property(fc.string(), fc.anything(), fc.anything(), (flag, context, options) => {
        // biome-ignore lint/suspicious/noExplicitAny: hostile input on purpose.
        const config = (client as any).aiConfig(flag, context, options);
        expect(typeof config.enabled).toBe('boolean');
      }),
      { numRuns: 300 },
    );
    // biome-ignore lint/suspicious/noExplicitAny: hostile input on purpose.
    const hostile = (client as any).aiConfig(
      'support-bot',
      { targetingKey: 'u' },
      { variables: null, defaultConfig: 7 },
    );
    expect(hostile.flag).toBe('support-bot');
  });
});
