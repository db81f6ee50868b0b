import type { FieldProblem } from '../model/field-errors.js';
import { newUid } from '../targeting/targeting-draft.js';
import {
  aiConfigProblems,
  MESSAGE_ROLES,
  type MessageRole,
  NUMBER_PARAMS,
  type NumberParam,
  PARAM_KEYS,
  TOOL_MODES,
  type ToolMode,
} from './ai-config-rules.js';
import type { AiConfigValue } from './ai-config-value.js';

/** One message of the prompt as edited. */
export interface MessageDraft {
  uid: string;
  role: MessageRole;
  content: string;
}

/** One tool as edited: its JSON Schema parameters kept as text (empty: none). */
export interface ToolDraft {
  uid: string;
  name: string;
  mode: ToolMode;
  description: string;
  parametersText: string;
}

/** One link of the fallback chain, or a stop sequence, as edited. */
export interface ProviderModelDraft {
  uid: string;
  provider: string;
  model: string;
}
export interface StopDraft {
  uid: string;
  /** The sequence with `\n`, `\t`, `\\`… written as escapes, so line breaks can be typed. */
  text: string;
}

/**
 * An AI config as edited in the form: numbers kept as typed (empty: not set), so half-typed input is
 * never rewritten. `stop: null` is no stop list; `pricing: null`, the built-in price table.
 */
export interface AiConfigDraft {
  provider: string;
  model: string;
  messages: MessageDraft[];
  params: Record<NumberParam, string>;
  stop: StopDraft[] | null;
  tools: ToolDraft[];
  fallbacks: ProviderModelDraft[];
  pricing: { inputPerMillion: string; outputPerMillion: string } | null;
}

const NUMBER_NAMES = Object.keys(NUMBER_PARAMS) as NumberParam[];
const emptyParams = () => Object.fromEntries(NUMBER_NAMES.map((n) => [n, ''])) as Record<NumberParam, string>;

/** A new message (a user turn unless it is the first). */
export const newMessage = (role: MessageRole = 'user'): MessageDraft => ({
  uid: newUid(),
  role,
  content: '',
});
export const newTool = (): ToolDraft => ({
  uid: newUid(),
  name: '',
  mode: 'enabled',
  description: '',
  parametersText: '',
});
export const newProviderModel = (): ProviderModelDraft => ({ uid: newUid(), provider: '', model: '' });
export const newStop = (): StopDraft => ({ uid: newUid(), text: '' });

/** A stop sequence as typed, escapes written out: `"\n"` reads `\n`. */
export const stopText = (stop: string): string => JSON.stringify(stop).slice(1, -1);

