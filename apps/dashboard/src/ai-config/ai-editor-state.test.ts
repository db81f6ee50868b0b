import { describe, expect, it } from 'vitest';
import { aiEditorOf, aiEditorStateOf, aiValueOf, newAiConfigText, switchView } from './ai-editor-state.js';

const AT = 'body.variants.1.value';
const STORED = JSON.stringify(
  {
    provider: 'openai',
    model: 'gpt-4o',
    messages: [{ role: 'system', content: 'Hi {{name}}' }],
    params: { temperature: 0.2 },
    tools: [],
    fallbacks: [{ provider: 'anthropic', model: 'claude-haiku-4-5' }],
  },
  null,
  2,
);

describe('switching an AI config between the form and JSON', () => {
  it('opens a stored value in the form, and writes the same JSON back', () => {
    const state = aiEditorStateOf(STORED);
    expect(state.view).toBe('form');
    const json = switchView(state, STORED, AT);
    expect(json.state.view).toBe('json');
    expect(json.text).toBe(STORED);
    const back = switchView(json.state, json.text, AT);
    expect(back.state.view).toBe('form');
    expect(aiValueOf(back.state, back.text, AT)).toEqual({ value: JSON.parse(STORED), problems: [] });
  });

  it('keeps JSON it cannot show exactly in the JSON view, saying why', () => {
    const text = '{"provider": "openai", "model": "m", "params": {"temperature": "warm"}}';
    const state = aiEditorStateOf(text);
    expect(state).toMatchObject({ view: 'json', notice: expect.stringContaining('params.temperature') });
    const refused = switchView(state, text, AT);
    expect(refused.state.view).toBe('json');
    expect(refused.state.notice).toMatch(/cannot be shown in the form: params\.temperature must be a number/);
    expect(aiValueOf(state, text, AT).problems.map((p) => p.field)).toEqual([`${AT}.params.temperature`]);
    expect(aiValueOf(state, '{', AT)).toEqual({
      value: null,
      problems: [{ field: AT, message: 'must be valid JSON' }],
    });
  });

  it('refuses to write JSON while a field cannot be read, naming the field', () => {
    const state = aiEditorStateOf(STORED);
    state.form.params.maxTokens = 'lots';
    const refused = switchView(state, STORED, AT);
    expect(refused.state.view).toBe('form');
    expect(refused.problems).toEqual([{ field: `${AT}.params.maxTokens`, message: 'must be a number' }]);
  });

  it('starts a new variant from a config the server accepts', () => {
    const state = aiEditorStateOf(newAiConfigText());
    expect(state.view).toBe('form');
    const { problems } = aiValueOf(state, newAiConfigText(), AT);
    // The new config's system message is empty, which the server accepts.
    expect(problems).toEqual([]);
  });
});

describe('a stored value whose keys come back in another order', () => {
  it('is written in the form’s order, so showing it as JSON changes no text', () => {
    // As PostgreSQL's jsonb returns it: keys by length, then alphabetically.
    const reordered = JSON.stringify({
      model: 'gpt-4o',
      tools: [],
      params: { temperature: 0.2 },
      messages: [{ content: 'Hi {{name}}', role: 'system' }],
      provider: 'openai',
      fallbacks: [{ model: 'claude-haiku-4-5', provider: 'anthropic' }],
    });
    const { state, text } = aiEditorOf(reordered);
    expect(text).toBe(STORED);
    expect(switchView(state, text, AT).text).toBe(text);
  });
});
