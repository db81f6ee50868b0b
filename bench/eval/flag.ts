/**
 * The one flag every engine serves, stated once; each engine file translates it into its own format.
 *
 * String flag `llm-model`: users with `tier == "enterprise"` and `region in ["eu", "us"]` get
 * `claude-sonnet`; everyone else is split on the user id, gpt-4o 90% / claude-sonnet 5% / candidate 5%.
 */
import type { User } from './users.js';

export const FLAG_KEY = 'llm-model';

/** 15 characters, like the salts the server generates: `${salt}.` is then exactly 16 bytes. */
export const SALT = 'q7hx2m9kd1c4v8p';

export const VARIANTS = ['gpt-4o', 'claude-sonnet', 'candidate'] as const;
export type VariantKey = (typeof VARIANTS)[number];

/** Served when no rule matches and nothing can be bucketed: the first split variant. */
export const DEFAULT_VARIANT: VariantKey = 'gpt-4o';

export const RULE = {
  tier: 'enterprise',
  regions: ['eu', 'us'],
  serve: 'claude-sonnet',
} as const satisfies { tier: string; regions: readonly string[]; serve: VariantKey };

/** The split of everyone the rule does not match, in whole percent (total 100). */
export const SPLIT: readonly { variant: VariantKey; percent: number }[] = [
  { variant: 'gpt-4o', percent: 90 },
  { variant: 'claude-sonnet', percent: 5 },
  { variant: 'candidate', percent: 5 },
];

/** Whether the rule matches this user: the correctness guard expects exactly these users on `RULE.serve`. */
export function matchesRule(user: User): boolean {
  return user.tier === RULE.tier && (RULE.regions as readonly string[]).includes(user.region);
}
