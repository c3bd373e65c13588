// Objects kept per key (a pid) from one tick to the next and overwritten in
// place, so that a per-tick sample or row is not a new object every tick.
// Why: objects made per tick that live into the next tick (the sample kept
// for rates, the model's rows the screen draws) survive two scavenges, so V8
// promotes them (~0.7 MB per tick with 1,000 processes) and runs a full
// mark-compact every few seconds to collect them. Reused, they are promoted
// once and stay.
//
// begin() opens a pass; take() returns the key's object kept so far and
// marks the key as seen in this pass (the caller overwrites every field of
// it, or puts a new object instead when the one it got belongs to something
// else, e.g. a reused pid); put() keeps a new object for the key; end()
// drops the keys the pass did not see. The pool is bounded by what one pass
// sees. One map lookup per reused object.

interface Entry<T> {
  obj: T;
  /** The pass that last saw the key. */
  gen: number;
}

export class ReusePool<K, T> {
  private entries = new Map<K, Entry<T>>();
  private gen = 0;

  begin(): void {
    this.gen++;
  }

  /** The object kept for `key`, if any; the key is seen in this pass. */
  take(key: K): T | undefined {
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    e.gen = this.gen;
    return e.obj;
  }

  /** Keep `obj` for `key` (seen in this pass), replacing what was kept. */
  put(key: K, obj: T): void {
    const e = this.entries.get(key);
    if (e === undefined) this.entries.set(key, { obj, gen: this.gen });
    else {
      e.obj = obj;
      e.gen = this.gen;
    }
  }

  /** Close the pass: forget the keys it did not see. */
  end(): void {
    for (const [key, e] of this.entries) if (e.gen !== this.gen) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
