import { DDSketch } from '@datadog/sketches-js';

/** Relative accuracy of every latency sketch: a quantile read back is within 1% of the true value. */
export const SKETCH_RELATIVE_ACCURACY = 0.01;

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH = 2;
const WIRE_FIXED32 = 5;
/** `IndexMapping.Interpolation.NONE`: the logarithmic mapping that `new DDSketch()` uses. */
const INTERPOLATION_NONE = 0;
/** Whether this machine stores doubles as the protobuf encoding does (little-endian), so bytes can be copied. */
const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;
/** Bins added on each side when the range grows, so that a run of growing keys does not copy each time. */
const GROW_SLACK = 64;

/** The library's dense store, whose fields {@link SketchBuilder.toSketch} fills (they are public in its JS). */
interface DenseStoreFields {
  bins: number[];
  count: number;
  minKey: number;
  maxKey: number;
  offset: number;
}

/**
 * Builds a DDSketch (DataDog's quantile sketch, relative accuracy {@link SKETCH_RELATIVE_ACCURACY}) from
 * values and from encoded sketches, and encodes it as the `DDSketch` protobuf message of DDSketch.proto
 * (logarithmic mapping, contiguous bin counts), so that any DDSketch implementation reads what the
 * store keeps. Values are non-negative (latencies), so only the positive store and the zero count exist.
 *
 * Written here rather than with the library's `merge`, `toProto` and `fromProto`: those need
 * `protobufjs`, which the library does not declare (DataDog/sketches-js#26), its store merge mis-sizes
 * a range ending at key 0, and merging thousands of rollup rows through objects is slow; adding
 * counts into one array is not.
 *
 * @example
 * const builder = new SketchBuilder();
 * for (const row of rows) builder.addEncoded(row.sketch);
 * builder.toSketch().getValueAtQuantile(0.95);
 */
