import type { EvaluationContext } from '@openfeature/core';

/**
 * OpenFeature's context as Switchboard reads it: the same attributes, `targetingKey` included, with
 * top-level `Date` values as RFC 3339 strings (what `before`/`after` clauses compare, and what JSON
 * gives the server). Returns the context itself when it holds no dates, and anything that is not an
 * object as it is (evaluation reports it as INVALID_CONTEXT).
 */
export function toSwitchboardContext(context: EvaluationContext): Record<string, unknown> {
  if (typeof context !== 'object' || context === null || Array.isArray(context)) return context;
  let converted: Record<string, unknown> | undefined;
  for (const key of Object.keys(context)) {
    const value = context[key];
    if (value instanceof Date) {
      converted ??= { ...context };
      converted[key] = Number.isNaN(value.getTime()) ? null : value.toISOString();
    }
  }
  return converted ?? context;
}
