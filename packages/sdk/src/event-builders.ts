import type { EvaluationContext, FeedbackEvent, GenerationEvent, SwitchboardEvent } from '@switchboard/core';

/**
 * Which variant an event belongs to: give `variant` when you have it (an AI config's tracker does), or
 * a `context` and the client evaluates the flag for it (without recording an exposure).
 */
export interface Attribution {
  flag: string;
  variant?: string;
  context?: EvaluationContext;
  /** The unit (user, session…); taken from the context's targetingKey or userId when missing. */
  unit?: string;
}

/** A model call to record; see {@link GenerationEvent} for each field. */
export type GenerationInput = Omit<GenerationEvent, 'kind' | 'variant'> & Attribution;

/** A judgement to record: `thumbs` or a `score` in [0, 1], of a unit or a generation. */
export type FeedbackInput = Omit<FeedbackEvent, 'kind' | 'variant'> & Attribution;

/** Finds the assigned variant of `flag` for `context`; undefined when the flag serves none. */
export type VariantOf = (flag: string, context: EvaluationContext) => string | undefined;

const MAX_KEY_LENGTH = 200;

// Module-level, not closures of eventProblem: a tracked generation checks its event on the hot path.
function text(name: string, value: unknown, required: boolean): string | undefined {
  if (value === undefined) return required ? `${name} is required` : undefined;
  if (typeof value !== 'string' || value === '' || value.length > MAX_KEY_LENGTH)
    return `${name} must be a string of 1 to ${MAX_KEY_LENGTH} characters`;
  return undefined;
}

function amount(name: string, value: unknown, required: boolean): string | undefined {
  if (value === undefined) return required ? `${name} is required` : undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    return `${name} must be a finite number ≥ 0`;
  return undefined;
}

/** Why an event cannot be sent, or undefined when it can; checked before it takes buffer space. */
export function eventProblem(event: SwitchboardEvent): string | undefined {
  switch (event.kind) {
    case 'exposure':
      return (
        text('flag', event.flag, true) ??
        text('variant', event.variant, true) ??
        text('unit', event.unit, true)
      );
    case 'generation':
      return (
        text('flag', event.flag, true) ??
        text('variant', event.variant, true) ??
        text('provider', event.provider, true) ??
        text('model', event.model, true) ??
        text('unit', event.unit, false) ??
        text('generationId', event.generationId, false) ??
        amount('latencyMs', event.latencyMs, true) ??
        amount('ttftMs', event.ttftMs, false) ??
        amount('inputTokens', event.inputTokens, false) ??
        amount('outputTokens', event.outputTokens, false) ??
        amount('costUsd', event.costUsd, false)
      );
    case 'feedback': {
      const problem =
        text('flag', event.flag, true) ??
        text('variant', event.variant, true) ??
        text('unit', event.unit, false) ??
        text('generationId', event.generationId, false) ??
        text('pairId', event.pairId, false);
      if (problem !== undefined) return problem;
      if (event.unit === undefined && event.generationId === undefined)
        return 'unit or generationId is required';
      if ((event.thumbs === undefined) === (event.score === undefined))
        return 'give exactly one of thumbs and score';
      if (event.thumbs !== undefined && event.thumbs !== 'up' && event.thumbs !== 'down')
        return "thumbs must be 'up' or 'down'";
      if (
        event.score !== undefined &&
        !(typeof event.score === 'number' && event.score >= 0 && event.score <= 1)
      )
        return 'score must be a number in [0, 1]';
      if (event.servedScore !== undefined) {
        if (!(typeof event.servedScore === 'number' && event.servedScore >= 0 && event.servedScore <= 1))
          return 'servedScore must be a number in [0, 1]';
        if (event.shadow !== true) return "servedScore goes with a shadow answer's judgement (shadow: true)";
      }
      return undefined;
    }
    case 'metric':
      if (typeof event.value !== 'number' || !Number.isFinite(event.value))
        return 'value must be a finite number';
      return (
        text('name', event.name, true) ??
        text('flag', event.flag, false) ??
        text('variant', event.variant, false) ??
        text('unit', event.unit, false)
      );
    default:
      return 'unknown event kind';
  }
}

/** An attribute's value as a unit id, as the evaluator reads it: a non-empty string or a finite number. */
export function unitIdOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length > 0 ? value : undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** The unit a context stands for: targetingKey, else userId (as the evaluator buckets by default). */
export function unitOf(context: EvaluationContext | undefined): string | undefined {
  return unitIdOf(context?.targetingKey) ?? unitIdOf(context?.userId);
}

/**
 * Resolves an {@link Attribution} into `{ flag, variant, unit? }`; the variant is looked up for the
 * context when it is not given. Returns a reason instead when no variant can be named.
 */
export function attribute(
  attribution: Attribution,
  variantOf: VariantOf,
): { flag: string; variant: string; unit?: string } | string {
  const { flag, context } = attribution;
  const variant = attribution.variant ?? (context === undefined ? undefined : variantOf(flag, context));
  if (variant === undefined)
    return context === undefined
      ? `${flag}: give the variant or a context to find it`
      : `${flag} serves no variant for this context`;
  const unit = attribution.unit ?? unitOf(context);
  return unit === undefined ? { flag, variant } : { flag, variant, unit };
}

/** Drops the attribution-only fields from a caller's input. */
export function withoutAttribution<T extends Attribution>(input: T): Omit<T, keyof Attribution> {
  const { flag: _flag, variant: _variant, context: _context, unit: _unit, ...rest } = input;
  return rest;
}
