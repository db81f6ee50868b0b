/**
 * The evaluation requests of the remote benchmark: one body per user, built before anything is timed,
 * in the shape each server takes. Users come from the same seeded generator as bench:eval.
 */
import { generateUsers, type User } from '../eval/users.js';

/** Distinct users the load generator rotates through. */
export const BODY_COUNT = 10_000;

/** How each server takes a context. */
export type BodyFormat = 'switchboard' | 'unleash';

/** Switchboard: `POST /api/v1/client/evaluate` `{ context }`, bucketed on `targetingKey`. */
function switchboardBody(user: User): unknown {
  return { context: { targetingKey: user.userId, tier: user.tier, region: user.region } };
}

/** Unleash: `POST /api/frontend` `{ context }` with custom fields under `properties`. */
function unleashBody(user: User): unknown {
  return { context: { userId: user.userId, properties: { tier: user.tier, region: user.region } } };
}

/** The users and their request bodies, serialized. */
export function requestBodies(format: BodyFormat, count = BODY_COUNT): { users: User[]; bodies: string[] } {
  const users = generateUsers(count);
  const build = format === 'switchboard' ? switchboardBody : unleashBody;
  return { users, bodies: users.map((user) => JSON.stringify(build(user))) };
}
