// SampleStore<S>: the last N timestamped samples of any Source (a
// collector's Sample, or the model rows a view keeps, e.g. the vmstat
// table), oldest -> newest, on a Ring (O(1) push, constant memory).
// Queries: latest(), previous() (what rates are computed against), at(t)
// (the sample in effect at time t) and range(t0, t1), by binary search.
//
// Times are numbers (epoch ms in ostop) and never go back inside a store:
// a push older than the newest sample (the wall clock stepped back) is kept
// at the newest sample's time, so nothing is lost and at() and range() stay
// correct; a sample that carries its own time field keeps it as read. A
// replay that seeks backwards clears the store (or makes a new one).
//
// Persistence (record and replay). Samples must be plain data: numbers,
// strings, booleans, null, arrays and plain objects, nothing else (no
// Map, Set, class instance, typed array, undefined, function, bigint), so
// that JSON.stringify(store) writes them whole and JSON.parse gives them
// back equal. The file form is one JSON document:
//   { "format": "ostop-samples", "version": 1, "capacity": N,
//     "samples": [ { "time": <ms>, "sample": <S> }, ... oldest first ] }
// written by JSON.stringify(store) (toJSON) and read back by
// SampleStore.fromJSON(JSON.parse(text), isSample), which checks the
// format, the version and the order of the times. A recorder that appends
// as it goes writes the same thing as JSON Lines: the header object
// without "samples" on the first line, then one {"time","sample"} object
// per line (fromJSON({...header, samples: lines}) reads it). `version` is
// this file layout's; the layout of S is its Source's: a recorder adds its
// own header keys for it (e.g. "source", "sampleVersion"; fromJSON ignores
// keys it does not know). plainDataProblems() names what in a sample would
// not survive JSON; test/store/persist-samples.test.ts holds today's
// Samples (MachineSample, VmstatSample, PsiSample, ProcDetailSample, the
// process table's) to it.
import { Ring } from './ring.js';

export const SAMPLE_STORE_FORMAT = 'ostop-samples';
export const SAMPLE_STORE_VERSION = 1;

export interface Stamped<S> {
  readonly time: number;
  readonly sample: S;
}

/**
 * What in `x` would not come back equal from JSON (see the file header):
 * paths such as "stat.cpus[0]: Map". Empty when `x` is plain data. For tests
 * and a recorder's debug checks (it walks the whole value).
 */
export function plainDataProblems(x: unknown, path = '$'): string[] {
  const out: string[] = [];
  const walk = (v: unknown, at: string): void => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) out.push(`${at}: ${v} (JSON writes null)`);
      return;
    }
    if (typeof v !== 'object') {
      out.push(`${at}: ${typeof v}`);
      return;
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        if (!(i in v) || v[i] === undefined) out.push(`${at}[${i}]: hole or undefined (JSON writes null)`);
        else walk(v[i], `${at}[${i}]`);
      }
      return;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) {
      out.push(`${at}: ${(v as object).constructor?.name ?? 'object with a prototype'}`);
      return;
    }
    for (const [k, e] of Object.entries(v)) {
      if (e === undefined) continue; // an absent optional field: JSON leaves it out, which reads back the same
      walk(e, `${at}.${k}`);
    }
  };
  walk(x, path);
  return out;
}

/** The persisted form (see the file header). */
export interface SampleStoreJSON<S> {
  format: typeof SAMPLE_STORE_FORMAT;
  version: typeof SAMPLE_STORE_VERSION;
  capacity: number;
  samples: Array<Stamped<S>>;
}

export class SampleStore<S> implements Iterable<Stamped<S>> {
  private ring: Ring<Stamped<S>>;

  constructor(readonly capacity: number) {
    this.ring = new Ring<Stamped<S>>(capacity);
  }

  get size(): number {
    return this.ring.size;
  }

  /** Keep `sample` taken at `time` (at the newest sample's time when earlier); when full the oldest is dropped and returned. */
  push(time: number, sample: S): Stamped<S> | undefined {
    if (!Number.isFinite(time)) throw new RangeError(`sample time must be a finite number, got ${time}`);
    const newest = this.ring.newest();
    return this.ring.push({ time: newest && newest.time > time ? newest.time : time, sample });
  }