/** The sequence a stop's text means, or undefined when an escape is broken. */
export function stopOf(text: string): string | undefined {
  // Made a JSON string literal: a lone `"` and raw control characters escaped, escapes kept.
  let literal = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\') {
      literal += c + (text[i + 1] ?? '');
      i++;
    } else if (c === '"') literal += '\\"';
    else if (c < ' ') literal += `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    else literal += c;
  }
  try {
    return JSON.parse(`"${literal}"`) as string;
  } catch {
    return undefined;
  }
}

const NUMBER_TEXT = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/** The number typed, undefined when empty, or NaN when it is not a number. */
export function numberOf(text: string): number | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  return NUMBER_TEXT.test(t) ? Number(t) : Number.NaN;
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const onlyKeys = (o: Obj, keys: readonly string[]) => Object.keys(o).every((k) => keys.includes(k));

/** Why a value cannot be shown in the form without changing it. */
export class NotEditableError extends Error {}

function need(ok: boolean, what: string): void {
  if (!ok) throw new NotEditableError(what);
}

function listOf(value: unknown, name: string): unknown[] {
  if (value === undefined) return [];
  need(Array.isArray(value), `${name} must be a list`);
  return value as unknown[];
}

/**
 * The form's draft of an AI config value. Anything the form could not give back exactly (an unknown
 * key, a role the form does not offer, an empty description…) is refused with what it is, so a value
 * never changes by being looked at in the form. Missing `messages`, `params`, `tools` and `fallbacks`
 * become the server's defaults (empty).
 */
export function draftOfConfig(value: unknown): { draft: AiConfigDraft } | { problem: string } {
  try {
    need(isObject(value), 'an AI config must be an object');
    const v = value as Obj;
    const unknown = Object.keys(v).filter(
      (k) => !['provider', 'model', 'messages', 'params', 'tools', 'fallbacks', 'pricing'].includes(k),
    );
    need(unknown.length === 0, `unknown key ${JSON.stringify(unknown[0])}`);
    need(typeof v.provider === 'string', 'provider must be text');
    need(typeof v.model === 'string', 'model must be text');
    const messages = listOf(v.messages, 'messages').map((m, i) => {
      need(
        isObject(m) && onlyKeys(m, ['role', 'content']),
        `messages.${i} must have only a role and content`,
      );
      const { role, content } = m as Obj;
      need(
        MESSAGE_ROLES.includes(role as MessageRole),
        `messages.${i}.role must be one of ${MESSAGE_ROLES.join(', ')}`,
      );
      need(typeof content === 'string', `messages.${i}.content must be text`);
      return { uid: newUid(), role: role as MessageRole, content: content as string };
    });
    const params = emptyParams();
    let stop: StopDraft[] | null = null;
    if (v.params !== undefined) {
      need(isObject(v.params) && onlyKeys(v.params, PARAM_KEYS), 'params must hold only known parameters');
      const p = v.params as Obj;
      for (const name of NUMBER_NAMES) {
        if (p[name] === undefined) continue;
        need(typeof p[name] === 'number' && Number.isFinite(p[name]), `params.${name} must be a number`);
        params[name] = String(p[name]);
      }
      if (p.stop !== undefined) {
        stop = listOf(p.stop, 'params.stop').map((s, i) => {
          need(typeof s === 'string', `params.stop.${i} must be text`);
          return { uid: newUid(), text: stopText(s as string) };
        });
      }
    }
    const tools = listOf(v.tools, 'tools').map((t, i) => {
      need(
        isObject(t) && onlyKeys(t, ['name', 'mode', 'description', 'parameters']),
        `tools.${i} has unknown keys`,
      );
      const tool = t as Obj;
      need(typeof tool.name === 'string', `tools.${i}.name must be text`);
      need(
        TOOL_MODES.includes(tool.mode as ToolMode),
        `tools.${i}.mode must be one of ${TOOL_MODES.join(', ')}`,
      );
      need(
        tool.description === undefined || (typeof tool.description === 'string' && tool.description !== ''),
        `tools.${i}.description must be text (or left out)`,
      );
      need(
        tool.parameters === undefined || isObject(tool.parameters),
        `tools.${i}.parameters must be an object`,
      );
      return {
        uid: newUid(),
        name: tool.name as string,
        mode: tool.mode as ToolMode,
        description: (tool.description as string | undefined) ?? '',
        parametersText: tool.parameters === undefined ? '' : JSON.stringify(tool.parameters, null, 2),
      };
    });
    const fallbacks = listOf(v.fallbacks, 'fallbacks').map((f, i) => {
      need(
        isObject(f) &&
          onlyKeys(f, ['provider', 'model']) &&
          typeof f.provider === 'string' &&
          typeof f.model === 'string',
        `fallbacks.${i} must be a provider and a model`,
      );
      const link = f as Obj;
      return { uid: newUid(), provider: link.provider as string, model: link.model as string };
    });
    let pricing: AiConfigDraft['pricing'] = null;
    if (v.pricing !== undefined) {
      const p = v.pricing;
      need(
        isObject(p) &&
          onlyKeys(p, ['inputPerMillion', 'outputPerMillion']) &&
          typeof p.inputPerMillion === 'number' &&
          typeof p.outputPerMillion === 'number' &&
          Number.isFinite(p.inputPerMillion) &&
          Number.isFinite(p.outputPerMillion),
        'pricing must be two prices',
      );
      const prices = p as { inputPerMillion: number; outputPerMillion: number };
      pricing = {
        inputPerMillion: String(prices.inputPerMillion),
        outputPerMillion: String(prices.outputPerMillion),
      };
    }
    return {
      draft: {
        provider: v.provider as string,
        model: v.model as string,
        messages,
        params,
        stop,
        tools,
        fallbacks,
        pricing,
      },
    };
  } catch (e) {
    if (e instanceof NotEditableError) return { problem: e.message };
    throw e;
  }
}

/** A new variant's AI config. */
export function newAiConfigDraft(): AiConfigDraft {
  return {
    provider: 'openai',
    model: 'gpt-4o-mini',
    messages: [newMessage('system')],
    params: emptyParams(),
    stop: null,
    tools: [],
    fallbacks: [],
    pricing: null,
  };
}

/**
 * The AI config a draft makes, with every problem at the field the server would name (`at` is the
 * value's own path, `body.variants.1.value`). What could not be read (a number mistyped, parameters
 * that are not JSON) is left out of the value and named; the rest is checked by the server's rules.
 */
export function configOfDraft(
  draft: AiConfigDraft,
  at: string,
): { value: AiConfigValue; problems: FieldProblem[]; unreadable: FieldProblem[] } {
  const unreadable: FieldProblem[] = [];
  const params: Obj = {};
  for (const key of PARAM_KEYS) {
    if (key === 'stop') {
      if (draft.stop === null) continue;
      params.stop = draft.stop.map((s, i) => {
        const stop = stopOf(s.text);
        if (stop === undefined)
          unreadable.push({
            field: `${at}.params.stop.${i}`,
            message: 'has a broken escape (write a backslash as \\\\)',
          });
        return stop ?? s.text;
      });
      continue;
    }
    const n = numberOf(draft.params[key]);
    if (Number.isNaN(n)) unreadable.push({ field: `${at}.params.${key}`, message: 'must be a number' });
    else if (n !== undefined) params[key] = n;
  }
  const tools = draft.tools.map((t, i) => {
    let parameters: unknown;
    if (t.parametersText.trim() !== '') {
      try {
        parameters = JSON.parse(t.parametersText);
      } catch (e) {
        unreadable.push({
          field: `${at}.tools.${i}.parameters`,
          message: `is not valid JSON: ${e instanceof Error ? e.message : String(e)}`,
        });
      }
    }
    return {
      name: t.name,
      mode: t.mode,
      ...(t.description === '' ? {} : { description: t.description }),
      ...(parameters === undefined ? {} : { parameters }),
    };
  });
  let pricing: Obj | undefined;
  if (draft.pricing !== null) {
    pricing = {};
    for (const key of ['inputPerMillion', 'outputPerMillion'] as const) {
      const n = numberOf(draft.pricing[key]);
      if (n === undefined || Number.isNaN(n))
        unreadable.push({
          field: `${at}.pricing.${key}`,
          message: n === undefined ? 'is required' : 'must be a number',
        });
      else pricing[key] = n;
    }
  }
  const value = {
    provider: draft.provider,
    model: draft.model,
    messages: draft.messages.map((m) => ({ role: m.role, content: m.content })),
    params,
    tools,
    fallbacks: draft.fallbacks.map((f) => ({ provider: f.provider, model: f.model })),
    ...(pricing === undefined ? {} : { pricing }),
  } as AiConfigValue;
  const named = new Set(unreadable.map((p) => p.field));
  const problems = [...unreadable, ...aiConfigProblems(value, at).filter((p) => !named.has(p.field))];
  return { value, problems, unreadable };
}

/**
 * The draft as the JSON a power user edits (two-space indented), or the fields that cannot be written
 * as JSON yet (a mistyped number, parameters that are not JSON).
 */
export function jsonOfDraft(
  draft: AiConfigDraft,
  at: string,
): { text: string } | { unreadable: FieldProblem[] } {
  const { value, unreadable } = configOfDraft(draft, at);
  return unreadable.length > 0 ? { unreadable } : { text: JSON.stringify(value, null, 2) };
}

/** The form's draft of JSON text, or why it cannot be shown in the form. */
export function draftOfJson(text: string): { draft: AiConfigDraft } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { problem: `not valid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  return draftOfConfig(value);
}
