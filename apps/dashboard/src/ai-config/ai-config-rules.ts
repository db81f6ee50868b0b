import type { FieldProblem } from '../model/field-errors.js';

/**
 * The rules of an AI config (a variant value of an `ai-config` flag), mirrored from the server's
 * `aiConfigSchema` (apps/server/src/features/flags/flag-schemas.ts) so a mistake is shown at its field
 * before anything is sent. ai-config-rules.test.ts runs both on the same values: they must agree.
 */
export const AI_CONFIG_LIMITS = {
  providerLength: 64,
  modelLength: 200,
  messages: 100,
  contentLength: 100_000,
  stopSequences: 16,
  stopLength: 100,
  tools: 128,
  toolNameLength: 64,
  toolDescriptionLength: 4000,
  fallbacks: 10,
} as const;

/** Who may speak a message of the prompt. */
export const MESSAGE_ROLES = ['system', 'user', 'assistant', 'developer'] as const;
export type MessageRole = (typeof MESSAGE_ROLES)[number];

/** How a tool is offered: `observe` lets the model call it, but the call is only logged. */
export const TOOL_MODES = ['enabled', 'observe', 'off'] as const;
export type ToolMode = (typeof TOOL_MODES)[number];

/** The bounds of a numeric parameter (inclusive); `integer`: a whole number. */
export interface NumberBounds {
  min?: number;
  max?: number;
  integer: boolean;
}

/** The numeric parameters, in the schema's order, with the server's bounds. */
export const NUMBER_PARAMS = {
  temperature: { min: 0, max: 2, integer: false },
  topP: { min: 0, max: 1, integer: false },
  maxTokens: { min: 1, max: 10_000_000, integer: true },
  contextWindow: { min: 1, max: 100_000_000, integer: true },
  presencePenalty: { min: -2, max: 2, integer: false },
  frequencyPenalty: { min: -2, max: 2, integer: false },
  seed: { integer: true },
} as const satisfies Record<string, NumberBounds>;
export type NumberParam = keyof typeof NUMBER_PARAMS;

/** Every key `params` may hold, in the schema's order. */
export const PARAM_KEYS = [
  'temperature',
  'topP',
  'maxTokens',
  'contextWindow',
  'stop',
  'presencePenalty',
  'frequencyPenalty',
  'seed',
] as const;

const TOP_KEYS = ['provider', 'model', 'messages', 'params', 'tools', 'fallbacks', 'pricing'];

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What is wrong with a number against its bounds, worded for a person; undefined when it is fine. */
export function numberProblem(value: unknown, bounds: NumberBounds): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
  if (bounds.integer && !Number.isSafeInteger(value)) return 'must be a whole number';
  if (bounds.min !== undefined && value < bounds.min) return `must be at least ${bounds.min}`;
  if (bounds.max !== undefined && value > bounds.max) return `must be at most ${bounds.max}`;
  return undefined;
}

function textProblem(value: unknown, min: number, max: number): string | undefined {
  if (typeof value !== 'string') return value === undefined ? 'is required' : 'must be text';
  if (value.length < min) return 'is required';
  if (value.length > max) return `must be at most ${max} characters`;
  return undefined;
}

class Problems {
  readonly list: FieldProblem[] = [];
  add(field: string, message: string | undefined): void {
    if (message !== undefined) this.list.push({ field, message });
  }
  /** A list's own problems; returns its items to check, or none when it is not a usable list. */
  items(field: string, value: unknown, max: number, optional: boolean): unknown[] {
    if (value === undefined && optional) return [];
    if (!Array.isArray(value)) {
      this.add(field, 'must be a list');
      return [];
    }
    if (value.length > max) this.add(field, `must have at most ${max} items`);
    return value;
  }
  unknownKeys(field: string, value: Obj, known: readonly string[]): void {
    const extra = Object.keys(value).filter((k) => !known.includes(k));
    if (extra.length > 0)
      this.add(
        field,
        `unknown ${extra.length === 1 ? 'key' : 'keys'} ${extra.map((k) => `"${k}"`).join(', ')}`,
      );
  }
}