export class SketchBuilder {
  private static readonly mapping = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY }).mapping;
  /** Counts of keys `offset .. offset + counts.length - 1`. */
  private counts = new Float64Array(0);
  private offset = 0;
  private minKey = Number.POSITIVE_INFINITY;
  private maxKey = Number.NEGATIVE_INFINITY;
  private zeroCount = 0;

  /** How many values the sketch holds. */
  get count(): number {
    let total = this.zeroCount;
    for (let key = this.minKey; key <= this.maxKey; key++) total += this.counts[key - this.offset] as number;
    return total;
  }

  /** Adds one value (negative values count as zero: nothing measured here is below zero). */
  accept(value: number, weight = 1): void {
    if (!(value > SketchBuilder.mapping.minPossible)) {
      this.zeroCount += weight;
      return;
    }
    const key = SketchBuilder.mapping.key(value);
    this.include(key, key);
    this.counts[key - this.offset] = (this.counts[key - this.offset] as number) + weight;
  }

  /** Adds the values of an encoded sketch; throws when the bytes are not a sketch of this accuracy. */
  addEncoded(bytes: Uint8Array): void {
    let gamma: number | undefined;
    let indexOffset = 0;
    let interpolation = INTERPOLATION_NONE;
    const reader = new Reader(bytes);
    const stores: Reader[] = [];
    let zeroCount = 0;
    while (!reader.done()) {
      const [field, wire] = reader.tag();
      if (field === 1 && wire === WIRE_LENGTH) {
        const mapping = reader.sub();
        while (!mapping.done()) {
          const [f, w] = mapping.tag();
          if (f === 1 && w === WIRE_FIXED64) gamma = mapping.double();
          else if (f === 2 && w === WIRE_FIXED64) indexOffset = mapping.double();
          else if (f === 3 && w === WIRE_VARINT) interpolation = mapping.varint();
          else mapping.skip(w);
        }
      } else if (field === 2 && wire === WIRE_LENGTH) {
        stores.push(reader.sub());
      } else if (field === 3 && wire === WIRE_LENGTH) {
        // Negative values: never written here; another writer's rank below zero, so they count as
        // zeros rather than being lost.
        const negative = new SketchBuilder();
        negative.addStore(reader.sub());
        zeroCount += negative.count;
      } else if (field === 4 && wire === WIRE_FIXED64) {
        zeroCount += reader.double();
      } else {
        reader.skip(wire);
      }
    }
    if (
      gamma === undefined ||
      Math.abs(gamma - SketchBuilder.mapping.gamma) > 1e-12 ||
      indexOffset !== 0 ||
      interpolation !== INTERPOLATION_NONE
    ) {
      throw new Error('not a DDSketch with the logarithmic mapping at 1% relative accuracy');
    }
    if (!(zeroCount >= 0) || !Number.isFinite(zeroCount)) throw new Error('malformed sketch zero count');
    for (const store of stores) this.addStore(store);
    this.zeroCount += zeroCount;
  }

  /** Adds the values of another builder. */
  addBuilder(other: SketchBuilder): void {
    this.zeroCount += other.zeroCount;
    if (other.minKey > other.maxKey) return;
    this.include(other.minKey, other.maxKey);
    for (let key = other.minKey; key <= other.maxKey; key++) {
      const at = key - this.offset;
      this.counts[at] = (this.counts[at] as number) + (other.counts[key - other.offset] as number);
    }
  }

  /** The protobuf encoding (DDSketch.proto's `DDSketch` message). */
  encode(): Uint8Array {
    const mapping = 2 + 9 + 9 + 2; // length prefix + gamma + indexOffset + interpolation
    const bins = this.minKey <= this.maxKey ? this.maxKey - this.minKey + 1 : 0;
    const packed = bins * 8;
    const store = bins === 0 ? 0 : 1 + varintSize(packed) + packed + 1 + varintSize(zigzag(this.minKey));
    const size = mapping + 1 + varintSize(store) + store + 2 + 9;
    const out = new Writer(size);
    out.tag(1, WIRE_LENGTH);
    out.varint(9 + 9 + 2);
    out.tag(1, WIRE_FIXED64);
    out.double(SketchBuilder.mapping.gamma);
    out.tag(2, WIRE_FIXED64);
    out.double(0);
    out.tag(3, WIRE_VARINT);
    out.varint(INTERPOLATION_NONE);
    out.tag(2, WIRE_LENGTH);
    out.varint(store);
    if (bins > 0) {
      out.tag(2, WIRE_LENGTH);
      out.varint(packed);
      for (let key = this.minKey; key <= this.maxKey; key++)
        out.double(this.counts[key - this.offset] as number);
      out.tag(3, WIRE_VARINT);
      out.varint(zigzag(this.minKey));
    }
    out.tag(3, WIRE_LENGTH);
    out.varint(0);
    out.tag(4, WIRE_FIXED64);
    out.double(this.zeroCount);
    return out.finish();
  }

  /** A library sketch holding these values, for its quantiles (`getValueAtQuantile`). */
  toSketch(): DDSketch {
    const sketch = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
    const store = sketch.store as unknown as DenseStoreFields;
    if (this.minKey <= this.maxKey) {
      store.bins = Array.from(this.counts.subarray(this.minKey - this.offset, this.maxKey - this.offset + 1));
      store.offset = this.minKey;
      store.minKey = this.minKey;
      store.maxKey = this.maxKey;
      store.count = store.bins.reduce((a, b) => a + b, 0);
    }
    sketch.zeroCount = this.zeroCount;
    sketch.count = store.count + this.zeroCount;
    return sketch;
  }

  /** Makes keys `from..to` addressable. */
  private include(from: number, to: number): void {
    if (from >= this.minKey && to <= this.maxKey) return;
    const min = Math.min(from, this.minKey);
    const max = Math.max(to, this.maxKey);
    if (min < this.offset || max >= this.offset + this.counts.length) {
      const offset = min - GROW_SLACK;
      const counts = new Float64Array(max - min + 1 + 2 * GROW_SLACK);
      if (this.minKey <= this.maxKey) {
        counts.set(
          this.counts.subarray(this.minKey - this.offset, this.maxKey - this.offset + 1),
          this.minKey - offset,
        );
      }
      this.counts = counts;
      this.offset = offset;
    }
    this.minKey = min;
    this.maxKey = max;
  }

  private addStore(reader: Reader): void {
    let first = 0;
    let packed: Reader | undefined;
    while (!reader.done()) {
      const [field, wire] = reader.tag();
      if (field === 1 && wire === WIRE_LENGTH) {
        // A sparse bin (map entry): key, count.
        const entry = reader.sub();
        let key = 0;
        let count = 0;
        while (!entry.done()) {
          const [f, w] = entry.tag();
          if (f === 1 && w === WIRE_VARINT) key = unzigzag(entry.varint());
          else if (f === 2 && w === WIRE_FIXED64) count = entry.double();
          else entry.skip(w);
        }
        this.addCount(key, count);
      } else if (field === 2 && wire === WIRE_LENGTH) {
        packed = reader.sub();
      } else if (field === 3 && wire === WIRE_VARINT) {
        first = unzigzag(reader.varint());
      } else {
        reader.skip(wire);
      }
    }
    if (packed === undefined) return;
    const length = packed.remaining() / 8;
    if (!Number.isInteger(length)) throw new Error('malformed packed bin counts in sketch');
    if (length === 0) return;
    this.include(first, first + length - 1);
    const incoming = packed.doubles(length);
    const counts = this.counts;
    const shift = first - this.offset;
    for (let i = 0; i < length; i++) {
      const count = incoming[i] as number;
      if (!(count >= 0 && count < Number.POSITIVE_INFINITY)) throw new Error('malformed bin count in sketch');
      counts[i + shift] = (counts[i + shift] as number) + count;
    }
  }

  private addCount(key: number, count: number): void {
    if (!(count >= 0) || !Number.isFinite(count)) throw new Error('malformed bin count in sketch');
    if (count === 0) return;
    this.include(key, key);
    this.counts[key - this.offset] = (this.counts[key - this.offset] as number) + count;
  }
}

