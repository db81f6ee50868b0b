import { renderAiConfig } from '@switchboard/llm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { variablesOf } from './template-variables.js';

describe('the {{variables}} of a prompt', () => {
  it('lists each variable once, in the order it first appears, dotted paths and spaces included', () => {
    expect(
      variablesOf([
        { content: 'You help {{ customer }} on the {{plan.tier}} plan.' },
        { content: '{{question}} (asked by {{customer}})' },
      ]),
    ).toEqual(['customer', 'plan.tier', 'question']);
  });

  it('ignores what is not a placeholder', () => {
    expect(variablesOf([{ content: '{{}} {{ 1x }} {single} {{a b}} {{ok-1}}' }])).toEqual(['ok-1']);
    expect(variablesOf([])).toEqual([]);
  });

  it('finds exactly the variables the renderer fills', () => {
    const piece = fc.oneof(
      fc.constantFrom('{{', '}}', ' ', '.', 'a', 'user', '$', '-', '1', '_x', '{{ name }}', '{{a.b}}'),
      fc.string({ maxLength: 4 }),
    );
    const content = fc.array(piece, { maxLength: 12 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.array(content, { maxLength: 3 }), (contents) => {
        const messages = contents.map((c) => ({ role: 'user' as const, content: c }));
        const rendered = renderAiConfig({ provider: 'simulated', model: 'm', messages });
        const missing = [...new Set(rendered.errors.map((e) => e.variable))];
        expect(variablesOf(messages)).toEqual(missing);
      }),
      { numRuns: 500 },
    );
  });
});
