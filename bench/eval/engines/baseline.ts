/**
 * The floor: what a person would write by hand for this one flag. murmur3 (x86, 32-bit) over the
 * user id with a seed derived once from the flag key, the rule as two comparisons, and the bucket
 * compared with the split's cumulative bounds. No model, no reasons, no error handling.
 */
import type { SyncEngine } from '../engine.js';
import { FLAG_KEY, RULE, SPLIT, type VariantKey } from '../flag.js';
import type { User } from '../users.js';

const BUCKET_SCALE = 100_000;
const HASH_RANGE = 4_294_967_296;

const utf8 = new TextEncoder();

function mixBlock(h1: number, block: number): number {
  let k1 = Math.imul(block, 0xcc9e2d51);
  k1 = (k1 << 15) | (k1 >>> 17);
  k1 = Math.imul(k1, 0x1b873593);
  let h = h1 ^ k1;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function mixTail(h1: number, tail: number): number {
  let k1 = Math.imul(tail, 0xcc9e2d51);
  k1 = (k1 << 15) | (k1 >>> 17);
  return h1 ^ Math.imul(k1, 0x1b873593);
}

function finalize(h1: number, length: number): number {
  let h = h1 ^ length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function murmur3Bytes(bytes: Uint8Array, seed: number): number {
  const blocks = bytes.length & ~3;
  let h1 = seed | 0;
  let i = 0;
  for (; i < blocks; i += 4) {
    h1 = mixBlock(
      h1,
      (bytes[i] ?? 0) |
        ((bytes[i + 1] ?? 0) << 8) |
        ((bytes[i + 2] ?? 0) << 16) |
        ((bytes[i + 3] ?? 0) << 24),
    );
  }
  let tail = 0;
  for (let shift = 0; i < bytes.length; i++, shift += 8) tail |= (bytes[i] ?? 0) << shift;
  if (bytes.length & 3) h1 = mixTail(h1, tail);
  return finalize(h1, bytes.length);
}

/** murmur3 x86 32 of the UTF-8 bytes of `key`, reading the string directly while it is ASCII. */
export function murmur3(key: string, seed: number): number {
  const length = key.length;
  const blocks = length & ~3;
  let h1 = seed | 0;
  let seen = 0;
  let i = 0;
  for (; i < blocks; i += 4) {
    const c0 = key.charCodeAt(i);
    const c1 = key.charCodeAt(i + 1);
    const c2 = key.charCodeAt(i + 2);
    const c3 = key.charCodeAt(i + 3);
    seen |= c0 | c1 | c2 | c3;
    h1 = mixBlock(h1, c0 | (c1 << 8) | (c2 << 16) | (c3 << 24));
  }
  let tail = 0;
  for (let shift = 0; i < length; i++, shift += 8) {
    const c = key.charCodeAt(i);
    seen |= c;
    tail |= c << shift;
  }
  // A char past ASCII is more than one UTF-8 byte: hash the real bytes instead.
  if (seen > 0x7f) return murmur3Bytes(utf8.encode(key), seed);
  if (length & 3) h1 = mixTail(h1, tail);
  return finalize(h1, length);
}

export function createBaselineEngine(): SyncEngine<User> {
  const seed = murmur3(FLAG_KEY, 0);
  const [first, second] = SPLIT;
  if (!first || !second || SPLIT.length !== 3) throw new Error('the baseline is written for a 3-way split');
  const bound1 = first.percent * (BUCKET_SCALE / 100);
  const bound2 = bound1 + second.percent * (BUCKET_SCALE / 100);
  const [variant1, variant2, variant3] = SPLIT.map((entry) => entry.variant) as [
    VariantKey,
    VariantKey,
    VariantKey,
  ];
  const [region1, region2] = RULE.regions;
  return {
    kind: 'sync',
    id: 'baseline',
    call: 'hand-written: rule check, murmur3(userId, seed), cumulative bounds',
    // A copy, like every engine's context: the same memory layout as theirs, not the users' own objects.
    contextOf: (user) => ({ userId: user.userId, tier: user.tier, region: user.region }),
    evaluate(user) {
      if (user.tier === RULE.tier && (user.region === region1 || user.region === region2)) return RULE.serve;
      const bucket = Math.floor((murmur3(user.userId, seed) * BUCKET_SCALE) / HASH_RANGE);
      return bucket < bound1 ? variant1 : bucket < bound2 ? variant2 : variant3;
    },
  };
}
