// Ring<T>: the fixed-capacity circular buffer every history in ostop is
// built on (src/store/series.ts, src/store/sample-store.ts, the trace
// panes' event rings, the failures timeline, the kernel log lines).
// Invariants: at most `capacity` items are held whatever is pushed, so a
// view left open for days uses constant memory; push is O(1) and copies
// nothing (one slot written, the oldest overwritten when full); slots are
// allocated as items come (a large ring that holds few items is small, and
// never switches V8 to a slow dictionary array); iteration
// and indexes go oldest -> newest; an item dropped from the ring (evicted,
// popped, cleared) is no longer referenced by it.

export class Ring<T> implements Iterable<T> {
  private buf: Array<T | undefined> = [];
  /** Slot of the oldest item. */
  private head = 0;
  private n = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`Ring capacity must be a positive integer, got ${capacity}`);
  }

  /** Number of items held (at most `capacity`). */
  get size(): number {
    return this.n;
  }

  get full(): boolean {
    return this.n === this.capacity;
  }

  /** Append `x` as the newest item; when full, the oldest is dropped and returned. */
  push(x: T): T | undefined {
    if (this.n < this.capacity) {
      // Before the first wrap this index is buf.length at most: an append.
      this.buf[(this.head + this.n) % this.capacity] = x;
      this.n++;
      return undefined;
    }
    const old = this.buf[this.head];
    this.buf[this.head] = x;
    this.head = (this.head + 1) % this.capacity;
    return old;
  }

  /** Remove and return the newest item. */
  pop(): T | undefined {
    if (this.n === 0) return undefined;
    const i = (this.head + this.n - 1) % this.capacity;
    const x = this.buf[i];
    this.buf[i] = undefined;
    this.n--;
    return x;
  }

  /** Remove and return the oldest item. */
  shift(): T | undefined {
    if (this.n === 0) return undefined;
    const x = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.n--;
    return x;
  }

  /** Item `i` counting from the oldest (0); a negative `i` counts from the newest (-1), as Array.prototype.at. */
  at(i: number): T | undefined {
    if (!Number.isInteger(i)) return undefined;
    if (i < 0) i += this.n;
    if (i < 0 || i >= this.n) return undefined;
    return this.buf[(this.head + i) % this.capacity];
  }

  /** The newest item. */
  newest(): T | undefined {
    return this.at(-1);
  }

  /** The oldest item. */
  oldest(): T | undefined {
    return this.at(0);
  }

  /** Up to `count` newest items that pass `pred`, oldest first (for a tail view). Visits at most `size` items. */
  last(count: number, pred?: (x: T) => boolean): T[] {
    const out: T[] = [];
    for (let i = this.n - 1; i >= 0 && out.length < count; i--) {
      const x = this.buf[(this.head + i) % this.capacity] as T;
      if (!pred || pred(x)) out.push(x);
    }
    return out.reverse();
  }

  /** A copy of the items, oldest first. */
  toArray(): T[] {
    const out = new Array<T>(this.n);
    for (let i = 0; i < this.n; i++) out[i] = this.buf[(this.head + i) % this.capacity] as T;
    return out;
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let i = 0; i < this.n; i++) yield this.buf[(this.head + i) % this.capacity] as T;
  }

  /** Drop every item (the slots are released, the capacity kept). */
  clear(): void {
    this.buf = [];
    this.head = 0;
    this.n = 0;
  }
}
