/**
 * Checks, before any load, that a server serves the benchmark flag as stated in eval/flag.ts: every
 * user the rule matches gets `claude-sonnet`, and the others are split about 90/5/5. A server that
 * answered fast with a default would otherwise look good.
 */
import { matchesRule, RULE, SPLIT } from '../eval/flag.js';
import type { User } from '../eval/users.js';

/** Users checked one by one before the load. */
export const CHECKED_USERS = 2_000;
/** Tolerance of a split share among ~1,670 users (one standard deviation of 5% is about 0.5 pp). */
const SHARE_TOLERANCE = 0.03;

/** Problems with what `serve` answers for these users; empty when it serves the flag correctly. */
export async function servedProblems(
  users: readonly User[],
  serve: (index: number) => Promise<string | undefined>,
): Promise<string[]> {
  const problems: string[] = [];
  const splitCounts = new Map<string, number>();
  let splitUsers = 0;
  for (const [index, user] of users.entries()) {
    const variant = await serve(index);
    if (matchesRule(user)) {
      if (variant !== RULE.serve && problems.length < 5) {
        problems.push(`${user.userId} (${user.tier}, ${user.region}) got ${variant}, not ${RULE.serve}`);
      }
      continue;
    }
    splitUsers++;
    splitCounts.set(variant ?? 'none', (splitCounts.get(variant ?? 'none') ?? 0) + 1);
  }
  for (const { variant, percent } of SPLIT) {
    const share = (splitCounts.get(variant) ?? 0) / splitUsers;
    if (Math.abs(share - percent / 100) > SHARE_TOLERANCE) {
      problems.push(`split share of ${variant} is ${(share * 100).toFixed(1)}%, not about ${percent}%`);
    }
  }
  return problems;
}
