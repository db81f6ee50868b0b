import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AiConfig, renderAiConfig } from '../src/index.js';

const CONFIG: AiConfig = {
  provider: 'openai',
  model: 'gpt-4o',
  messages: [
    {
      role: 'system',
      content: 'You support {{product}} customers on the {{ plan }} plan. Today is {{date}}.',
    },
    {
      role: 'user',
      content: '{{question}} (order {{order.id}}, {{order.items}} items, gift: {{order.gift}})',
    },
  ],
  params: { temperature: 0.3, maxTokens: 400, contextWindow: 128_000 },
  tools: [
    { name: 'lookup_order', mode: 'enabled', description: 'Finds an order', parameters: { type: 'object' } },
    { name: 'refund', mode: 'observe' },
    { name: 'delete_account', mode: 'off' },
  ],
  fallbacks: [
    { provider: 'anthropic', model: 'claude-sonnet-4-6' },
    { provider: 'vllm', model: 'llama-3.3-70b' },
  ],
  pricing: { inputPerMillion: 2.5, outputPerMillion: 10 },
};

describe('renderAiConfig', () => {
  it('fills {{name}} and {{ name }}, dotted paths, and stringifies values', () => {
    const rendered = renderAiConfig(CONFIG, {
      product: 'Acme',
      plan: 'pro',
      date: new Date('2026-03-01T00:00:00Z'),
      question: 'Where is it?',
      order: { id: 42, items: [1, 2], gift: false },
    });
    expect(rendered.errors).toEqual([]);
    expect(rendered.messages).toEqual([
      {
        role: 'system',
        content: 'You support Acme customers on the pro plan. Today is 2026-03-01T00:00:00.000Z.',
      },
      { role: 'user', content: 'Where is it? (order 42, [1,2] items, gift: false)' },
    ]);
  });

  it('leaves a missing variable’s placeholder as written and names it with its message', () => {
    const rendered = renderAiConfig(CONFIG, { product: 'Acme', question: 'Hi', order: { id: 1 } });
    expect(rendered.messages[0]?.content).toBe(
      'You support Acme customers on the {{ plan }} plan. Today is {{date}}.',
    );
    expect(rendered.errors).toEqual([
      { variable: 'plan', messageIndex: 0, message: 'variable "plan" is missing' },
      { variable: 'date', messageIndex: 0, message: 'variable "date" is missing' },
      { variable: 'order.items', messageIndex: 1, message: 'variable "order.items" is missing' },
      { variable: 'order.gift', messageIndex: 1, message: 'variable "order.gift" is missing' },
    ]);
  });

  it('prefers a key with a dot in it to a path', () => {
    const config: AiConfig = { ...CONFIG, messages: [{ role: 'user', content: '{{a.b}}' }] };
    expect(renderAiConfig(config, { 'a.b': 'flat', a: { b: 'nested' } }).messages[0]?.content).toBe('flat');
  });

  it('leaves out `off` tools, marks `observe` ones, and keeps the params that are sent', () => {
    const rendered = renderAiConfig(CONFIG, {});
    expect(rendered.tools).toEqual([
      { name: 'lookup_order', description: 'Finds an order', parameters: { type: 'object' } },
      { name: 'refund', observeOnly: true },
    ]);
    expect(rendered.params).toEqual({ temperature: 0.3, maxTokens: 400 });
    expect(rendered.contextWindow).toBe(128_000);
    expect(rendered.pricing).toEqual({ inputPerMillion: 2.5, outputPerMillion: 10 });
  });

  it('resolves the fallback chain, primary first', () => {
    expect(renderAiConfig(CONFIG).chain).toEqual([
      { provider: 'openai', model: 'gpt-4o' },
      { provider: 'anthropic', model: 'claude-sonnet-4-6' },
      { provider: 'vllm', model: 'llama-3.3-70b' },
    ]);
  });

  it('takes a config without the fields the server defaults', () => {
    expect(renderAiConfig({ provider: 'simulated', model: 'small' })).toEqual({
      provider: 'simulated',
      model: 'small',
      messages: [],
      params: {},
      tools: [],
      chain: [{ provider: 'simulated', model: 'small' }],
      contextWindow: undefined,
      pricing: undefined,
      errors: [],
    });
  });

  it('never throws, and leaves text without placeholders alone', () => {
    fc.assert(
      fc.property(fc.string(), fc.dictionary(fc.string(), fc.jsonValue()), (content, variables) => {
        const rendered = renderAiConfig(
          { provider: 'p', model: 'm', messages: [{ role: 'user', content }] },
          variables,
        );
        if (!content.includes('{{')) expect(rendered.messages[0]?.content).toBe(content);
      }),
    );
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(
      renderAiConfig({ ...CONFIG, messages: [{ role: 'user', content: '{{x}}' }] }, { x: cyclic }).errors,
    ).toEqual([]);
  });
});
