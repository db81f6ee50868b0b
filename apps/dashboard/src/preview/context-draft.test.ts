import { describe, expect, it } from 'vitest';
import { contextOf, rowValue, switchMode } from './context-draft.js';

describe('the preview context', () => {
  it('types row values as clauses compare them', () => {
    expect(rowValue('42')).toBe(42);
    expect(rowValue('true')).toBe(true);
    expect(rowValue('["a"]')).toEqual(['a']);
    expect(rowValue('enterprise')).toBe('enterprise');
    expect(rowValue('1.2.3')).toBe('1.2.3');
    expect(rowValue('')).toBe('');
  });

  it('reads JSON and says what is wrong with it', () => {
    expect(contextOf({ mode: 'json', json: '{"plan":"team"}', rows: [] })).toEqual({
      context: { plan: 'team' },
    });
    expect(contextOf({ mode: 'json', json: '[1]', rows: [] })).toEqual({
      problem: 'a context is a JSON object',
    });
    expect('problem' in contextOf({ mode: 'json', json: '{', rows: [] })).toBe(true);
  });

  it('carries attributes between rows and JSON', () => {
    const rows = { mode: 'rows' as const, json: '', rows: [{ uid: 'a', name: 'seats', value: '12' }] };
    const json = switchMode(rows, 'json');
    expect(JSON.parse(json.json)).toEqual({ seats: 12 });
    expect(switchMode(json, 'rows').rows.map(({ name, value }) => ({ name, value }))).toEqual([
      { name: 'seats', value: '12' },
    ]);
  });
});
