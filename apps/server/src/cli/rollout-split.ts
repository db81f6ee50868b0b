import { BUCKET_SCALE } from '@switchboard/core';
import type { EnvironmentView, Serve } from './api-types.js';
import { CliError, EXIT } from './exit-codes.js';

/** Weight units per percent: weights are in 0.001% (BUCKET_SCALE = 100%). */
const WEIGHT_PER_PERCENT = BUCKET_SCALE / 100;

/** `"12.5"` → 12500: a percentage from 0 to 100 with at most 3 decimals, as a split weight. */
export function parsePercent(text: string): number {
  const trimmed = text.trim();
  if (!/^\d{1,3}(\.\d{1,3})?$/.test(trimmed) || Number(trimmed) > 100) {
    throw new CliError(
      `--percent: expected a number from 0 to 100 with at most 3 decimals, got ${JSON.stringify(text)}`,
      EXIT.usage,
    );
  }
  // At most 3 decimals, so the product is within rounding of an integer.
  return Math.round(Number(trimmed) * WEIGHT_PER_PERCENT);
}

/** 12500 → `"12.5%"`. */
export function formatWeight(weight: number): string {
  return `${Number((weight / WEIGHT_PER_PERCENT).toFixed(3))}%`;
}

/**
 * The control of a rollout when none is named: the environment's off variant, unless that is the
 * candidate (or unset), else the first other variant of the flag.
 */
export function defaultControl(
  variants: readonly string[],
  config: EnvironmentView,
  candidate: string,
): string {
  if (config.offVariant !== null && config.offVariant !== candidate) return config.offVariant;
  const other = variants.find((variant) => variant !== candidate);
  if (other === undefined) {
    throw new CliError(
      `the flag has no variant besides ${JSON.stringify(candidate)} to keep as control`,
      EXIT.failed,
    );
  }
  return other;
}

/**
 * The fallthrough of a rollout: the candidate FIRST, then the control with the rest. Buckets are
 * assigned in split order, so raising the candidate's weight only adds units to it (a monotone ramp).
 * Keeps the current split's `bucketBy`.
 */
export function rolloutServe(candidate: string, control: string, weight: number, current: Serve): Serve {
  if (candidate === control) {
    throw new CliError('--control must differ from --variant', EXIT.usage);
  }
  const bucketBy = 'split' in current ? current.bucketBy : undefined;
  return {
    split: [
      { variant: candidate, weight },
      { variant: control, weight: BUCKET_SCALE - weight },
    ],
    ...(bucketBy === undefined ? {} : { bucketBy }),
  };
}

/** `gpt-4o`, or `split candidate 5% / gpt-4o 95%`. */
export function describeServe(serve: Serve): string {
  if (!('split' in serve)) return serve.variant;
  const by = serve.bucketBy === undefined ? '' : ` by ${serve.bucketBy}`;
  return `split ${serve.split.map((e) => `${e.variant} ${formatWeight(e.weight)}`).join(' / ')}${by}`;
}
