import type { FlagKind, JsonValue } from '@switchboard/core';

/** A variant value as typed: kept as text while edited, so half-typed input is never rewritten. */
export type ValueText = string;

/** The text a stored value is edited as. */
export function valueText(kind: FlagKind, value: JsonValue): ValueText {
  if (kind === 'string' && typeof value === 'string') return value;
  if (kind === 'boolean' || kind === 'number') return String(value);
  return JSON.stringify(value, null, 2);
}

/** A new variant's value text for a kind. */
export function defaultValueText(kind: FlagKind, index: number): ValueText {
  switch (kind) {
    case 'boolean':
      return index === 0 ? 'true' : 'false';
    case 'number':
      return String(index);
    case 'string':
      return '';
    case 'json':
      return '{}';
    case 'ai-config':
      return JSON.stringify({ provider: 'openai', model: 'gpt-4o-mini', messages: [] }, null, 2);
  }
}

/** The value of a variant's text, or the problem with it (worded like the server's messages). */
export function parseValue(
  kind: FlagKind,
  text: ValueText,
): { value: JsonValue; problem?: undefined } | { value?: undefined; problem: string } {
  switch (kind) {
    case 'string':
      return { value: text };
    case 'boolean':
      if (text === 'true' || text === 'false') return { value: text === 'true' };
      return { problem: 'must be true or false for a boolean flag' };
    case 'number': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n))
        return { problem: 'must be a finite number for a number flag' };
      return { value: n };
    }
    case 'json':
    case 'ai-config': {
      let value: JsonValue;
      try {
        value = JSON.parse(text) as JsonValue;
      } catch {
        return { problem: 'must be valid JSON' };
      }
      if (kind === 'ai-config') {
        const o = value as Record<string, unknown> | null;
        if (typeof o !== 'object' || o === null || Array.isArray(o)) return { problem: 'must be an object' };
        if (typeof o.provider !== 'string' || o.provider === '')
          return { problem: 'needs a provider (openai, anthropic, simulated...)' };
        if (typeof o.model !== 'string' || o.model === '') return { problem: 'needs a model' };
      }
      return { value };
    }
  }
}

/** How a value reads in one line: strings as they are, the rest as JSON. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return "the caller's default";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
