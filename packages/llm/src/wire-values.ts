import { GenerationErrorKind } from '@switchboard/core';
import type { ChatTool, ToolCall } from './chat-request.js';
import { ProviderError } from './provider-error.js';

/** Reads a JSON object's field; undefined for anything that is not an object. */
export function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

/** A string field, or undefined. */
export function stringField(value: unknown, name: string): string | undefined {
  const found = field(value, name);
  return typeof found === 'string' ? found : undefined;
}

/** A finite number field, or undefined. */
export function numberField(value: unknown, name: string): number | undefined {
  const found = field(value, name);
  return typeof found === 'number' && Number.isFinite(found) ? found : undefined;
}

/** An array field, or an empty array. */
export function arrayField(value: unknown, name: string): unknown[] {
  const found = field(value, name);
  return Array.isArray(found) ? found : [];
}

/** Parses a provider's JSON, failing as a retryable `other` error (the provider misbehaved, not the request). */
export function parseProviderJson(provider: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw malformed(provider, `body is not JSON: ${text.slice(0, 200)}`, error);
  }
}

/** The error for a response that does not follow the protocol. */
export function malformed(provider: string, detail: string, cause?: unknown): ProviderError {
  return new ProviderError(`${provider}: malformed response: ${detail}`, {
    kind: GenerationErrorKind.Other,
    retryable: true,
    type: 'malformed_response',
    provider,
    ...(cause !== undefined && { cause }),
  });
}

/** Marks the calls of tools offered in `observe` mode. */
export function markObserved(calls: ToolCall[], tools: readonly ChatTool[] | undefined): ToolCall[] {
  const observed = new Set((tools ?? []).filter((t) => t.observeOnly).map((t) => t.name));
  return observed.size === 0
    ? calls
    : calls.map((c) => (observed.has(c.name) ? { ...c, observeOnly: true } : c));
}

/** The JSON Schema sent for a tool without one: an object with no declared properties. */
export const EMPTY_OBJECT_SCHEMA: Record<string, unknown> = { type: 'object', properties: {} };

/** Copies the defined entries only. */
export function defined(entries: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined));
}
