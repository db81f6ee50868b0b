import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aiConfigSchema } from '../../../server/src/features/flags/flag-schemas.js';
import { aiConfigProblems } from './ai-config-rules.js';

const AT = 'body.variants.1.value';

const fieldOf = (path: readonly PropertyKey[]) => (path.length === 0 ? AT : `${AT}.${path.join('.')}`);

/** The field the server names for a value (its first issue), or undefined when it accepts it. */
function serverField(value: unknown): string | undefined {
  const parsed = aiConfigSchema.safeParse(value);
  return parsed.success ? undefined : fieldOf(parsed.error.issues[0]?.path ?? []);
}

/** Every field the schema finds a problem with. */
function serverFields(value: unknown): string[] {
  const parsed = aiConfigSchema.safeParse(value);
  return parsed.success ? [] : [...new Set(parsed.error.issues.map((i) => fieldOf(i.path)))].sort();
}

/** Values near every bound, valid and not, for each part of a config. */
const text = (max: number) =>
  fc.oneof(fc.constant(''), fc.constant('x'.repeat(max)), fc.constant('x'.repeat(max + 1)), fc.string());
const num = fc.oneof(
  fc.constantFrom(
    -2.01,
    -2,
    -0.5,
    -0.01,
    0,
    0.5,
    1,
    1.01,
    1.5,
    2,
    2.01,
    10_000_000,
    10_000_001,
    1e8,
    1e8 + 1,
  ),
  fc.double({ noNaN: false }),
  fc.integer(),
);
const absent = fc.constant(undefined);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.oneof(absent, a);
const strip = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
const message = fc.record({
  role: fc.constantFrom('system', 'user', 'assistant', 'developer', 'tool', 1),
  content: fc.oneof(fc.string(), fc.constant(7)),
});
const params = fc
  .record({
    temperature: maybe(num),
    topP: maybe(num),
    maxTokens: maybe(num),
    contextWindow: maybe(num),
    stop: maybe(fc.array(fc.oneof(text(100), fc.constant(3)), { maxLength: 18 })),
    presencePenalty: maybe(num),
    frequencyPenalty: maybe(num),
    seed: maybe(num),
    extra: maybe(fc.constant(1)),
  })
  .map(strip);
const tool = fc
  .record({
    name: text(64),
    mode: fc.constantFrom('enabled', 'observe', 'off', 'on'),
    description: maybe(text(4000)),
    parameters: maybe(fc.oneof(fc.constant({ type: 'object' }), fc.constant([]), fc.constant('x'))),
  })
  .map(strip);
const providerModel = fc.record({ provider: text(64), model: text(200) });
const config = fc
  .record({
    provider: maybe(text(64)),
    model: maybe(text(200)),
    messages: maybe(fc.array(message, { maxLength: 3 })),
    params: maybe(fc.oneof(params, fc.constant(null))),
    tools: maybe(fc.array(tool, { maxLength: 3 })),
    fallbacks: maybe(fc.array(providerModel, { maxLength: 11 })),
    pricing: maybe(fc.record({ inputPerMillion: maybe(num), outputPerMillion: maybe(num) }).map(strip)),
    surprise: maybe(fc.constant(true)),
  })
  .map(strip);

describe('the AI config rules mirrored from the server', () => {
  it('finds a problem at exactly the fields where the server finds one', () => {
    fc.assert(
      fc.property(config, (value) => {
        const fields = [...new Set(aiConfigProblems(value, AT).map((p) => p.field))].sort();
        expect(fields).toEqual(serverFields(value));
      }),
      { numRuns: 2_000 },
    );
  });

  it.each([
    [{ provider: 'openai', model: 'gpt-4o', params: { temperature: 2.1 } }, `${AT}.params.temperature`],
    [{ provider: 'openai', model: 'gpt-4o', params: { maxTokens: 1.5 } }, `${AT}.params.maxTokens`],
    [{ provider: '', model: 'gpt-4o' }, `${AT}.provider`],
    [{ provider: 'openai' }, `${AT}.model`],
    [
      { provider: 'openai', model: 'm', messages: [{ role: 'user', content: 'x'.repeat(100_001) }] },
      `${AT}.messages.0.content`,
    ],
    [{ provider: 'openai', model: 'm', tools: [{ name: 'search', mode: 'on' }] }, `${AT}.tools.0.mode`],
    [
      { provider: 'openai', model: 'm', fallbacks: [{ provider: 'anthropic', model: '' }] },
      `${AT}.fallbacks.0.model`,
    ],
    [
      { provider: 'openai', model: 'm', pricing: { inputPerMillion: -1, outputPerMillion: 1 } },
      `${AT}.pricing.inputPerMillion`,
    ],
    [{ provider: 'openai', model: 'm', temperature: 1 }, AT],
  ])('names the field of a bad value (%#) as the server does', (value, field) => {
    expect(serverField(value)).toBe(field);
    expect(aiConfigProblems(value, AT).map((p) => p.field)).toEqual([field]);
  });

  it('accepts a full config', () => {
    const value = {
      provider: 'openai',
      model: 'gpt-4o',
      messages: [{ role: 'system', content: 'You help {{name}}.' }],
      params: { temperature: 0, topP: 1, maxTokens: 1, stop: ['\n\n'], seed: -3 },
      tools: [{ name: 'search', mode: 'observe', description: '', parameters: { type: 'object' } }],
      fallbacks: [{ provider: 'anthropic', model: 'claude-sonnet-4-5' }],
      pricing: { inputPerMillion: 0, outputPerMillion: 2.5 },
    };
    expect(serverField(value)).toBeUndefined();
    expect(aiConfigProblems(value, AT)).toEqual([]);
  });
});
