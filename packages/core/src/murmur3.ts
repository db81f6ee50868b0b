// Present in every runtime core targets (browsers, Node, workers); declared here because core's
// type-check has neither DOM nor Node types.
declare const TextEncoder: new () => { encode(text: string): Uint8Array };

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/**
 * murmur3 x86 32-bit state after hashing a prefix: the hash of the complete 4-byte blocks, the
 * bytes of an incomplete block still pending, and the byte length so far.
 */
export interface Murmur3Prefix {
  readonly h1: number;
  readonly pending: number;
  readonly pendingBytes: number;
  readonly length: number;
}

function mixBlock(h1: number, block: number): number {
  let k = Math.imul(block, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  let h = h1 ^ k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finish(h1: number, pending: number, pendingBytes: number, length: number): number {
  let h = h1;
  if (pendingBytes > 0) {
    let k = Math.imul(pending, C1);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, C2);
  }
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Hashes `prefix` followed by the UTF-8 bytes of `text`, without building either string or byte array.
 * Lone UTF-16 surrogates are encoded as U+FFFD, as `TextEncoder` does.
 */
export function murmur3Continue(prefix: Murmur3Prefix, text: string): number {
  if (prefix.pendingBytes === 0) {
    const hash = hashAlignedAscii(prefix.h1, prefix.length, text);
    if (hash >= 0) return hash;
  }
  return hashUtf8(prefix, text);
}

/**
 * The common case, kept as small as a hand-written murmur3: a prefix that ends on a block boundary
 * (the server's 15-character salts plus '.' make 16 bytes) and an ASCII id, whose characters are its
 * UTF-8 bytes. Returns -1 when the id is not ASCII.
 */
export function hashAlignedAscii(h0: number, prefixLength: number, text: string): number {
  const n = text.length;
  const blocks = n & ~3;
  let h1 = h0;
  let seen = 0;
  let i = 0;
  for (; i < blocks; i += 4) {
    const c0 = text.charCodeAt(i);
    const c1 = text.charCodeAt(i + 1);
    const c2 = text.charCodeAt(i + 2);
    const c3 = text.charCodeAt(i + 3);
    seen |= c0 | c1 | c2 | c3;
    h1 = mixBlock(h1, c0 | (c1 << 8) | (c2 << 16) | (c3 << 24));
  }
  let tail = 0;
  for (let shift = 0; i < n; i++, shift += 8) {
    const c = text.charCodeAt(i);
    seen |= c;
    tail |= c << shift;
  }
  if (seen > 0x7f) return -1;
  return finish(h1, tail, n & 3, prefixLength + n);
}

function hashUtf8(prefix: Murmur3Prefix, text: string): number {
  let h1 = prefix.h1;
  let pending = prefix.pending;
  let pendingBytes = prefix.pendingBytes;
  let length = prefix.length;
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (pendingBytes === 0) {
      // Aligned ASCII runs go four characters to a block: the common case for ids.
      while (i + 4 <= n) {
        const c0 = text.charCodeAt(i);
        const c1 = text.charCodeAt(i + 1);
        const c2 = text.charCodeAt(i + 2);
        const c3 = text.charCodeAt(i + 3);
        if ((c0 | c1 | c2 | c3) >= 0x80) break;
        h1 = mixBlock(h1, c0 | (c1 << 8) | (c2 << 16) | (c3 << 24));
        i += 4;
        length += 4;
      }
      if (i >= n) break;
    }
    let code = text.charCodeAt(i++);
    let bytes: number;
    let encoded: number;
    if (code < 0x80) {
      bytes = 1;
      encoded = code;
    } else if (code < 0x800) {
      bytes = 2;
      encoded = 0xc0 | (code >>> 6) | ((0x80 | (code & 0x3f)) << 8);
    } else {
      if (code >= 0xd800 && code <= 0xdfff) {
        const next = i < n ? text.charCodeAt(i) : 0;
        if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          i++;
          code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
        } else {
          code = 0xfffd;
        }
      }
      if (code < 0x10000) {
        bytes = 3;
        encoded =
          0xe0 | (code >>> 12) | ((0x80 | ((code >>> 6) & 0x3f)) << 8) | ((0x80 | (code & 0x3f)) << 16);
      } else {
        bytes = 4;
        encoded =
          0xf0 |
          (code >>> 18) |
          ((0x80 | ((code >>> 12) & 0x3f)) << 8) |
          ((0x80 | ((code >>> 6) & 0x3f)) << 16) |
          ((0x80 | (code & 0x3f)) << 24);
      }
    }
    length += bytes;
    for (let b = 0; b < bytes; b++) {
      pending |= ((encoded >>> (b << 3)) & 0xff) << (pendingBytes << 3);
      if (++pendingBytes === 4) {
        h1 = mixBlock(h1, pending);
        pending = 0;
        pendingBytes = 0;
      }
    }
  }
  return finish(h1, pending, pendingBytes, length);
}

const EMPTY_PREFIX: Murmur3Prefix = { h1: 0, pending: 0, pendingBytes: 0, length: 0 };

/** The state after hashing `text`'s UTF-8 bytes with seed 0, to continue with {@link murmur3Continue}. */
export function murmur3Prefix(text: string): Murmur3Prefix {
  let h1 = 0;
  let pending = 0;
  let pendingBytes = 0;
  const bytes = new TextEncoder().encode(text);
  for (const byte of bytes) {
    pending |= byte << (pendingBytes << 3);
    if (++pendingBytes === 4) {
      h1 = mixBlock(h1, pending);
      pending = 0;
      pendingBytes = 0;
    }
  }
  return { h1, pending, pendingBytes, length: bytes.length };
}

/**
 * murmur3 x86 32-bit (seed 0) of a string's UTF-8 bytes, as an unsigned integer.
 *
 * @example
 * murmur3('hello'); // 613153351
 */
export function murmur3(text: string): number {
  return murmur3Continue(EMPTY_PREFIX, text);
}
