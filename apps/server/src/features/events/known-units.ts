import type { UnitSighting } from './event-store.js';

/** How many sightings are remembered before the memory starts over (about 100 bytes each). */
const MAX_KNOWN_UNITS = 500_000;

/**
 * Units this process knows the store has already recorded, per environment, flag and variant, so that
 * the many events of a unit already seen (its generations, its feedback) cost no write. Only what a
 * committed transaction recorded or found is added; units are never deleted from the store, so what
 * is known stays true. Forgetting is always safe: the store ignores a unit it already has.
 */
export class KnownUnits {
  /** Unit ids by environment, flag and variant (nested maps: no key to build per sighting). */
  private readonly known = new Map<string, Map<string, Map<string, Set<string>>>>();
  private size = 0;

  /** The sightings of units not known to be recorded. */
  unknown(environmentId: string, units: readonly UnitSighting[]): UnitSighting[] {
    const flags = this.known.get(environmentId);
    if (flags === undefined) return [...units];
    return units.filter((u) => !flags.get(u.flagKey)?.get(u.variantKey)?.has(u.unit));
  }

  /** Whether a unit of the environment is known to be recorded, as a function of flag, variant and unit. */
  checker(environmentId: string): (flag: string, variant: string, unit: string) => boolean {
    const flags = this.known.get(environmentId);
    if (flags === undefined) return () => false;
    // Consecutive events mostly name the same flag, and one of a few variants: keep the last set found.
    let lastFlag: string | undefined;
    let lastVariant: string | undefined;
    let lastUnits: Set<string> | undefined;
    return (flag, variant, unit) => {
      if (flag !== lastFlag || variant !== lastVariant) {
        lastFlag = flag;
        lastVariant = variant;
        lastUnits = flags.get(flag)?.get(variant);
      }
      return lastUnits?.has(unit) === true;
    };
  }

  /** Remembers units the store now holds (call after the transaction that wrote them commits). */
  remember(environmentId: string, units: readonly UnitSighting[]): void {
    if (this.size + units.length > MAX_KNOWN_UNITS) {
      this.known.clear();
      this.size = 0;
    }
    let flags = this.known.get(environmentId);
    if (flags === undefined) {
      flags = new Map();
      this.known.set(environmentId, flags);
    }
    for (const u of units) {
      let variants = flags.get(u.flagKey);
      if (variants === undefined) {
        variants = new Map();
        flags.set(u.flagKey, variants);
      }
      let set = variants.get(u.variantKey);
      if (set === undefined) {
        set = new Set();
        variants.set(u.variantKey, set);
      }
      if (!set.has(u.unit)) {
        set.add(u.unit);
        this.size += 1;
      }
    }
  }
}
