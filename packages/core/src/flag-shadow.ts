import type { CompiledSnapshot } from './compiled-snapshot.js';
import { FlagKind, type JsonValue } from './model.js';
import { murmur3 } from './murmur3.js';

const HASH_RANGE = 2 ** 32;

/** A flag's shadow as the runners of shadow calls (the SDK, the gateway) read it. */
export interface ResolvedShadow {
  variant: string;
  /** The shadow variant's value: an AI config. */
  value: JsonValue;
  /** In (0, 1]. */
  sampleRate: number;
}

/**
 * The shadow of an ai-config flag in a snapshot, when it names one of the flag's variants with a
 * sample rate in (0, 1]; undefined otherwise (no shadow, a zero rate, another kind of flag, an
 * unknown variant, a malformed or disabled flag). Evaluation never reads the shadow: this is for
 * whoever runs the shadow calls.
 *
 * @example
 * const shadow = shadowOf(compiled, 'support-bot');
 * if (shadow && assigned !== shadow.variant && inShadowSample(shadow.sampleRate, generationId)) runInBackground(shadow.value);
 */
export function shadowOf(snapshot: CompiledSnapshot, flagKey: string): ResolvedShadow | undefined {
  const flag = snapshot.flag(flagKey);
  if (flag === undefined || flag.problem !== undefined || !flag.enabled) return undefined;
  if (flag.kind !== FlagKind.AiConfig) return undefined;
  const source = flag.source as {
    shadow?: unknown;
    variants?: readonly { key?: unknown; value?: JsonValue }[];
  };
  const shadow = source.shadow as { variant?: unknown; sampleRate?: unknown } | null | undefined;
  if (typeof shadow !== 'object' || shadow === null) return undefined;
  const { variant, sampleRate } = shadow;
  if (typeof variant !== 'string' || typeof sampleRate !== 'number') return undefined;
  if (!(sampleRate > 0 && sampleRate <= 1)) return undefined;
  const found = source.variants?.find((v) => v.key === variant);
  if (found === undefined || found.value === undefined) return undefined;
  return { variant, value: found.value, sampleRate };
}

/**
 * Whether the request `requestId` (a generation id) is in a shadow's sample: the murmur3 hash of
 * `shadow.<requestId>` as a fraction of 2^32, below `sampleRate`. Deterministic per id, so the same
 * request decides the same way wherever it is asked; random ids sample at the rate.
 */
export function inShadowSample(sampleRate: number, requestId: string): boolean {
  if (sampleRate >= 1) return true;
  if (!(sampleRate > 0)) return false;
  return murmur3(`shadow.${requestId}`) / HASH_RANGE < sampleRate;
}
