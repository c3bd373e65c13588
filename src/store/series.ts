// Series: a numeric ring for sparklines and graphs (the vmstat, netstat
// and iostat graphs, the drill-in's sparklines). The newest `capacity`
// values in a Float64Array: O(1) push, no allocation per push, constant
// memory; reads (values, last, min/max/mean over a window) go oldest ->
// newest. A value that is not a finite number is stored as 0 (a gap in a
// graph reads as idle, never as NaN spreading into a scale).

/** Points kept by default: more than any terminal is wide. */
export const SERIES_LEN = 300;

export class Series {
  private buf: Float64Array;
  /** Slot of the oldest value. */
  private head = 0;
  private n = 0;

  constructor(readonly capacity = SERIES_LEN) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`Series capacity must be a positive integer, got ${capacity}`);
    this.buf = new Float64Array(capacity);
  }

  /** A series holding `values` (oldest first; only the newest `capacity` kept). */
  static from(values: Iterable<number>, capacity = SERIES_LEN): Series {
    const s = new Series(capacity);
    for (const v of values) s.push(v);
    return s;
  }

  get length(): number {
    return this.n;
  }

  push(v: number): void {
    const x = Number.isFinite(v) ? v : 0;
    if (this.n < this.capacity) {
      this.buf[(this.head + this.n) % this.capacity] = x;
      this.n++;
    } else {
      this.buf[this.head] = x;
      this.head = (this.head + 1) % this.capacity;
    }
  }

  /** The newest value. */
  latest(): number | undefined {
    return this.n ? this.buf[(this.head + this.n - 1) % this.capacity] : undefined;
  }

  /** The newest `count` values (all when fewer), oldest first: what a sparkline `count` cells wide shows. */
  last(count: number): number[] {
    const k = Math.max(0, Math.min(this.n, Math.floor(count)));
    const out = new Array<number>(k);
    for (let i = 0; i < k; i++) out[i] = this.buf[(this.head + this.n - k + i) % this.capacity];
    return out;
  }

  /** Every value, oldest first (a copy). */
  values(): number[] {
    return this.last(this.n);
  }

  /** Smallest of the newest `window` values (default: all); undefined when empty. */
  min(window = this.n): number | undefined {
    return this.fold(window, (a, b) => (b < a ? b : a));
  }

  /** Largest of the newest `window` values (default: all); undefined when empty. */
  max(window = this.n): number | undefined {
    return this.fold(window, (a, b) => (b > a ? b : a));
  }

  /** Mean of the newest `window` values (default: all); undefined when empty. */
  mean(window = this.n): number | undefined {
    const k = Math.max(0, Math.min(this.n, Math.floor(window)));
    if (!k) return undefined;
    let sum = 0;
    for (let i = this.n - k; i < this.n; i++) sum += this.buf[(this.head + i) % this.capacity];
    return sum / k;
  }

  clear(): void {
    this.head = 0;
    this.n = 0;
  }

  /** Plain data for JSON (oldest first); Series.from(json, capacity) reads it back. */
  toJSON(): number[] {
    return this.values();
  }

  private fold(window: number, f: (acc: number, v: number) => number): number | undefined {
    const k = Math.max(0, Math.min(this.n, Math.floor(window)));
    if (!k) return undefined;
    let acc = this.buf[(this.head + this.n - k) % this.capacity];
    for (let i = this.n - k + 1; i < this.n; i++) acc = f(acc, this.buf[(this.head + i) % this.capacity]);
    return acc;
  }
}
