// What the profilers show, computed from the folded stacks (profiler.ts):
// the perf-top function table (self and total by function, over all frames,
// the user part or the kernel part of each stack), the flame graph's tree,
// the collapsed-stack lines (flamegraph.pl, inferno, speedscope) and the
// perf-report-like text. Pure functions: no I/O, no clock.
import type { Frame } from '../../collectors/symbolize.js';
import { sanitize } from '../../util/text.js';
import { MARK, type StackAgg } from './profiler.js';

export type FrameMode = 'all' | 'user' | 'kernel';
export const FRAME_MODES: readonly FrameMode[] = ['all', 'user', 'kernel'];

const USER_ONLY: Frame = { name: '[user space]', module: '', kernel: false, resolved: false };
const KERNEL_ONLY: Frame = { name: '[kernel]', module: '', kernel: true, resolved: false };

/** The frames of a stack the mode keeps, root first (a pseudo frame where the mode keeps none). */
export function modeFrames(s: StackAgg, mode: FrameMode): readonly Frame[] {
  if (mode === 'all') return s.frames;
  if (mode === 'user') {
    const u = s.frames.slice(0, s.kernelStart);
    return u.length ? u : [KERNEL_ONLY];
  }
  const k = s.frames.slice(s.kernelStart);
  return k.length ? k : [USER_ONLY];
}

export interface FunctionRow {
  name: string;
  module: string;
  kernel: boolean;
  /** Weight where it is the innermost frame. */
  self: number;
  /** Weight of the stacks it is on (once per stack). */
  total: number;
  /** The process names it was seen in (first few). */
  comms: string[];
}

const frameKey = (f: Frame) => `${f.kernel ? 'k' : 'u'}\0${f.module}\0${f.name}`;

/** Functions by self weight (then total); `weight` picks the decaying window or the totals. */
export function functionTable(stacks: Iterable<StackAgg>, mode: FrameMode, weight: 'recent' | 'total'): FunctionRow[] {
  const rows = new Map<string, FunctionRow>();
  const seen = new Set<string>();
  for (const s of stacks) {
    const w = s[weight];
    if (!(w > 0)) continue;
    const frames = modeFrames(s, mode);
    seen.clear();
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i];
      const k = frameKey(f);
      let r = rows.get(k);
      if (!r) rows.set(k, (r = { name: f.name, module: f.module, kernel: f.kernel, self: 0, total: 0, comms: [] }));
      if (!seen.has(k)) {
        seen.add(k);
        r.total += w;
        if (r.comms.length < 3 && !r.comms.includes(s.comm)) r.comms.push(s.comm);
      }
      if (i === frames.length - 1) r.self += w;
    }
  }
  return [...rows.values()].sort((a, b) => b.self - a.self || b.total - a.total || (a.name < b.name ? -1 : 1));
}

export interface FlameNode {
  name: string;
  module: string;
  kernel: boolean;
  /** A marker (truncated, lost...) or the comm level rather than a function. */
  special: boolean;
  value: number;
  children: FlameNode[];
  parent?: FlameNode;
}

/** The flame graph's tree: root "all", then the process name, then the frames root first; children heaviest first. */
export function flameTree(stacks: Iterable<StackAgg>, mode: FrameMode): FlameNode {
  const root: FlameNode = { name: 'all', module: '', kernel: false, special: true, value: 0, children: [] };
  const index = new Map<FlameNode, Map<string, FlameNode>>();
  const child = (p: FlameNode, f: { name: string; module: string; kernel: boolean }, special: boolean): FlameNode => {
    let m = index.get(p);
    if (!m) index.set(p, (m = new Map()));
    const k = `${f.kernel ? 'k' : 'u'}\0${f.module}\0${f.name}`;
    let c = m.get(k);
    if (!c) {
      c = { name: f.name, module: f.module, kernel: f.kernel, special, value: 0, children: [], parent: p };
      m.set(k, c);
      p.children.push(c);
    }
    return c;
  };
  for (const s of stacks) {
    const w = s.total;
    if (!(w > 0)) continue;
    root.value += w;
    let n = child(root, { name: s.comm, module: '', kernel: false }, true);
    n.value += w;
    for (const f of modeFrames(s, mode)) {
      n = child(n, f, f.name.startsWith('[') && !f.module);
      n.value += w;
    }
  }
  const sort = (n: FlameNode) => {
    n.children.sort((a, b) => b.value - a.value || (a.name < b.name ? -1 : 1));
    for (const c of n.children) sort(c);
  };
  sort(root);
  return root;
}

/** Collapsed stacks, one line each: "comm;outer;...;inner COUNT" (offcpu: microseconds blocked, as offcputime -f). */
export function foldedLines(stacks: Iterable<StackAgg>, kind: 'profile' | 'offcpu'): string[] {
  const out: string[] = [];
  for (const s of stacks) {
    const n = kind === 'offcpu' ? Math.round(s.total / 1000) : s.total;
    if (n > 0) out.push(`${s.folded} ${n}`);
  }
  return out;
}

/** Parse collapsed-stack lines back (the format flamegraph.pl reads): frames and count, or null for a line that is not one. */
export function parseFoldedLine(line: string): { frames: string[]; count: number } | null {
  const sp = line.lastIndexOf(' ');
  if (sp <= 0) return null;
  const count = Number(line.slice(sp + 1));
  if (!Number.isInteger(count) || count < 0) return null;
  const frames = line.slice(0, sp).split(';');
  if (frames.some((f) => f === '')) return null;
  return { frames, count };
}

/** A frame's name as a table shows it (module in its own column). */
export function frameLabel(f: { name: string; module: string; kernel: boolean }): string {
  return sanitize(f.name);
}

/** Is the name one of the profiler's markers? */
export function isMarker(name: string): boolean {
  return (Object.values(MARK) as string[]).includes(name);
}