  /** The newest sample. */
  latest(): Stamped<S> | undefined {
    return this.ring.at(-1);
  }

  /** The sample before the newest (what rates are computed against). */
  previous(): Stamped<S> | undefined {
    return this.ring.at(-2);
  }

  /** The oldest sample still kept. */
  oldest(): Stamped<S> | undefined {
    return this.ring.at(0);
  }

  /** The sample in effect at `time`: the newest taken at or before it (undefined when all are later). */
  at(time: number): Stamped<S> | undefined {
    const i = this.bound(time, true) - 1;
    return i >= 0 ? this.ring.at(i) : undefined;
  }

  /** The samples taken between t0 and t1 (both included), oldest first. */
  range(t0: number, t1: number): Array<Stamped<S>> {
    const out: Array<Stamped<S>> = [];
    if (!(t0 <= t1)) return out;
    for (let i = this.bound(t0, false); i < this.ring.size; i++) {
      const s = this.ring.at(i)!;
      if (s.time > t1) break;
      out.push(s);
    }
    return out;
  }

  /** Every sample, oldest first (a copy of the list; the samples themselves are shared). */
  samples(): Array<Stamped<S>> {
    return this.ring.toArray();
  }

  /** The newest `count` samples' values, oldest first. */
  lastValues(count: number): S[] {
    return this.ring.last(count).map((s) => s.sample);
  }

  [Symbol.iterator](): Iterator<Stamped<S>> {
    return this.ring[Symbol.iterator]();
  }

  clear(): void {
    this.ring.clear();
  }

  toJSON(): SampleStoreJSON<S> {
    return { format: SAMPLE_STORE_FORMAT, version: SAMPLE_STORE_VERSION, capacity: this.capacity, samples: this.ring.toArray() };
  }

  /**
   * A store read back from its persisted form (JSON.parse of what toJSON
   * wrote). `isSample` checks each sample's shape; without it samples are
   * trusted. Throws on another format or version, a bad capacity, a time
   * that is not a number or goes back, or a sample `isSample` rejects.
   * More samples than `capacity` keep the newest.
   */
  static fromJSON<S>(data: unknown, isSample?: (x: unknown) => x is S): SampleStore<S> {
    const d = data as Partial<SampleStoreJSON<unknown>> | null;
    if (!d || typeof d !== 'object') throw new Error('sample store: not an object');
    if (d.format !== SAMPLE_STORE_FORMAT) throw new Error(`sample store: format is ${JSON.stringify(d.format)}, expected "${SAMPLE_STORE_FORMAT}"`);
    if (d.version !== SAMPLE_STORE_VERSION) throw new Error(`sample store: version ${JSON.stringify(d.version)} is not supported (this ostop reads version ${SAMPLE_STORE_VERSION})`);
    if (typeof d.capacity !== 'number' || !Number.isInteger(d.capacity) || d.capacity < 1) throw new Error(`sample store: bad capacity ${JSON.stringify(d.capacity)}`);
    if (!Array.isArray(d.samples)) throw new Error('sample store: samples is not an array');
    const store = new SampleStore<S>(d.capacity);
    let last = -Infinity;
    d.samples.forEach((e, i) => {
      const time = (e as Stamped<unknown> | null)?.time;
      if (typeof time !== 'number' || !Number.isFinite(time)) throw new Error(`sample store: sample ${i} has no time`);
      if (time < last) throw new Error(`sample store: sample ${i} goes back in time (${time} < ${last})`);
      last = time;
      const sample = (e as Stamped<unknown>).sample;
      if (isSample && !isSample(sample)) throw new Error(`sample store: sample ${i} does not have the expected shape`);
      store.push(time, sample as S);
    });
    return store;
  }

  /** Index of the first sample with time > t (`after`) or >= t. */
  private bound(t: number, after: boolean): number {
    let lo = 0;
    let hi = this.ring.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const x = this.ring.at(mid)!.time;
      if (x < t || (after && x === t)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
