import type { FlagKind, JsonValue } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { defaultValueText, parseValue, valueText } from './variant-values.js';

describe('variant values, by kind', () => {
  it('parses what each kind accepts', () => {
    expect(parseValue('boolean', 'false')).toEqual({ value: false });
    expect(parseValue('number', '2.5')).toEqual({ value: 2.5 });
    expect(parseValue('string', ' x ')).toEqual({ value: ' x ' });
    expect(parseValue('json', '{"a":[1]}')).toEqual({ value: { a: [1] } });
    expect(parseValue('ai-config', defaultValueText('ai-config', 0)).value).toMatchObject({
      provider: 'openai',
    });
  });

  it('refuses what it does not, saying why', () => {
    expect(parseValue('boolean', 'yes').problem).toMatch(/true or false/);
    expect(parseValue('number', '').problem).toMatch(/finite number/);
    expect(parseValue('number', 'Infinity').problem).toMatch(/finite number/);
    expect(parseValue('json', '{').problem).toMatch(/valid JSON/);
    expect(parseValue('ai-config', '[]').problem).toMatch(/object/);
    expect(parseValue('ai-config', '{"provider":"openai"}').problem).toMatch(/model/);
  });

  it('edits stored values as text that parses back to them', () => {
    const cases: [FlagKind, JsonValue][] = [
      ['boolean', true],
      ['number', -3],
      ['string', 'a "b"'],
      ['json', { x: [1, null] }],
    ];
    for (const [kind, value] of cases) {
      expect(parseValue(kind, valueText(kind, value)).value).toEqual(value);
    }
  });
});
