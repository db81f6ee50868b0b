import { BUCKET_SCALE } from './model.js';
import { hashAlignedAscii, type Murmur3Prefix, murmur3Continue, murmur3Prefix } from './murmur3.js';

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
  /** Whether `salt.` fills whole 4-byte blocks, so ASCII ids hash on the fast path. */
  private readonly aligned: boolean;
  // The prefix's state, copied out of it so the fast path reads fields of this object only.
  private readonly h1: number;
  private readonly prefixLength: number;

  constructor(readonly salt: string) {
    this.prefix = murmur3Prefix(`${salt}.`);
    this.aligned = this.prefix.pendingBytes === 0;
    this.h1 = this.prefix.h1;
    this.prefixLength = this.prefix.length;
  }

  /** The murmur3 hash of `${salt}.${unitId}`. */
  hash(unitId: string): number {
    return murmur3Continue(this.prefix, unitId);
  }

  /** The unit's bucket in [0, BUCKET_SCALE). */
  bucket(unitId: string): number {
    if (this.aligned) {
      const hash = hashAlignedAscii(this.h1, this.prefixLength, unitId);
      if (hash >= 0) return Math.floor((hash * BUCKET_SCALE) / HASH_RANGE);
    }
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
