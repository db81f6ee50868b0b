/**
 * A set that remembers at most `capacity` entries, forgetting the least recently seen first. Used to
 * send one exposure per (unit, flag, variant) without growing without bound.
 */
export class LruSet {
  private readonly entries = new Set<string>();

  constructor(private readonly capacity: number) {}

  /** Records `key`; returns true when it was not already remembered. */
  add(key: string): boolean {
    if (this.entries.has(key)) {
      // Move to most recent.
      this.entries.delete(key);
      this.entries.add(key);
      return false;
    }
    this.entries.add(key);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.values().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return true;
  }

  get size(): number {
    return this.entries.size;
  }
}
