// Bounded state of the tracers' panes and aggregators: memory stays bounded
// whatever the event rate.

export const RING_CAP = 1000;

/** A pane's ring of recent events: src/store's Ring (RING_CAP slots each). */
export { Ring } from '../store/ring.js';

/**
 * A Map with a size cap: when full, the lowest-scoring quarter is evicted
 * before a new key goes in (amortised O(1) per insert), so a storm of
 * distinct keys (paths, comms, connections) cannot grow memory.
 */
export class BoundedMap<K, V> {
  readonly map = new Map<K, V>();
  constructor(private readonly cap: number, private readonly score: (v: V) => number) {}
  get(key: K, init: () => V): V {
    let v = this.map.get(key);
    if (v === undefined) {
      if (this.map.size >= this.cap) this.evict();
      v = init();
      this.map.set(key, v);
    }
    return v;
  }
  private evict(): void {
    const entries = [...this.map.entries()].sort((a, b) => this.score(a[1]) - this.score(b[1]));
    const n = Math.max(1, Math.floor(entries.length / 4));
    for (let i = 0; i < n; i++) this.map.delete(entries[i][0]);
  }
  values(): V[] {
    return [...this.map.values()];
  }
  get size(): number {
    return this.map.size;
  }
  clear(): void {
    this.map.clear();
  }
}
