import { newUid } from '../targeting/targeting-draft.js';

export interface ContextRow {
  uid: string;
  name: string;
  value: string;
}

/** A context as typed: JSON, or attribute rows. */
export interface ContextDraft {
  mode: 'rows' | 'json';
  json: string;
  rows: ContextRow[];
}

export function initialContext(): ContextDraft {
  return {
    mode: 'rows',
    json: '{\n  "targetingKey": "user-1"\n}',
    rows: [{ uid: newUid(), name: 'targetingKey', value: 'user-1' }],
  };
}

/** A row's value: numbers, booleans and null as such (clauses compare types strictly), else text. */
export function rowValue(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === 'true' || trimmed === 'false' || trimmed === 'null') return JSON.parse(trimmed);
  if (trimmed !== '' && Number.isFinite(Number(trimmed)) && /^-?\d/.test(trimmed)) return Number(trimmed);
  if (
    (trimmed.startsWith('[') && trimmed.endsWith(']')) ||
    (trimmed.startsWith('{') && trimmed.endsWith('}'))
  ) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return text;
    }
  }
  return text;
}

/** The context a draft describes, or what is wrong with it. */
export function contextOf(draft: ContextDraft): { context: Record<string, unknown> } | { problem: string } {
  if (draft.mode === 'rows') {
    const context: Record<string, unknown> = {};
    for (const row of draft.rows) if (row.name.trim() !== '') context[row.name.trim()] = rowValue(row.value);
    return { context };
  }
  try {
    const parsed: unknown = JSON.parse(draft.json);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      return { problem: 'a context is a JSON object' };
    return { context: parsed as Record<string, unknown> };
  } catch (e) {
    return { problem: `not valid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Switches between JSON and rows, carrying the attributes across. */
export function switchMode(draft: ContextDraft, mode: ContextDraft['mode']): ContextDraft {
  if (mode === draft.mode) return draft;
  const current = contextOf(draft);
  if ('problem' in current) return { ...draft, mode };
  if (mode === 'json') return { ...draft, mode, json: JSON.stringify(current.context, null, 2) };
  const rows = Object.entries(current.context).map(([name, value]) => ({
    uid: newUid(),
    name,
    value: typeof value === 'string' ? value : JSON.stringify(value),
  }));
  return { ...draft, mode, rows };
}
