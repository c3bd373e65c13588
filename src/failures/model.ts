// Builds the failures Model (src/model/failures.ts) from what the Source
// collected: timeline entries linked to kernel-log lines and core dump
// files, the filters the screen and the dumps apply, and the text the
// timeline's columns show. Pure: no I/O, no clock (the caller passes the
// time and everything it read), so screen, dump and tests share one path.
//
// Invariants: links are by id/seq/path, never by position, so they survive
// filtering; an entry is linked to a dump only if the pid matches and the
// file was written within DUMP_LINK_WINDOW_MS of the death (pids are
// reused); only the kernel's own log lines (facility kern) are marked as
// failures.
import { sanitize } from '../util/text.js';
import { formatKib } from '../util/format.js';
import type { CoreDumpFile, CoreLimit, CorePatternInfo } from '../collectors/coredump.js';
import type { KmsgRecord } from '../collectors/kmsg-record.js';
import {
  describeEnd, describeSender, type CoreTarget, type EntryRow, type FailuresModel, type FeedStatus, type KmsgLine, type TimelineEntry,
} from '../model/failures.js';
import { classifyKmsg } from './kmsg-classifier.js';

/** The kernel log's level and facility names (the screen's filters and menus). */
export { KMSG_FACILITIES, KMSG_LEVELS, facilityName, levelName } from '../collectors/kmsg-record.js';

export const DUMP_LINK_WINDOW_MS = 120_000;

export function kmsgLine(r: KmsgRecord, wallMs: number, entryId: number | null): KmsgLine {
  return {
    seq: r.seq, usec: r.usec, wallMs, level: r.level, facility: r.facility,
    // only the kernel's own lines are failures (user space can write to /dev/kmsg)
    text: sanitize(r.message), highlight: r.facility === 0 ? classifyKmsg(r.message) : null, entryId,
  };
}

export interface EntryFilter {
  showExits: boolean;
  /** Only entries at or after this monotonic usec. */
  sinceUsec: number;
}

export function filterEntries<T extends TimelineEntry>(entries: readonly T[], f: EntryFilter): T[] {
  return entries.filter((e) => (f.showExits || e.kind !== 'exit') && e.tsUsec >= f.sinceUsec);
}

export interface KmsgFilter {
  /** Show records with level <= maxLevel (0 emerg .. 7 debug). */
  maxLevel: number;
  facility: number | null;
  /** Case-insensitive substring. */
  text: string;
  sinceUsec?: number;
}

export function filterKmsg(lines: readonly KmsgLine[], f: KmsgFilter): KmsgLine[] {
  const t = f.text.toLowerCase();
  return lines.filter((l) => l.level <= f.maxLevel && (f.facility === null || l.facility === f.facility)
    && (!t || l.text.toLowerCase().includes(t)) && (f.sinceUsec === undefined || l.usec >= f.sinceUsec));
}

/** Link entries to dump files (pid + time window), newest dump first. */
export function linkDumps(entries: readonly TimelineEntry[], dumps: readonly CoreDumpFile[], wallOf: (usec: number) => number): Map<number, CoreDumpFile> {
  const out = new Map<number, CoreDumpFile>();
  for (const e of entries) {
    if (e.kind === 'exit' || e.kind === 'oom' || e.coreDumped === false) continue;
    const w = wallOf(e.tsUsec);
    const d = dumps.find((x) => x.pid === e.pid && Math.abs(x.mtimeMs - w) < DUMP_LINK_WINDOW_MS);
    if (d) out.set(e.id, d);
  }
  return out;
}

export function toEntryRow(e: TimelineEntry, wallMs: number, dump: CoreDumpFile | null): EntryRow {
  return { ...e, wallMs, end: describeEnd(e), senderText: describeSender(e), dump, coreDumped: e.coreDumped ?? (dump ? true : null) };
}

/** "--since" durations: 90s, 10m, 2h, 1d, 1w, or plain seconds. Returns milliseconds or undefined if malformed. */
export function parseDuration(s: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h|d|w)?$/i.exec(s.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  const mult: Record<string, number> = { ms: 1, s: 1000, sec: 1000, m: 60000, min: 60000, h: 3600000, d: 86400000, w: 604800000 };
  return n * mult[unit];
}



