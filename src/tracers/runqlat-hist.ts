// log2 histograms as runqlat/biolatency print them. Shared by the runqlat
// (in-kernel histograms) and disk (histograms folded from events) tracers.
// Invariant: slot i counts values v (in the histogram's unit) with
// floor(log2(v)) == i, slot 0 also holds v < 1 (0 and 1 land in 0 and 0..1),
// and the last slot holds everything above; the same rule as log2_slot() in
// native/bpf/runqlat.bpf.c, so kernel and JS histograms line up.
import type { OutputColumn } from '../app/output.js';

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

export function histBar(frac: number, width = 40): string {
  const n = Math.round(frac * width);
  return '|' + '*'.repeat(n) + ' '.repeat(width - n) + '|';
}

/** Columns of a histogram table; `unit` is the title of the range column ("usecs"). */
export function histColumns(unit: string): OutputColumn<HistRow>[] {
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
