/**
 * The users every engine evaluates: the same 1,000,000 users, with the same attributes, in
 * every engine's process. A seeded generator makes them identical across processes and runs.
 */

export const USER_COUNT = 1_000_000;

/** Fixed so that every process and every run sees the same users. */
const USERS_SEED = 0x5eed_b0a7;

export const TIERS = ['free', 'pro', 'enterprise'] as const;
export type Tier = (typeof TIERS)[number];

export const REGIONS = ['eu', 'us', 'apac', 'latam'] as const;
export type Region = (typeof REGIONS)[number];

/** One user, before it is put into an engine's own context format. */
export interface User {
  userId: string;
  tier: Tier;
  region: Region;
}

/** mulberry32: a tiny seeded generator of uniform numbers in [0, 1). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pick<T>(values: readonly T[], random: () => number): T {
  const value = values[Math.floor(random() * values.length)];
  if (value === undefined) throw new Error('pick from an empty list');
  return value;
}

/** `count` distinct users (`user-0`, `user-1`...) with seeded, uniformly drawn tier and region. */
export function generateUsers(count = USER_COUNT, seed = USERS_SEED): User[] {
  const random = seededRandom(seed);
  const users: User[] = new Array(count);
  for (let n = 0; n < count; n++) {
    users[n] = { userId: `user-${n}`, tier: pick(TIERS, random), region: pick(REGIONS, random) };
  }
  return users;
}
