// Bounded per-key state that follows what is present: per-pid rates and
// caches (PidMap), per-interface or per-device histories (TickMap keyed by
// name). Two bounds keep memory constant however many pids come and go:
//  - entries not touched during a tick are dropped by endTick() (the
//    process exited, the interface went away);
//  - a hard cap: inserting past `cap` evicts the oldest entry (the one
//    inserted first), so a fork storm inside one tick cannot grow it.
// touch()/set() mark an entry as seen this tick; get()/has() only read.

interface Entry<V> { value: V; seen: number }

export class TickMap<K, V> implements Iterable<[K, V]> {
  private map = new Map<K, Entry<V>>();
  private tick = 0;

  constructor(readonly cap: number) {
    if (!Number.isInteger(cap) || cap < 1) throw new RangeError(`cap must be a positive integer, got ${cap}`);
  }

  get size(): number {
    return this.map.size;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** The value, without marking it seen. */
  get(key: K): V | undefined {
    return this.map.get(key)?.value;
  }

  /** The value for `key`, created with `init` when absent; marked seen this tick. */
  touch(key: K, init: () => V): V {
    const e = this.map.get(key);
    if (e) {
      e.seen = this.tick;
      return e.value;
    }
    const value = init();
    this.insert(key, value);
    return value;
  }

  /** Set the value and mark it seen this tick. */
  set(key: K, value: V): this {
    const e = this.map.get(key);
    if (e) {
      e.value = value;
      e.seen = this.tick;
    } else this.insert(key, value);
    return this;
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  /** Close the tick: drop every entry not touched or set since the previous endTick(). Returns how many were dropped. */
  endTick(): number {
    let dropped = 0;
    for (const [k, e] of this.map) {
      if (e.seen !== this.tick) {
        this.map.delete(k);
        dropped++;
      }
    }
    this.tick++;
    return dropped;
  }

  *keys(): IterableIterator<K> {
    yield* this.map.keys();
  }

  *values(): IterableIterator<V> {
    for (const e of this.map.values()) yield e.value;
  }

  *entries(): IterableIterator<[K, V]> {
    for (const [k, e] of this.map) yield [k, e.value];
  }

  [Symbol.iterator](): Iterator<[K, V]> {
    return this.entries();
  }

  clear(): void {
    this.map.clear();
  }

  private insert(key: K, value: V): void {
    while (this.map.size >= this.cap) {
      const oldest = this.map.keys().next();
      if (oldest.done) break;
      this.map.delete(oldest.value);
    }
    this.map.set(key, { value, seen: this.tick });
  }
}

/** Per-pid state: a TickMap keyed by pid. */
export class PidMap<V> extends TickMap<number, V> {}
