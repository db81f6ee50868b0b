import type { JsonValue, Variant } from '@switchboard/core';
import { CliError, EXIT } from './exit-codes.js';

/** What `flags create --kind boolean` gets without --variants. */
export const BOOLEAN_VARIANTS: Variant[] = [
  { key: 'on', value: true },
  { key: 'off', value: false },
];

/**
 * The variants of `flags create --variants <json>`: an array of `{ key, value, name?, description? }`
 * as the API takes it, or an object from variant key to value (`{"gpt-4o": "gpt-4o", "candidate": "o3"}`).
 * The server checks the values against the flag's kind.
 */
export function parseVariants(json: string | undefined, kind: string): Variant[] {
  if (json === undefined) {
    if (kind === 'boolean') return BOOLEAN_VARIANTS;
    throw new CliError(
      `--variants is required for a ${kind} flag, e.g. --variants '{"control": ..., "candidate": ...}'`,
      EXIT.usage,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new CliError(`--variants: not JSON (${(error as Error).message})`, EXIT.usage);
  }
  if (Array.isArray(parsed)) return parsed as Variant[];
  if (typeof parsed === 'object' && parsed !== null) {
    return Object.entries(parsed as Record<string, JsonValue>).map(([key, value]) => ({ key, value }));
  }
  throw new CliError('--variants: expected an array of {key, value} or an object of key → value', EXIT.usage);
}
