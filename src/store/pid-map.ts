// Bounded per-key state that follows what is present: per-pid rates and
// caches (PidMap), per-interface or per-device histories (TickMap keyed by
// name). Two bounds keep memory constant however many keys come and go:
//  - entries not touched during a tick are dropped by endTick() (the
//    process exited, the interface went away);
//  - a hard cap: inserting past `cap` evicts the oldest entry (the one
//    inserted first), so a fork storm inside one tick cannot grow it.
// touch()/set() mark an entry as seen this tick; get()/has() only read.
// A TickMap is a Map (a model can hand it to a screen typed as Map or
// ReadonlyMap); only set(), delete() and clear() are bookkept.

export class TickMap<K, V> extends Map<K, V> {
  /** The tick each key was last touched or set in. */
  private seen = new Map<K, number>();
  private tick = 0;

  constructor(readonly cap: number) {
    super();
    if (!Number.isInteger(cap) || cap < 1) throw new RangeError(`cap must be a positive integer, got ${cap}`);
  }

  /** The value for `key`, created with `init` when absent; marked seen this tick. */
  touch(key: K, init: () => V): V {
    if (super.has(key)) {
      this.seen.set(key, this.tick);
      return super.get(key) as V;
    }
    const value = init();
    this.set(key, value);
    return value;
  }

  /** Set the value and mark it seen this tick; a new key past `cap` evicts the oldest first. */
  override set(key: K, value: V): this {
    if (!super.has(key)) {
      for (const oldest of super.keys()) {
        if (this.size < this.cap) break;
        this.delete(oldest);
      }
    }
    super.set(key, value);
    // Map's constructor may call set() before the fields exist; this one passes no entries.
    this.seen?.set(key, this.tick);
    return this;
  }

  override delete(key: K): boolean {
    this.seen.delete(key);
    return super.delete(key);
  }

  override clear(): void {
    this.seen.clear();
    super.clear();
  }

  /** Close the tick: drop every entry not touched or set since the previous endTick(). Returns how many were dropped. */
  endTick(): number {
    let dropped = 0;
    for (const [k, t] of this.seen) {
      if (t !== this.tick) {
        this.delete(k);
        dropped++;
      }
    }
    this.tick++;
    return dropped;
  }
}

/** Per-pid state: a TickMap keyed by pid. */
export class PidMap<V> extends TickMap<number, V> {}
