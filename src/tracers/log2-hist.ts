// log2 histograms as runqlat/biolatency print them. Shared by the runqlat
// (in-kernel histograms) and disk (histograms folded from events) tracers.
// Invariant: slot i counts values v (in the histogram's unit) with
// floor(log2(v)) == i, slot 0 also holds v < 1 (0 and 1 land in 0 and 0..1),
// and the last slot holds everything above; the same rule as log2_slot() in
// native/bpf/runqlat.bpf.c, so kernel and JS histograms line up.
import type { Column } from '../model/columns.js';

export const LOG2_SLOTS = 32;

export function log2Slot(v: number): number {
  if (!(v >= 2)) return 0;
  const s = Math.floor(Math.log2(v));
  // Math.log2 can round up just below a power of two
  const fixed = 2 ** s > v ? s - 1 : s;
  return Math.min(fixed, LOG2_SLOTS - 1);
}

export interface Log2Hist {
  slots: number[];
  count: number;
  /** Sum of the raw values in nanoseconds (for the average). */
  totalNs: number;
  maxNs: number;
}

export function emptyHist(): Log2Hist {
  return { slots: new Array<number>(LOG2_SLOTS).fill(0), count: 0, totalNs: 0, maxNs: 0 };
}

/** Add one latency in ns to a histogram counted in microseconds. */
export function histAddNs(h: Log2Hist, ns: number): void {
  h.slots[log2Slot(Math.floor(ns / 1000))]++;
  h.count++;
  h.totalNs += ns;
  if (ns > h.maxNs) h.maxNs = ns;
}

/** a - b slot by slot (interval of two cumulative reads); maxNs is a's. */
export function histDiff(a: Log2Hist, b: Log2Hist | undefined): Log2Hist {
  if (!b) return { ...a, slots: a.slots.slice() };
  return {
    slots: a.slots.map((v, i) => Math.max(0, v - (b.slots[i] ?? 0))),
    count: Math.max(0, a.count - b.count),
    totalNs: Math.max(0, a.totalNs - b.totalNs),
    maxNs: a.maxNs,
  };
}

/** Value (in the histogram unit) below which `q` (0..1) of the samples fall, as the upper bound of its slot. */
export function histQuantile(h: Log2Hist, q: number): number {
  if (h.count === 0) return 0;
  const want = q * h.count;
  let acc = 0;
  for (let i = 0; i < h.slots.length; i++) {
    acc += h.slots[i];
    if (acc >= want) return 2 ** (i + 1) - 1;
  }
  return 2 ** h.slots.length - 1;
}

export interface HistRow {
  lo: number;
  hi: number;
  count: number;
  /** Share of the largest slot, 0..1 (the bar length). */
  frac: number;
}

/** Rows from the first to the last non-empty slot, as print_log2_hist shows them. */
export function histRows(h: Log2Hist): HistRow[] {
  let first = -1, last = -1, max = 0;
  h.slots.forEach((c, i) => {
    if (c > 0) {
      if (first < 0) first = 0; // like BCC: always start at slot 0
      last = i;
      if (c > max) max = c;
    }
  });
  if (last < 0) return [];
  const rows: HistRow[] = [];
  for (let i = first; i <= last; i++) {
    rows.push({ lo: i === 0 ? 0 : 2 ** i, hi: 2 ** (i + 1) - 1, count: h.slots[i], frac: max ? h.slots[i] / max : 0 });
  }
  return rows;
}

/** A display row of a log2 histogram: `merge` adjacent slots summed, or a run of empty ones. */
export interface HistLine {
  lo: number;
  hi: number;
  count: number;
  /** Empty buckets (of `merge` slots each) this line stands for when it collapses a run of them, else 0. */
  emptyRun: number;
}

/**
 * Display rows: from the first to the last non-empty slot (as runqlat prints
 * them once leading zeros are stripped), `merge` (1, 2, 4...) adjacent slots
 * summed per row in groups aligned on multiples of `merge` (so rows stay
 * powers of two: 0-15, 16-255...), and a run of two or more empty rows
 * collapsed into one line. The counts of the rows add up to h's slots.
 */
export function displayRows(h: Log2Hist, merge = 1): HistLine[] {
  const groups: number[] = [];
  h.slots.forEach((c, i) => {
    const g = Math.floor(i / merge);
    groups[g] = (groups[g] ?? 0) + c;
  });
  const first = groups.findIndex((c) => c > 0);
  if (first < 0) return [];
  let last = groups.length - 1;
  while (groups[last] === 0) last--;
  const lo = (g: number) => (g === 0 ? 0 : 2 ** (g * merge));
  const hi = (g: number) => 2 ** ((g + 1) * merge) - 1;
  const out: HistLine[] = [];
  for (let g = first; g <= last; ) {
    if (groups[g] > 0) {
      out.push({ lo: lo(g), hi: hi(g), count: groups[g], emptyRun: 0 });
      g++;
      continue;
    }
    let e = g;
    while (groups[e + 1] === 0) e++;
    out.push({ lo: lo(g), hi: hi(e), count: 0, emptyRun: e > g ? e - g + 1 : 0 });
    g = e + 1;
  }
  return out;
}

export function histBar(frac: number, width = 40): string {
  const n = Math.round(frac * width);
  return '|' + '*'.repeat(n) + ' '.repeat(width - n) + '|';
}

/** Columns of a histogram table; `unit` is the title of the range column ("usecs"). */
export function histColumns(unit: string): Column<HistRow>[] {
  return [
    { id: 'lo', title: unit, width: 10, align: 'right', value: (r) => r.lo },
    { id: 'hi', title: '', width: 10, align: 'left', value: (r) => r.hi, text: (r) => `-> ${r.hi}` },
    { id: 'count', title: 'count', width: 10, align: 'right', value: (r) => r.count },
    { id: 'distribution', title: 'distribution', value: (r) => r.frac, text: (r) => histBar(r.frac) },
  ];
}

/** Plain-text histogram in BCC's print_log2_hist layout. */
export function formatLog2Hist(h: Log2Hist, unit: string): string {
  const rows = histRows(h);
  if (rows.length === 0) return '';
  const lines = [`     ${unit.padEnd(19)} : count     distribution`];
  for (const r of rows) {
    lines.push(`${String(r.lo).padStart(10)} -> ${String(r.hi).padEnd(10)} : ${String(r.count).padEnd(8)} ${histBar(r.frac)}`);
  }
  return lines.join('\n');
}
