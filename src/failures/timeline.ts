// The failures timeline: abnormal process ends (death by signal, non-zero
// exit, OOM kill) and kernel failures (Oops, BUG, hung task), fed by the
// kernel-log classifier (kmsg-classifier.ts) and the exit tracer
// (exit-correlator.ts, exit-feed.ts), which all speak one event type,
// FailureEvent (src/model/failures.ts).
//
// Feeders: 'ebpf' (exact, catches processes that lived for milliseconds,
// knows parent/cmdline/age/sender) and 'kmsg' (the kernel log: always there
// for root, but only sees what the kernel prints). When both report the
// same death the entries are merged and `feeds` lists both.
//
// Invariants: an entry keeps everything captured at exit (parent, cmdline,
// age), so it outlives the process; text fields are sanitized when they
// enter the timeline; the timeline is bounded (oldest dropped first) and
// its ids only grow, so a screen's selection stays valid across updates.
// Pure: no I/O.
import { sanitize } from '../util/text.js';
import type { FailureEvent, OomDetails, TimelineEntry } from '../model/failures.js';
import { Ring } from '../store/ring.js';

function clean(s: string | null | undefined): string | null {
  return s === null || s === undefined ? null : sanitize(s);
}

/** Within this window two reports of the same pid are the same death. */
const MERGE_WINDOW_USEC = 10_000_000;

function compatible(a: FailureEvent, b: FailureEvent): boolean {
  if (a.pid !== b.pid || a.pid <= 0) return false;
  if (Math.abs(a.tsUsec - b.tsUsec) > MERGE_WINDOW_USEC) return false;
  if (a.kind === 'kernel' || b.kind === 'kernel') {
    return a.kind === b.kind && a.kernel?.what === b.kernel?.what;
  }
  if (a.kind === 'oom' || b.kind === 'oom') {
    const other = a.kind === 'oom' ? b : a;
    return other.kind === 'oom' || other.signal === 9;
  }
  return a.signal === null || b.signal === null || a.signal === b.signal;
}

export interface TimelineOptions {
  /** Most entries kept; the oldest are dropped first. */
  capacity?: number;
}

export class FailureTimeline {
  /** Oldest first, in time order (src/store Ring: the oldest dropped in O(1) when full). */
  private list: Ring<TimelineEntry>;
  private nextId = 1;
  /** Entries dropped because the timeline was full. */
  dropped = 0;

  constructor(opts: TimelineOptions = {}) {
    this.list = new Ring<TimelineEntry>(opts.capacity ?? 5000);
  }

  /** Add one event, merging it into an existing entry for the same death. Returns the entry. */
  add(ev: FailureEvent): TimelineEntry {
    const e: FailureEvent = {
      ...ev,
      comm: sanitize(ev.comm),
      cmdline: clean(ev.cmdline),
      sender: ev.sender && typeof ev.sender === 'object' ? { pid: ev.sender.pid, comm: sanitize(ev.sender.comm) } : ev.sender,
      kernel: ev.kernel ? { what: ev.kernel.what, detail: sanitize(ev.kernel.detail) } : undefined,
      oom: ev.oom ? { ...ev.oom, triggerComm: clean(ev.oom.triggerComm), memcg: clean(ev.oom.memcg), constraint: clean(ev.oom.constraint) } : undefined,
      fault: ev.fault ? { ...ev.fault, where: clean(ev.fault.where) } : undefined,
    };
    // Look back from the newest: merges are almost always with recent entries.
    const n = this.list.size;
    for (let i = n - 1; i >= 0 && i >= n - 200; i--) {
      const t = this.list.at(i)!;
      if (compatible(t, e)) {
        mergeInto(t, e);
        return t;
      }
    }
    const entry: TimelineEntry = { ...e, id: this.nextId++, feeds: [e.feed], kmsgSeqs: [...(e.kmsgSeqs ?? [])] };
    // Keep time order even when a slower feeder delivers late: the newer
    // entries step aside and go back after it (late ones are near the end).
    const newer: TimelineEntry[] = [];
    for (let last = this.list.newest(); last && last.tsUsec > entry.tsUsec; last = this.list.newest()) newer.push(this.list.pop()!);
    if (this.list.push(entry) !== undefined) this.dropped++;
    for (let i = newer.length - 1; i >= 0; i--) if (this.list.push(newer[i]) !== undefined) this.dropped++;
    return entry;
  }

  /** Oldest first (a copy of the list). */
  entries(): readonly TimelineEntry[] {
    return this.list.toArray();
  }

  /** The entry a kernel-log record belongs to, if any. */
  entryForSeq(seq: number): TimelineEntry | undefined {
    for (let i = this.list.size - 1; i >= 0; i--) {
      const e = this.list.at(i)!;
      if (e.kmsgSeqs.includes(seq)) return e;
    }
    return undefined;
  }

  clear(): void {
    this.list.clear();
  }
}

function pick<T>(preferred: T | null | undefined, other: T | null | undefined): T | null {
  return preferred !== null && preferred !== undefined ? preferred : (other ?? null);
}

/** Merge `e` into `t`. eBPF is exact about the process (ppid, cmdline, age, exit code); kmsg adds fault/OOM details. */
function mergeInto(t: TimelineEntry, e: FailureEvent): void {
  const ebpfFirst = e.feed === 'ebpf' && !t.feeds.includes('ebpf');
  const [a, b] = ebpfFirst ? [e, t as FailureEvent] : [t as FailureEvent, e];
  if (!t.feeds.includes(e.feed)) t.feeds.push(e.feed);
  if (e.kind === 'oom' || t.kind === 'oom') t.kind = 'oom';
  else if (ebpfFirst) t.kind = e.kind;
  t.ppid = pick(a.ppid, b.ppid);
  t.cmdline = pick(a.cmdline, b.cmdline);
  t.cwd = pick(a.cwd, b.cwd);
  t.parentCwd = pick(a.parentCwd, b.parentCwd);
  t.ageMs = pick(a.ageMs, b.ageMs);
  t.exitCode = pick(a.exitCode, b.exitCode);
  t.signal = pick(a.signal, b.signal);
  t.coreDumped = pick(a.coreDumped, b.coreDumped);
  t.comm = a.comm || b.comm;
  // A process sender from signal_generate beats 'kernel' guessed from a log line, except for faults.
  t.sender = pick(a.sender, b.sender);
  if (ebpfFirst) {
    t.tsUsec = e.tsUsec;
    if (e.bootUsec !== undefined) t.bootUsec = e.bootUsec;
  }
  if (e.oom) t.oom = t.oom ? mergeOom(t.oom, e.oom) : e.oom;
  if (e.fault && !t.fault) t.fault = e.fault;
  if (e.kernel && !t.kernel) t.kernel = e.kernel;
  for (const s of e.kmsgSeqs ?? []) if (!t.kmsgSeqs.includes(s)) t.kmsgSeqs.push(s);
}

function mergeOom(a: OomDetails, b: OomDetails): OomDetails {
  const o = { ...a };
  for (const k of Object.keys(b) as (keyof OomDetails)[]) {
    if (o[k] === null || o[k] === undefined) (o as Record<string, unknown>)[k] = b[k];
  }
  return o;
}
