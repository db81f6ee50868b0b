import type { AiConfig } from '@switchboard/llm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aiConfigSchema } from '../../../server/src/features/flags/flag-schemas.js';
import {
  type AiConfigDraft,
  configOfDraft,
  draftOfConfig,
  draftOfJson,
  jsonOfDraft,
  numberOf,
  stopOf,
  stopText,
} from './ai-config-draft.js';
import type { AiConfigValue } from './ai-config-value.js';

const AT = 'body.variants.0.value';

const FULL = {
  provider: 'my-vllm',
  model: 'llama-3.1-70b',
  messages: [
    { role: 'system', content: 'You help {{customer}}.\nBe brief.' },
    { role: 'user', content: '{{question}}' },
  ],
  params: {
    temperature: 0.7,
    topP: 0.95,
    maxTokens: 512,
    contextWindow: 128_000,
    stop: ['\n\n', 'END"', '\\', ''],
    presencePenalty: -0.5,
    frequencyPenalty: 1e-7,
    seed: 42,
  },
  tools: [
    {
      name: 'search',
      mode: 'observe',
      description: 'Searches the docs',
      parameters: { type: 'object', properties: { q: { type: 'string' } } },
    },
    { name: 'refund', mode: 'off' },
  ],
  fallbacks: [
    { provider: 'anthropic', model: 'claude-sonnet-4-5' },
    { provider: 'openai', model: 'gpt-4o-mini' },
  ],
  pricing: { inputPerMillion: 2.5, outputPerMillion: 10 },
};

const draftOf = (value: unknown): AiConfigDraft => {
  const result = draftOfConfig(value);
  if ('problem' in result) throw new Error(result.problem);
  return result.draft;
};
const jsonOf = (draft: AiConfigDraft): string => {
  const result = jsonOfDraft(draft, AT);
  if ('unreadable' in result) throw new Error(JSON.stringify(result.unreadable));
  return result.text;
};
const withoutUids = (draft: AiConfigDraft) =>
  JSON.parse(JSON.stringify(draft, (k, v) => (k === 'uid' ? undefined : v)));

/** Any value the server stores: its schema's output, with every optional part present or not. */
const storedConfig = fc
  .record(
    {
      provider: fc.string({ minLength: 1, maxLength: 64 }),
      model: fc.string({ minLength: 1, maxLength: 200 }),
      messages: fc.array(
        fc.record({
          role: fc.constantFrom('system', 'user', 'assistant', 'developer'),
          content: fc.string(),
        }),
        { maxLength: 4 },
      ),
      params: fc.record(
        {
          temperature: fc.double({ min: 0, max: 2, noNaN: true }),
          topP: fc.double({ min: 0, max: 1, noNaN: true }),
          maxTokens: fc.integer({ min: 1, max: 10_000_000 }),
          stop: fc.array(fc.string({ maxLength: 100, unit: 'binary' }), { maxLength: 16 }),
          seed: fc.integer(),
        },
        { requiredKeys: [] },
      ),
      tools: fc.array(
        fc.record(
          {
            name: fc.string({ minLength: 1, maxLength: 64 }),
            mode: fc.constantFrom('enabled', 'observe', 'off'),
            description: fc.string({ minLength: 1, maxLength: 50 }),
            parameters: fc.dictionary(fc.string(), fc.jsonValue()),
          },
          { requiredKeys: ['name', 'mode'] },
        ),
        { maxLength: 3 },
      ),
      fallbacks: fc.array(
        fc.record({ provider: fc.string({ minLength: 1 }), model: fc.string({ minLength: 1 }) }),
        {
          maxLength: 3,
        },
      ),
      pricing: fc.record({
        inputPerMillion: fc.double({ min: 0, noNaN: true, max: 1e6 }),
        outputPerMillion: fc.nat(),
      }),
    },
    { requiredKeys: ['provider', 'model', 'messages', 'params', 'tools', 'fallbacks'] },
  )
  // Through JSON, as the server stores and serves it (no -0, no undefined).
  .map((v) => JSON.parse(JSON.stringify(aiConfigSchema.parse(v))));

