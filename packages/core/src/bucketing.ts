import { BUCKET_SCALE } from './model.js';
import { type Murmur3Prefix, murmur3Continue, murmur3Prefix } from './murmur3.js';

const HASH_RANGE = 2 ** 32;

/** Maps a 32-bit unsigned hash to a bucket in [0, BUCKET_SCALE). Exact: hash * 100000 < 2^53. */
export function bucketOfHash(hash: number): number {
  return Math.floor((hash * BUCKET_SCALE) / HASH_RANGE);
}

/**
 * Hashes units into buckets for one salt. The salt's state is computed once, so bucketing a unit
 * hashes only the unit id's bytes and builds no string.
 */
export class Bucketer {
  private readonly prefix: Murmur3Prefix;

  constructor(readonly salt: string) {
    this.prefix = murmur3Prefix(`${salt}.`);
  }

  /** The murmur3 hash of `${salt}.${unitId}`. */
  hash(unitId: string): number {
    return murmur3Continue(this.prefix, unitId);
  }

  /** The unit's bucket in [0, BUCKET_SCALE). */
  bucket(unitId: string): number {
    return bucketOfHash(murmur3Continue(this.prefix, unitId));
  }
}

/**
 * Maps a unit to a stable bucket in [0, BUCKET_SCALE).
 * Changing this re-buckets every user: the bucketing cases in packages/spec pin it.
 *
 * @example
 * bucketOf('q7hx2m9kd1c4v8p', 'user-42'); // the same number on every machine, forever
 */
export function bucketOf(salt: string, unitId: string): number {
  // The salt is fixed at flag creation, so editing a flag never moves anyone.
  return new Bucketer(salt).bucket(unitId);
}
