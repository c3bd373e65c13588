// The Model the failures screen draws and `ostop dump failures|kmsg`
// prints: timeline entries linked to kernel-log lines and core dump files,
// the kernel log itself, and where core dumps go. Pure: built from what
// the Source collected, so screen, dump and tests share one path.
//
// Invariants: every string in the Model is already sanitized, except
// dump file paths, kept raw so they can be opened (display them through
// sanitize()); links are
// by id/seq/path, never by position, so they survive filtering; an entry
// is linked to a dump only if the pid matches and the file was written
// within DUMP_LINK_WINDOW_MS of the death (pids are reused).
import { sanitize } from '../util/text.js';
import type { CoreDumpFile, CoreLimit, CorePatternInfo } from '../collectors/coredump.js';
import type { KmsgRecord } from '../collectors/kmsg.js';
import { classifyKmsg, type KmsgHighlight } from './failures-kmsg.js';
import { describeEnd, describeSender, type FeedName, type TimelineEntry } from './failures.js';

export interface KmsgLine {
  seq: number;
  usec: number;
  wallMs: number;
  level: number;
  facility: number;
  /** Sanitized message (newlines shown as spaces). */
  text: string;
  highlight: KmsgHighlight | null;
  /** The timeline entry this line belongs to, if any. */
  entryId: number | null;
}

export interface EntryRow extends TimelineEntry {
  wallMs: number;
  /** "SIGSEGV", "OOM kill", "exit 3", "hung"... */
  end: string;
  senderText: string;
  dump: CoreDumpFile | null;
}

export interface FeedStatus {
  name: FeedName;
  active: boolean;
  /** Why it is not active, or what it cannot see. */
  note: string | null;
  drops: number;
}

export interface CoreTarget {
  pid: number;
  comm: string;
  alive: boolean;
  /** How the target was chosen: 'chosen' (by the user), 'parent' (of the selected entry), 'self'. */
  why: 'chosen' | 'parent' | 'self';
  limit: CoreLimit | null;
  where: string;
  exe: string | null;
}

export interface FailuresModel {
  nowWallMs: number;
  /** Monotonic usec when ostop started: entries before it come from the log backlog. */
  startedUsec: number;
  feeds: FeedStatus[];
  entries: EntryRow[];
  /** Count of entries hidden by the filters (exits toggle, since). */
  hiddenEntries: number;
  kmsg: KmsgLine[];
  kmsgOverwritten: number;
  kmsgLost: number;
  corePattern: CorePatternInfo | null;
  corePatternError: string | null;
  target: CoreTarget | null;
  dumps: Array<CoreDumpFile & { entryId: number | null }>;
  /** Things the person should know about what can be seen (print-fatal-signals off...). */
  hints: string[];
}

export const DUMP_LINK_WINDOW_MS = 120_000;

export function kmsgLine(r: KmsgRecord, wallMs: number, entryId: number | null): KmsgLine {
  return {
    seq: r.seq, usec: r.usec, wallMs, level: r.level, facility: r.facility,
    text: sanitize(r.message), highlight: classifyKmsg(r.message), entryId,
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