function checkParams(p: Problems, at: string, params: unknown): void {
  if (params === undefined) return;
  if (!isObject(params)) {
    p.add(at, 'must be an object');
    return;
  }
  for (const [name, bounds] of Object.entries(NUMBER_PARAMS)) {
    if (params[name] !== undefined) p.add(`${at}.${name}`, numberProblem(params[name], bounds));
  }
  if (params.stop !== undefined) {
    const stops = p.items(`${at}.stop`, params.stop, AI_CONFIG_LIMITS.stopSequences, false);
    stops.forEach((s, i) => {
      p.add(`${at}.stop.${i}`, textProblem(s, 0, AI_CONFIG_LIMITS.stopLength));
    });
  }
  p.unknownKeys(at, params, PARAM_KEYS);
}

function checkProviderModel(p: Problems, at: string, value: Obj): void {
  p.add(`${at}.provider`, textProblem(value.provider, 1, AI_CONFIG_LIMITS.providerLength));
  p.add(`${at}.model`, textProblem(value.model, 1, AI_CONFIG_LIMITS.modelLength));
}

/**
 * Every problem of an AI config, each at the field the server names (`body.variants.1.value` given as
 * `at`, then `.messages.0.content`…); empty when the server accepts it.
 */
export function aiConfigProblems(value: unknown, at: string): FieldProblem[] {
  const p = new Problems();
  if (!isObject(value)) {
    p.add(at, 'must be an object');
    return p.list;
  }
  checkProviderModel(p, at, value);
  for (const [i, m] of p.items(`${at}.messages`, value.messages, AI_CONFIG_LIMITS.messages, true).entries()) {
    const field = `${at}.messages.${i}`;
    if (!isObject(m)) {
      p.add(field, 'must be an object');
      continue;
    }
    if (!MESSAGE_ROLES.includes(m.role as MessageRole))
      p.add(`${field}.role`, `must be one of ${MESSAGE_ROLES.join(', ')}`);
    p.add(`${field}.content`, textProblem(m.content, 0, AI_CONFIG_LIMITS.contentLength));
  }
  checkParams(p, `${at}.params`, value.params);
  for (const [i, t] of p.items(`${at}.tools`, value.tools, AI_CONFIG_LIMITS.tools, true).entries()) {
    const field = `${at}.tools.${i}`;
    if (!isObject(t)) {
      p.add(field, 'must be an object');
      continue;
    }
    p.add(`${field}.name`, textProblem(t.name, 1, AI_CONFIG_LIMITS.toolNameLength));
    if (!TOOL_MODES.includes(t.mode as ToolMode))
      p.add(`${field}.mode`, `must be one of ${TOOL_MODES.join(', ')}`);
    if (t.description !== undefined)
      p.add(`${field}.description`, textProblem(t.description, 0, AI_CONFIG_LIMITS.toolDescriptionLength));
    if (t.parameters !== undefined && !isObject(t.parameters))
      p.add(`${field}.parameters`, 'must be a JSON object (a JSON Schema)');
  }
  for (const [i, f] of p
    .items(`${at}.fallbacks`, value.fallbacks, AI_CONFIG_LIMITS.fallbacks, true)
    .entries()) {
    if (isObject(f)) checkProviderModel(p, `${at}.fallbacks.${i}`, f);
    else p.add(`${at}.fallbacks.${i}`, 'must be an object');
  }
  if (value.pricing !== undefined) {
    if (!isObject(value.pricing)) p.add(`${at}.pricing`, 'must be an object');
    else
      for (const name of ['inputPerMillion', 'outputPerMillion'])
        p.add(
          `${at}.pricing.${name}`,
          value.pricing[name] === undefined
            ? 'is required'
            : numberProblem(value.pricing[name], { min: 0, integer: false }),
        );
  }
  p.unknownKeys(at, value, TOP_KEYS);
  return p.list;
}
