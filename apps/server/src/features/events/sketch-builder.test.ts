import { DDSketch } from '@datadog/sketches-js';
import { describe, expect, it } from 'vitest';
import { SKETCH_RELATIVE_ACCURACY, SketchBuilder } from './sketch-builder.js';

/** Values from 0.2 ms to ~20 s, some of them 0, deterministic. */
function values(count: number, seed: number): number[] {
  let a = seed;
  return Array.from({ length: count }, () => {
    a = (a * 1_103_515_245 + 12_345) % 2_147_483_648;
    const u = a / 2_147_483_648;
    return u < 0.02 ? 0 : Math.round(0.2 * Math.exp(u * 11.5) * 1000) / 1000;
  });
}

const quantile = (sorted: number[], q: number) => sorted[Math.floor(q * (sorted.length - 1))] as number;

describe('SketchBuilder', () => {
  it('gives the quantiles the library gives for the same values, within 1% of the exact ones', () => {
    const data = values(20_000, 7);
    const builder = new SketchBuilder();
    const library = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
    for (const v of data) {
      builder.accept(v);
      library.accept(v);
    }
    const sketch = builder.toSketch();
    const sorted = [...data].sort((a, b) => a - b);
    expect(sketch.count).toBe(20_000);
    for (const q of [0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1]) {
      expect(sketch.getValueAtQuantile(q)).toBe(library.getValueAtQuantile(q));
      const exact = quantile(sorted, q);
      const estimate = sketch.getValueAtQuantile(q);
      if (exact === 0) expect(estimate).toBe(0);
      else expect(Math.abs(estimate - exact) / exact, `q ${q}`).toBeLessThanOrEqual(SKETCH_RELATIVE_ACCURACY);
    }
  });

  it('merges encoded sketches into the sketch of all their values', () => {
    const parts = [values(3_000, 1), values(10, 2), [], values(5_000, 3).map((v) => v * 1_000)];
    const whole = new SketchBuilder();
    const merged = new SketchBuilder();
    for (const part of parts) {
      const builder = new SketchBuilder();
      for (const v of part) {
        builder.accept(v);
        whole.accept(v);
      }
      merged.addEncoded(builder.encode());
    }
    expect(merged.encode()).toEqual(whole.encode());
    const viaBuilder = new SketchBuilder();
    viaBuilder.addBuilder(whole);
    expect(viaBuilder.toSketch().getValueAtQuantile(0.95)).toBe(whole.toSketch().getValueAtQuantile(0.95));
    expect(merged.count).toBe(8_010);
  });

  it("encodes DDSketch.proto's message: mapping (gamma, offset 0), positive store, negative store, zero count", () => {
    const builder = new SketchBuilder();
    builder.accept(0);
    builder.accept(1);
    builder.accept(1);
    const bytes = builder.encode();
    // Field 1 (mapping, length-delimited): gamma (field 1, double), indexOffset (2, double), interpolation (3, varint).
    expect(bytes[0]).toBe(0x0a);
    expect(bytes[1]).toBe(20);
    expect(bytes[2]).toBe(0x09);
    const gamma = new DataView(bytes.buffer, bytes.byteOffset + 3, 8).getFloat64(0, true);
    expect(gamma).toBeCloseTo((1 + SKETCH_RELATIVE_ACCURACY) / (1 - SKETCH_RELATIVE_ACCURACY), 12);
    expect(bytes[11]).toBe(0x11);
    expect(bytes[20]).toBe(0x18);
    // Field 2 (positive values): one contiguous bin of count 2 (field 2, packed doubles) at key 0 (field 3, sint32).
    expect([...bytes.subarray(22, 26)]).toEqual([0x12, 12, 0x12, 8]);
    expect(new DataView(bytes.buffer, bytes.byteOffset + 26, 8).getFloat64(0, true)).toBe(2);
    expect([...bytes.subarray(34, 36)]).toEqual([0x18, 0]);
    // Field 3 (negative values, empty), field 4 (zero count, double).
    expect([...bytes.subarray(36, 39)]).toEqual([0x1a, 0, 0x21]);
    expect(new DataView(bytes.buffer, bytes.byteOffset + 39, 8).getFloat64(0, true)).toBe(1);
    expect(bytes.length).toBe(47);
  });

  it('reads sparse bins and skips unknown fields, as other DDSketch writers may write them', () => {
    const reference = new SketchBuilder();
    reference.accept(1);
    reference.accept(1);
    const mapping = reference.encode().subarray(0, 22);
    // Positive store with one map entry {key 0 → 2}, then an unknown varint field 9.
    const entry = [0x08, 0x00, 0x11, ...new Uint8Array(new Float64Array([2]).buffer)];
    const store = [0x0a, entry.length, ...entry];
    const bytes = Uint8Array.from([...mapping, 0x12, store.length, ...store, 0x48, 0x05]);
    const read = new SketchBuilder();
    read.addEncoded(bytes);
    expect(read.encode()).toEqual(reference.encode());
  });

  it('refuses bytes that are not a sketch of this accuracy', () => {
    const good = new SketchBuilder();
    good.accept(12);
    const bytes = good.encode();
    expect(() => new SketchBuilder().addEncoded(bytes.subarray(0, bytes.length - 3))).toThrow(/truncated/);
    expect(() => new SketchBuilder().addEncoded(new Uint8Array([0x21, 0, 0, 0, 0, 0, 0, 0, 0]))).toThrow(
      /logarithmic mapping at 1%/,
    );
    const otherAccuracy = Uint8Array.from(bytes);
    new DataView(otherAccuracy.buffer).setFloat64(3, 1.05, true);
    expect(() => new SketchBuilder().addEncoded(otherAccuracy)).toThrow(/1% relative accuracy/);
  });
});
