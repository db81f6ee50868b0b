import type { EnvironmentConfig, Serve, ShadowConfig } from '../api/api-types.js';
import type { FieldProblem } from '../model/field-errors.js';

/** Shadow mode as edited: no variant is off; the sample rate as a percentage, as typed. */
export interface ShadowDraft {
  variant: string;
  percent: string;
}

/** The sample rate a new shadow starts with, in percent. */
export const DEFAULT_SHADOW_PERCENT = '10';

/** A rate in [0, 1] as a percentage without float noise (0.333 reads 33.3, not 33.300000000000004). */
export function percentText(rate: number): string {
  return String(Number((rate * 100).toPrecision(12)));
}

/** The variants an environment serves: targets, rules and the default (split entries of weight 0 serve no one). */
export function servedVariants(config: EnvironmentConfig): Set<string> {
  const served = new Set<string>();
  const add = (serve: Serve) => {
    if (!('split' in serve)) served.add(serve.variant);
    else for (const s of serve.split) if (s.weight > 0) served.add(s.variant);
  };
  for (const t of config.targets) served.add(t.variant);
  for (const r of config.rules) add(r.serve);
  add(config.fallthrough);
  if (!config.enabled && config.offVariant !== null) served.add(config.offVariant);
  return served;
}

/**
 * The variants that can run in shadow: those the environment does not serve (a shadow is measured
 * beside what is served), and the one set now, whatever it is.
 */
export function shadowChoices(variants: readonly string[], config: EnvironmentConfig): string[] {
  const served = servedVariants(config);
  return variants.filter((v) => !served.has(v) || v === config.shadow?.variant);
}

export function shadowDraftOf(shadow: ShadowConfig | null | undefined): ShadowDraft {
  return shadow == null
    ? { variant: '', percent: DEFAULT_SHADOW_PERCENT }
    : { variant: shadow.variant, percent: percentText(shadow.sampleRate) };
}

/** Whether two drafts save the same thing (the rate of no shadow does not matter). */
export function sameShadow(a: ShadowDraft, b: ShadowDraft): boolean {
  return a.variant === b.variant && (a.variant === '' || a.percent.trim() === b.percent.trim());
}

/** The shadow a draft saves (null: none), with problems named as the server names them. */
export function shadowOf(draft: ShadowDraft): { shadow: ShadowConfig | null; problems: FieldProblem[] } {
  if (draft.variant === '') return { shadow: null, problems: [] };
  const text = draft.percent.trim().replace(/%$/, '').trim();
  const percent = /^(\d+\.?\d*|\.\d+)$/.test(text) ? Number(text) : Number.NaN;
  if (!(percent >= 0 && percent <= 100))
    return {
      shadow: null,
      problems: [{ field: 'body.shadow.sampleRate', message: 'must be a percentage from 0 to 100' }],
    };
  return {
    shadow: { variant: draft.variant, sampleRate: Number((percent / 100).toPrecision(12)) },
    problems: [],
  };
}