/** The detail column: OOM numbers, fault address, or the kernel message. */
export function entryDetail(e: EntryRow): string {
  if (e.oom) {
    const o = e.oom;
    const trig = o.triggerPid !== null || o.triggerComm ? ` by ${o.triggerPid ?? '?'} ${o.triggerComm ?? ''}`.trimEnd() : '';
    return `rss ${formatKib(o.rssKb)} vm ${formatKib(o.totalVmKb)} adj ${o.oomScoreAdj ?? '-'}${o.memcg ? ` memcg ${o.memcg}` : ''}${trig}`;
  }
  if (e.fault) {
    const f = e.fault;
    return [f.addr !== null ? `at ${f.addr}` : '', f.ip ? `ip ${f.ip}` : '', f.where ? `in ${f.where}` : ''].filter(Boolean).join(' ');
  }
  if (e.kind === 'kernel' && e.kernel) return e.kernel.detail;
  return '';
}

export function coreText(e: EntryRow): string {
  if (e.dump) return e.dump.path;
  if (e.coreDumped === true) return 'yes';
  if (e.coreDumped === false) return 'no';
  return '-';
}

/** Monotonic microseconds to wall-clock milliseconds, given both clocks read at the same moment. */
export function wallOfMono(usec: number, nowWallMs: number, nowMonoUsec: number): number {
  return nowWallMs - (nowMonoUsec - usec) / 1000;
}

/** The process the core panel is about, as the Source read it. */
export interface TargetInput {
  pid: number;
  /** '?' when the process is gone. */
  comm: string;
  exe: string | null;
  cwd: string | null;
  uid: number;
  why: CoreTarget['why'];
  limit: CoreLimit | null;
  /** whereDumpsGo() for it (null without a core_pattern). */
  where: string | null;
}

/** Everything buildModel needs, read by the Source (or a dump). */
export interface ModelInput {
  nowWallMs: number;
  nowMonoUsec: number;
  /** Monotonic usec when the recorder started (entries before it come from the log backlog). */
  startedUsec: number;
  /** The whole timeline, oldest first. */
  timeline: readonly TimelineEntry[];
  kmsg: readonly KmsgLine[];
  kmsgOverwritten: number;
  kmsgLost: number;
  feeds: FeedStatus[];
  showExits: boolean;
  /** Only entries at or after this monotonic usec. */
  sinceUsec: number;
  pattern: CorePatternInfo | null;
  patternError: string | null;
  dumps: CoreDumpFile[];
  target: TargetInput | null;
  hints: string[];
}

export function buildModel(inp: ModelInput): FailuresModel {
  const wallOf = (usec: number) => wallOfMono(usec, inp.nowWallMs, inp.nowMonoUsec);
  const all = inp.timeline;
  const shown = filterEntries(all, { showExits: inp.showExits, sinceUsec: inp.sinceUsec });
  const links = linkDumps(shown, inp.dumps, wallOf);
  const entries = shown.map((e) => toEntryRow(e, wallOf(e.tsUsec), links.get(e.id) ?? null));
  const seqToEntry = new Map<number, number>();
  for (const e of all) for (const s of e.kmsgSeqs) seqToEntry.set(s, e.id);
  const kmsg = inp.kmsg.map((l) => (seqToEntry.has(l.seq) ? { ...l, entryId: seqToEntry.get(l.seq)! } : l));
  const dumpEntry = new Map<string, number>();
  for (const [id, d] of links) dumpEntry.set(d.path, id);
  let target: CoreTarget | null = null;
  if (inp.target) {
    const t = inp.target;
    const alive = t.comm !== '?';
    target = {
      pid: t.pid, comm: sanitize(t.comm), alive, why: t.why, limit: t.limit, exe: t.exe ? sanitize(t.exe) : null,
      where: !alive ? 'no such process' : t.where !== null ? sanitize(t.where) : '-',
    };
  }
  return {
    nowWallMs: inp.nowWallMs,
    startedUsec: inp.startedUsec,
    feeds: inp.feeds,
    entries,
    hiddenEntries: all.length - shown.length,
    kmsg,
    kmsgOverwritten: inp.kmsgOverwritten,
    kmsgLost: inp.kmsgLost,
    corePattern: inp.pattern ? { ...inp.pattern, pattern: sanitize(inp.pattern.pattern), handler: inp.pattern.handler && sanitize(inp.pattern.handler) } : null,
    corePatternError: inp.patternError,
    target,
    dumps: inp.dumps.map((d) => ({ ...d, comm: d.comm && sanitize(d.comm), entryId: dumpEntry.get(d.path) ?? null })),
    hints: inp.hints,
  };
}