function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

function unzigzag(n: number): number {
  return n % 2 === 1 ? -(n + 1) / 2 : n / 2;
}

function varintSize(n: number): number {
  let size = 1;
  for (let v = n; v >= 0x80; v = Math.floor(v / 0x80)) size += 1;
  return size;
}

/** Writes protobuf fields into a buffer sized up front. */
class Writer {
  private readonly bytes: Uint8Array;
  private readonly view: DataView;
  private at = 0;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }

  tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  varint(value: number): void {
    let v = value;
    while (v >= 0x80) {
      this.bytes[this.at++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.bytes[this.at++] = v;
  }

  double(value: number): void {
    this.view.setFloat64(this.at, value, true);
    this.at += 8;
  }

  finish(): Uint8Array {
    return this.at === this.bytes.length ? this.bytes : this.bytes.subarray(0, this.at);
  }
}

/** Reads protobuf fields from a byte range; throws on truncated or malformed input. */
class Reader {
  private at: number;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    from = 0,
    private readonly end = bytes.length,
  ) {
    this.at = from;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  done(): boolean {
    return this.at >= this.end;
  }

  remaining(): number {
    return this.end - this.at;
  }

  tag(): [field: number, wire: number] {
    const key = this.varint();
    return [Math.floor(key / 8), key % 8];
  }

  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.at >= this.end) throw new Error('truncated sketch');
      const byte = this.bytes[this.at++] as number;
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) return result;
      scale *= 0x80;
    }
    throw new Error('malformed varint in sketch');
  }

  double(): number {
    if (this.at + 8 > this.end) throw new Error('truncated sketch');
    const value = this.view.getFloat64(this.at, true);
    this.at += 8;
    return value;
  }

  /** `length` little-endian doubles, copied out in one piece (much faster than one at a time). */
  doubles(length: number): Float64Array {
    if (this.at + length * 8 > this.end) throw new Error('truncated sketch');
    const start = this.bytes.byteOffset + this.at;
    this.at += length * 8;
    if (LITTLE_ENDIAN) return new Float64Array(this.bytes.buffer.slice(start, start + length * 8));
    const values = new Float64Array(length);
    for (let i = 0; i < length; i++)
      values[i] = this.view.getFloat64(start - this.bytes.byteOffset + i * 8, true);
    return values;
  }

  sub(): Reader {
    const length = this.varint();
    if (this.at + length > this.end) throw new Error('truncated sketch');
    const reader = new Reader(this.bytes, this.at, this.at + length);
    this.at += length;
    return reader;
  }

  skip(wire: number): void {
    if (wire === WIRE_VARINT) this.varint();
    else if (wire === WIRE_FIXED64) this.at += 8;
    else if (wire === WIRE_LENGTH) this.sub();
    else if (wire === WIRE_FIXED32) this.at += 4;
    else throw new Error(`unsupported wire type ${wire} in sketch`);
    if (this.at > this.end) throw new Error('truncated sketch');
  }
}