describe('the AI config form and its JSON', () => {
  it('gives back exactly the value it was made from, every field used', () => {
    const draft = draftOf(FULL);
    expect(draft.params.temperature).toBe('0.7');
    expect(draft.stop?.map((s) => s.text)).toEqual(['\\n\\n', 'END\\"', '\\\\', '']);
    expect(configOfDraft(draft, AT)).toMatchObject({ value: FULL, problems: [] });
    expect(JSON.parse(jsonOf(draft))).toEqual(FULL);
  });

  it('round-trips any stored value: value → form → JSON → form → value', () => {
    fc.assert(
      fc.property(storedConfig, (value) => {
        const draft = draftOf(value);
        const text = jsonOf(draft);
        expect(JSON.parse(text)).toEqual(value);
        const again = draftOfJson(text);
        if ('problem' in again) throw new Error(again.problem);
        expect(withoutUids(again.draft)).toEqual(withoutUids(draft));
        expect(configOfDraft(again.draft, AT).value).toEqual(value);
      }),
      { numRuns: 300 },
    );
  });

  it('fills what the server fills by default, and nothing else', () => {
    expect(configOfDraft(draftOf({ provider: 'openai', model: 'gpt-4o' }), AT).value).toEqual(
      aiConfigSchema.parse({ provider: 'openai', model: 'gpt-4o' }),
    );
  });

  it.each([
    [{ provider: 'openai', model: 'm', temperature: 1 }, /unknown key "temperature"/],
    [{ provider: 'openai', model: 'm', messages: [{ role: 'tool', content: '' }] }, /messages\.0\.role/],
    [{ provider: 'openai', model: 'm', messages: [{ role: 'user', content: '', name: 'x' }] }, /messages\.0/],
    [{ provider: 'openai', model: 'm', params: { temperature: 'hot' } }, /params\.temperature/],
    [{ provider: 'openai', model: 'm', tools: [{ name: 't', mode: 'on' }] }, /tools\.0\.mode/],
    [{ provider: 'openai', model: 'm', tools: [{ name: 't', mode: 'off', description: '' }] }, /description/],
    [{ provider: 'openai', model: 'm', fallbacks: [{ provider: 'x' }] }, /fallbacks\.0/],
    [{ provider: 'openai' }, /model/],
    [[], /object/],
  ])('refuses to show in the form what it could not give back (%#)', (value, problem) => {
    const result = draftOfConfig(value);
    expect('problem' in result && result.problem).toMatch(problem);
  });

  it('names a JSON syntax error', () => {
    const result = draftOfJson('{"provider": ');
    expect('problem' in result && result.problem).toMatch(/^not valid JSON/);
  });

  it('names what it cannot read at its field, and keeps the rest for the rules', () => {
    const draft = draftOf(FULL);
    draft.params.temperature = '0,7';
    draft.params.maxTokens = '';
    draft.params.topP = '1.5';
    const tool = draft.tools[0];
    if (tool === undefined) throw new Error('no tool');
    tool.parametersText = '{"type": "object",}';
    draft.pricing = { inputPerMillion: '', outputPerMillion: '1' };
    const { value, problems, unreadable } = configOfDraft(draft, AT);
    expect(value.params).not.toHaveProperty('temperature');
    expect(value.params).not.toHaveProperty('maxTokens');
    expect(unreadable.map((p) => p.field)).toEqual([
      `${AT}.params.temperature`,
      `${AT}.tools.0.parameters`,
      `${AT}.pricing.inputPerMillion`,
    ]);
    expect(unreadable[1]?.message).toMatch(/^is not valid JSON: /);
    expect(problems.map((p) => p.field)).toEqual([...unreadable.map((p) => p.field), `${AT}.params.topP`]);
    expect(jsonOfDraft(draft, AT)).toEqual({ unreadable });
  });

  it('reads numbers as typed, and stop sequences with their escapes', () => {
    expect(numberOf('')).toBeUndefined();
    expect(numberOf(' 0.5 ')).toBe(0.5);
    expect(numberOf('1e3')).toBe(1000);
    expect(numberOf('0x10')).toBeNaN();
    expect(numberOf('1,5')).toBeNaN();
    expect(stopOf('\\n')).toBe('\n');
    expect(stopOf('say "done"')).toBe('say "done"');
    expect(stopOf('tab\there')).toBe('tab\there');
    expect(stopOf('\\')).toBeUndefined();
    expect(stopOf('\\q')).toBeUndefined();
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(stopOf(stopText(s))).toBe(s);
      }),
    );
  });
});

// The dashboard's declaration of a stored AI config and the LLM package's are the same type.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameType: Same<AiConfigValue, AiConfig> = true;
void sameType;
