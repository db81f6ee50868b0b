import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Bucketer, bucketOf, bucketOfHash, murmur3 } from '../src/index.js';

/** murmur3 x86 32 over bytes, written from the reference C, to check the streaming version against. */
function reference(bytes: Uint8Array): number {
  const mix = (k0: number) => {
    let k = Math.imul(k0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    return Math.imul(k, 0x1b873593);
  };
  let h = 0;
  const blocks = bytes.length - (bytes.length % 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < blocks; i += 4) {
    h ^= mix(view.getUint32(i, true));
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  let tail = 0;
  for (let i = bytes.length - 1; i >= blocks; i--) tail = (tail << 8) | (bytes[i] as number);
  if (bytes.length > blocks) h ^= mix(tail);
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('murmur3', () => {
  it('matches published vectors', () => {
    expect(murmur3('')).toBe(0);
    expect(murmur3('hello')).toBe(0x248bfa47);
    expect(murmur3('The quick brown fox jumps over the lazy dog')).toBe(0x2e4ff723);
  });

  it('matches an independent implementation on ASCII strings', async () => {
    const { default: lib } = await import('murmurhash3js-revisited');
    fc.assert(
      fc.property(fc.string({ maxLength: 64 }), (s) => {
        expect(murmur3(s)).toBe(lib.x86.hash32(utf8(s)));
      }),
    );
  });

  it('hashes the UTF-8 bytes of any string, lone surrogates as U+FFFD', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.string({ unit: 'grapheme', maxLength: 12 }),
        (a, b) => {
          const s = a + b;
          expect(murmur3(s)).toBe(reference(utf8(s)));
        },
      ),
      { numRuns: 2000 },
    );
    expect(murmur3('\ud800')).toBe(reference(Uint8Array.of(0xef, 0xbf, 0xbd)));
    expect(murmur3('a\udc00b')).toBe(reference(Uint8Array.of(0x61, 0xef, 0xbf, 0xbd, 0x62)));
  });

  it('continues from any salt length without building the string', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 20 }),
        fc.string({ unit: 'binary', maxLength: 20 }),
        (salt, id) => {
          expect(new Bucketer(salt).hash(id)).toBe(reference(utf8(`${salt}.${id}`)));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('bucketOf', () => {
  it('maps the hash range onto [0, 100000) by floor(hash * 100000 / 2^32)', () => {
    expect(bucketOfHash(0)).toBe(0);
    expect(bucketOfHash(2 ** 32 - 1)).toBe(99_999);
    expect(bucketOfHash(2 ** 31)).toBe(50_000);
    expect(bucketOfHash(42_949)).toBe(0);
    expect(bucketOfHash(42_950)).toBe(1);
  });

  it('is the bucket of the hash of salt.unitId', () => {
    expect(bucketOf('abc', 'user-1')).toBe(bucketOfHash(reference(utf8('abc.user-1'))));
  });
});
