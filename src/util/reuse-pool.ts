// Objects kept per key (a pid) from one tick to the next and overwritten in
// place, so that a per-tick sample or row is not a new object every tick.
// Why: objects made per tick that live into the next tick (the sample kept
// for rates, the model's rows the screen draws) survive two scavenges, so V8
// promotes them (~0.7 MB per tick with 1,000 processes) and runs a full
// mark-compact every few seconds to collect them. Reused, they are promoted
// once and stay.
//
// begin() opens a pass; take() returns the key's object of the last pass
// (the caller overwrites every field, or makes a new object when the one it
// got belongs to something else, e.g. a reused pid); put() keeps an object
// for the next pass; end() drops the keys the pass did not put. The pool is
// bounded by what one pass puts.

export class ReusePool<K, T> {
  private objs = new Map<K, T>();
  private gens = new Map<K, number>();
  private gen = 0;

  begin(): void {
    this.gen++;
  }

  /** The object kept for `key` by the last pass (or earlier in this one), if any. */
  take(key: K): T | undefined {
    return this.objs.get(key);
  }

  /** Keep `obj` for `key` (seen in this pass). */
  put(key: K, obj: T): void {
    if (this.objs.get(key) !== obj) this.objs.set(key, obj);
    this.gens.set(key, this.gen);
  }

  /** Close the pass: forget the keys it did not put. */
  end(): void {
    for (const [key, g] of this.gens) {
      if (g === this.gen) continue;
      this.gens.delete(key);
      this.objs.delete(key);
    }
  }

  get size(): number {
    return this.objs.size;
  }
}
