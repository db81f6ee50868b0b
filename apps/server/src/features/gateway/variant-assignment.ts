import { DEFAULT_RETRY_AFTER_SECONDS, ErrorCode, evaluate, FlagKind, Reason } from '@switchboard/core';
import type { AiConfigInput } from '@switchboard/llm';
import type { EnvironmentSnapshot } from '../evaluation/snapshot-service.js';
import type { GatewayCall } from './gateway-call.js';
import { GatewayError } from './gateway-errors.js';

/** The variant a unit is assigned, with its AI config. */
export interface Assignment {
  variant: string;
  config: AiConfigInput;
  /** Tools the config turns off. */
  offTools: ReadonlySet<string>;
}

/** What a killed flag answers, as the SDK's `killSwitch` does. */
export const KILLED_MESSAGE = 'Feature temporarily disabled';

const offToolsOf = new WeakMap<object, ReadonlySet<string>>();

/**
 * Evaluates the call's flag in the snapshot (in memory: no store read) and returns the assigned
 * variant's AI config. Refuses, as a {@link GatewayError}: an unknown flag (404), a flag that is not an
 * ai-config (400), a disabled flag or one with nothing to serve (503 with Retry-After), a split without
 * a unit (400), a flag that cannot be evaluated (500).
 */
export function assignVariant(scope: EnvironmentSnapshot, call: GatewayCall): Assignment {
  const key = call.flagKey;
  const flag = scope.compiled.flag(key);
  const param = 'model';
  if (flag === undefined) {
    throw new GatewayError(
      404,
      'flag_not_found',
      `no flag ${JSON.stringify(key)} in ${scope.projectKey}/${scope.environmentKey}`,
      { param },
    );
  }
  if (flag.kind !== FlagKind.AiConfig) {
    throw new GatewayError(
      400,
      'not_ai_config',
      `flag ${JSON.stringify(key)} is a ${flag.kind} flag: the gateway serves ai-config flags`,
      { param },
    );
  }
  const result = evaluate(scope.compiled, key, call.context);
  if (
    result.reason === Reason.Disabled ||
    (result.reason === Reason.PrerequisiteFailed && result.variant === undefined)
  ) {
    const retryAfterSeconds = flag.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS;
    throw new GatewayError(503, 'flag_disabled', KILLED_MESSAGE, {
      headers: { 'retry-after': String(retryAfterSeconds) },
      extra: { retryAfterSeconds },
    });
  }
  if (result.errorCode === ErrorCode.TargetingKeyMissing) {
    throw new GatewayError(
      400,
      'user_required',
      `flag ${JSON.stringify(key)} splits by unit: send user (OpenAI), metadata.user_id (Anthropic) or the x-switchboard-user header`,
      { param: call.dialect === 'openai' ? 'user' : 'metadata.user_id' },
    );
  }
  const value = result.value;
  if (result.variant === undefined || !isAiConfig(value)) {
    throw new GatewayError(
      500,
      'flag_error',
      `flag ${JSON.stringify(key)} cannot be evaluated: ${result.errorMessage ?? result.errorCode ?? 'no AI config served'}`,
    );
  }
  let offTools = offToolsOf.get(value);
  if (offTools === undefined) {
    offTools = new Set((value.tools ?? []).filter((t) => t.mode === 'off').map((t) => t.name));
    offToolsOf.set(value, offTools);
  }
  return { variant: result.variant, config: value, offTools };
}

function isAiConfig(value: unknown): value is AiConfigInput {
  if (typeof value !== 'object' || value === null) return false;
  const { provider, model } = value as { provider?: unknown; model?: unknown };
  return typeof provider === 'string' && typeof model === 'string';
}
