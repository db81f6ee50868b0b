import type { JsonValue } from '@switchboard/core';
import type { FieldProblem } from '../model/field-errors.js';
import {
  type AiConfigDraft,
  configOfDraft,
  draftOfJson,
  jsonOfDraft,
  newAiConfigDraft,
} from './ai-config-draft.js';
import { aiConfigProblems } from './ai-config-rules.js';

/**
 * How one AI config variant is being edited: in the form (`form` is the truth) or as JSON (the
 * variant's text is). `notice` says why the last switch of view was refused.
 */
export interface AiEditorState {
  view: 'form' | 'json';
  form: AiConfigDraft;
  notice?: string | undefined;
}

/** The editor of a stored (or new) value's JSON text: the form when it can show it exactly. */
export function aiEditorStateOf(text: string): AiEditorState {
  const parsed = draftOfJson(text);
  return 'draft' in parsed
    ? { view: 'form', form: parsed.draft }
    : { view: 'json', form: newAiConfigDraft(), notice: `Shown as JSON: ${parsed.problem}.` };
}

/**
 * The editor of a stored value with its text in the form's own key order, so showing it as JSON
 * changes nothing (PostgreSQL's jsonb keeps keys in another order).
 */
export function aiEditorOf(text: string): { state: AiEditorState; text: string } {
  const state = aiEditorStateOf(text);
  if (state.view === 'json') return { state, text };
  const json = jsonOfDraft(state.form, '');
  return { state, text: 'text' in json ? json.text : text };
}

/** The JSON text of a new variant's AI config. */
export function newAiConfigText(): string {
  const json = jsonOfDraft(newAiConfigDraft(), '');
  return 'text' in json ? json.text : '{}';
}

/**
 * Switches to the other view. To JSON: refused while a field cannot be written as JSON (its problems
 * are returned to show). To the form: refused, with the reason as the notice, when the JSON cannot be
 * shown in the form exactly.
 */
export function switchView(
  state: AiEditorState,
  text: string,
  at: string,
): { state: AiEditorState; text: string; problems: FieldProblem[] } {
  if (state.view === 'form') {
    const json = jsonOfDraft(state.form, at);
    if ('unreadable' in json)
      return {
        state: { ...state, notice: 'Fix the fields marked before switching to JSON.' },
        text,
        problems: json.unreadable,
      };
    return { state: { view: 'json', form: state.form }, text: json.text, problems: [] };
  }
  const parsed = draftOfJson(text);
  if ('problem' in parsed)
    return {
      state: { ...state, notice: `This JSON cannot be shown in the form: ${parsed.problem}.` },
      text,
      problems: [],
    };
  return { state: { view: 'form', form: parsed.draft }, text, problems: [] };
}

/** The value an AI config variant saves, with its problems at the server's fields. */
export function aiValueOf(
  state: AiEditorState,
  text: string,
  at: string,
): { value: JsonValue | null; problems: FieldProblem[] } {
  if (state.view === 'form') {
    const { value, problems } = configOfDraft(state.form, at);
    return { value: value as unknown as JsonValue, problems };
  }
  let value: JsonValue;
  try {
    value = JSON.parse(text) as JsonValue;
  } catch {
    return { value: null, problems: [{ field: at, message: 'must be valid JSON' }] };
  }
  return { value, problems: aiConfigProblems(value, at) };
}
