// Pure parsers for the per-PID files the process drill-in screen reads:
// /proc/PID/{stat,status,io,limits,smaps_rollup,environ,cmdline,cgroup},
// fdinfo, and the targets of the fd/ and ns/ symlinks. Text in, plain
// values out; no syscalls here (the reader is proc-detail-read.ts).
//
// Invariants:
//  - Strings that come from the process (comm, cmdline, environ, paths,
//    cgroup names) are kept raw here, exactly as the kernel gave them, so
//    JSON dumps are faithful. Every consumer that prints them must pass
//    them through sanitize() (src/util/text.ts) first.
//  - Parsers never throw on odd input: a missing or malformed field becomes
//    undefined, so a process that changes under us gives partial data.

// /proc/PID/stat and /etc/passwd have one parser each, shared with the process table.
export { parseStat, type StatFields as ProcStatFields } from './proc-pid.js';
export { parsePasswd } from './users.js';

/** task->flags bit set from the start of do_exit(): the task is tearing down (files, mm, cwd go next). */
export const PF_EXITING = 0x00000004;

/** Process-wide facts at the end of /proc/PID/stat that parseStat does not keep. */
export interface StatTail {
  /**
   * Field 52, exit_code (Linux 3.5+): the wait(2) status of a zombie
   * ((code << 8) | 0x80 if core dumped | signal); 0 while it runs, and 0
   * when the reader may not ptrace it. Undefined when the line is short or
   * the field is not a number.
   */
  exitCode?: number;
}

/** Read the fields parseStat leaves out (split after the last ')', as comm may hold anything). */
export function parseStatTail(text: string): StatTail {
  const close = text.lastIndexOf(')');
  if (close < 0) return {};
  const f = text.slice(close + 2).trim().split(/\s+/);
  const raw = f[49];
  return raw !== undefined && /^\d+$/.test(raw) && Number(raw) <= 0xffff ? { exitCode: Number(raw) } : {};
}

export const STATE_NAMES: Record<string, string> = {
  R: 'running', S: 'sleeping', D: 'disk sleep', Z: 'zombie', T: 'stopped', t: 'tracing stop',
  X: 'dead', x: 'dead', K: 'wakekill', W: 'waking', P: 'parked', I: 'idle',
};

export interface StatusInfo {
  name?: string;
  umask?: string;
  state?: string;
  tgid?: number;
  ppid?: number;
  /** real, effective, saved, filesystem */
  uids?: number[];
  gids?: number[];
  threads?: number;
  vmPeakKb?: number;
  vmSizeKb?: number;
  vmHwmKb?: number;
  vmRssKb?: number;
  rssAnonKb?: number;
  rssFileKb?: number;
  rssShmemKb?: number;
  vmSwapKb?: number;
  voluntaryCtxt?: number;
  nonvoluntaryCtxt?: number;
  seccomp?: number;
  capEff?: string;
  /** Every key: value line, raw. */
  fields: Record<string, string>;
}

function kb(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const m = /^\s*(\d+)/.exec(v);
  return m ? Number(m[1]) : undefined;
}

function int(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v.trim());
  return v.trim() !== '' && Number.isFinite(n) ? n : undefined;
}

/** An unsigned decimal counter ("123"); anything else (sign, junk, empty) is undefined. */
function counter(v: string | undefined): number | undefined {
  if (v === undefined || !/^\d+$/.test(v.trim())) return undefined;
  const n = Number(v.trim());
  return Number.isSafeInteger(n) ? n : undefined;
}

export interface CtxtSwitches {
  voluntary: number;
  nonvoluntary: number;
}

/**
 * The context-switch counters of one task's status
 * (/proc/PID/task/TID/status): the kernel keeps them per thread (the
 * process's own status shows its main thread's only). Throws with the
 * line at fault when a counter is missing or not an unsigned number.
 */
export function parseCtxtSwitches(text: string): CtxtSwitches {
  let voluntary: number | undefined, nonvoluntary: number | undefined;
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const key = line.slice(0, i);
    if (key !== 'voluntary_ctxt_switches' && key !== 'nonvoluntary_ctxt_switches') continue;
    const v = counter(line.slice(i + 1));
    if (v === undefined) throw new Error(`malformed status line ${JSON.stringify(line.slice(0, 80))}: expected an unsigned count`);
    if (key === 'voluntary_ctxt_switches') voluntary ??= v;
    else nonvoluntary ??= v;
  }
  if (voluntary === undefined || nonvoluntary === undefined) {
    throw new Error(`status has no ${voluntary === undefined ? 'voluntary_ctxt_switches' : 'nonvoluntary_ctxt_switches'} line`);
  }
  return { voluntary, nonvoluntary };
}

const STATUS_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', a: '\x07', e: '\x1b', '\\': '\\', '"': '"' };

/** Undo the kernel's escaping of comm in status `Name:` (ESCAPE_SPACE | ESCAPE_SPECIAL). */
export function unescapeStatusName(s: string): string {
  return s.replace(/\\([ntrfvae\\"])/g, (_m, c: string) => STATUS_ESCAPES[c]);
}

/**
 * Parse /proc/PID/status. `Name:` escapes whitespace, backslash, quote,
 * BEL and ESC in comm ("\n", "\e"...), which we undo so the name matches
 * stat's comm (both are then sanitized for display like any comm).
 */
export function parseStatus(text: string): StatusInfo {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const key = line.slice(0, i);
    if (key in fields) continue;
    fields[key] = line.slice(i + 1).replace(/^\t/, '').trim();
  }
  const ids = (v: string | undefined) => (v === undefined ? undefined : v.split(/\s+/).filter(Boolean).map(Number));
  const name = fields.Name === undefined ? undefined : unescapeStatusName(fields.Name);
  return {
    name,
    umask: fields.Umask,
    state: fields.State,
    tgid: int(fields.Tgid),
    ppid: int(fields.PPid),
    uids: ids(fields.Uid),
    gids: ids(fields.Gid),
    threads: int(fields.Threads),
    vmPeakKb: kb(fields.VmPeak),
    vmSizeKb: kb(fields.VmSize),
    vmHwmKb: kb(fields.VmHWM),
    vmRssKb: kb(fields.VmRSS),
    rssAnonKb: kb(fields.RssAnon),
    rssFileKb: kb(fields.RssFile),
    rssShmemKb: kb(fields.RssShmem),
    vmSwapKb: kb(fields.VmSwap),
    voluntaryCtxt: counter(fields.voluntary_ctxt_switches),
    nonvoluntaryCtxt: counter(fields.nonvoluntary_ctxt_switches),
    seccomp: int(fields.Seccomp),
    capEff: fields.CapEff,
    fields,
  };
}

export interface IoCounters {
  rchar: number;
  wchar: number;
  syscr: number;
  syscw: number;
  readBytes: number;
  writeBytes: number;
  cancelledWriteBytes: number;
}

/** Parse /proc/PID/io (readable only by the owner with ptrace access, or root). */
export function parseIo(text: string): IoCounters | undefined {
  const v: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s*(\d+)/.exec(line);
    if (m) v[m[1]] = Number(m[2]);
  }
  if (v.rchar === undefined && v.read_bytes === undefined) return undefined;
  return {
    rchar: v.rchar ?? 0, wchar: v.wchar ?? 0, syscr: v.syscr ?? 0, syscw: v.syscw ?? 0,
    readBytes: v.read_bytes ?? 0, writeBytes: v.write_bytes ?? 0, cancelledWriteBytes: v.cancelled_write_bytes ?? 0,
  };
}

/** Parse /proc/PID/smaps_rollup: field name -> kB (Rss, Pss, Pss_Anon, Swap, SwapPss...). */
export function parseSmapsRollup(text: string): Record<string, number> | undefined {
  const out: Record<string, number> = {};
  let any = false;
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_]+):\s+(\d+)\s*kB/.exec(line);
    if (m) {
      out[m[1]] = Number(m[2]);
      any = true;
    }
  }
  return any ? out : undefined;
}

export type LimitValue = number | 'unlimited';

export interface LimitRow {
  name: string;
  soft: LimitValue | null;
  hard: LimitValue | null;
  units: string;
}

function limitValue(s: string | undefined): LimitValue | null {
  if (s === undefined || s === '') return null;
  if (s === 'unlimited') return 'unlimited';
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/**
 * Parse /proc/PID/limits. Columns are fixed-width and names contain spaces
 * ("Max open files"), so the header's column starts are used when present;
 * otherwise the row is split on runs of 2+ spaces.
 */
export function parseLimits(text: string): LimitRow[] {
  const lines = text.split('\n');
  const rows: LimitRow[] = [];
  let soft = -1, hard = -1, units = -1;
  for (const line of lines) {
    if (line.trim() === '') continue;
    if (line.startsWith('Limit ')) {
      soft = line.indexOf('Soft Limit');
      hard = line.indexOf('Hard Limit');
      units = line.indexOf('Units');
      continue;
    }
    if (soft > 0 && hard > soft && line.length > soft) {
      const name = line.slice(0, soft).trim();
      const s = line.slice(soft, hard).trim();
      const h = (units > hard ? line.slice(hard, units) : line.slice(hard)).trim();
      const u = units > hard ? line.slice(units).trim() : '';
      // Sanity check: if the columns did not line up, fall back.
      if (name && limitValue(s.split(/\s+/)[0]) !== null && !/\s/.test(s)) {
        rows.push({ name, soft: limitValue(s), hard: limitValue(h.split(/\s+/)[0]), units: u });
        continue;
      }
    }
    const m = /^(.+?)\s{2,}(\S+)\s+(\S+)(?:\s+(\S+))?\s*$/.exec(line);
    if (m) rows.push({ name: m[1].trim(), soft: limitValue(m[2]), hard: limitValue(m[3]), units: m[4] ?? '' });
  }
  return rows;
}

export interface EnvVar {
  name: string;
  value: string;
}

/** Split NUL-separated /proc/PID/environ. Entries without '=' keep their text as the name. */
export function parseEnviron(buf: Buffer): EnvVar[] {
  const out: EnvVar[] = [];
  for (const raw of splitNul(buf)) {
    if (raw === '') continue;
    const i = raw.indexOf('=');
    // A leading '=' (as in cmd.exe-style "=C:=...") is part of the name.
    if (i <= 0) out.push({ name: raw, value: '' });
    else out.push({ name: raw.slice(0, i), value: raw.slice(i + 1) });
  }
  return out;
}

/** Split NUL-separated /proc/PID/cmdline into argv (a trailing NUL does not add an empty arg). */
export function parseCmdline(buf: Buffer): string[] {
  const parts = splitNul(buf);
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

function splitNul(buf: Buffer): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] === 0) {
      out.push(buf.toString('utf8', start, i));
      start = i + 1;
    }
  }
  if (start < buf.length) out.push(buf.toString('utf8', start));
  else if (buf.length > 0) out.push('');
  return out;
}

export interface CgroupEntry {
  hierarchy: number;
  controllers: string[];
  path: string;
}

/** Parse /proc/PID/cgroup ("0::/user.slice/..." on cgroup v2, "N:ctrl,ctrl:/path" on v1). */
export function parseCgroup(text: string): CgroupEntry[] {
  const out: CgroupEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const a = line.indexOf(':');
    const b = line.indexOf(':', a + 1);
    if (a < 0 || b < 0) continue;
    const ctrl = line.slice(a + 1, b);
    out.push({ hierarchy: Number(line.slice(0, a)), controllers: ctrl ? ctrl.split(',') : [], path: line.slice(b + 1) });
  }
  return out;
}

/** The cgroup to show: the v2 unified path if present, else the first v1 path that is not '/'. */
export function primaryCgroup(entries: CgroupEntry[]): string | undefined {
  const v2 = entries.find((e) => e.hierarchy === 0 && e.controllers.length === 0);
  if (v2 && v2.path !== '/') return v2.path;
  const v1 = entries.find((e) => e.path !== '/' && e.path !== '');
  return v1?.path ?? v2?.path;
}

export type FdKind = 'file' | 'socket' | 'pipe' | 'anon' | 'device' | 'other';

export interface FdTarget {
  kind: FdKind;
  /** The link text: a path, "socket:[ino]", "pipe:[ino]", "anon_inode:[eventfd]"... (raw, untrusted). */
  target: string;
  inode?: number;
  /** For anon: "eventfd", "eventpoll", "timerfd", "inotify", "bpf-map"... */
  anonType?: string;
  deleted?: boolean;
}

/** Classify one /proc/PID/fd/N symlink target. */
export function classifyFdTarget(target: string): FdTarget {
  let m = /^socket:\[(\d+)\]$/.exec(target);
  if (m) return { kind: 'socket', target, inode: Number(m[1]) };
  m = /^pipe:\[(\d+)\]$/.exec(target);
  if (m) return { kind: 'pipe', target, inode: Number(m[1]) };
  m = /^anon_inode:\[?([^\]]*)\]?$/.exec(target);
  if (m) return { kind: 'anon', target, anonType: m[1] };
  if (target.startsWith('/dev/') && !target.startsWith('/dev/shm/')) return { kind: 'device', target };
  if (target.startsWith('/')) {
    const deleted = target.endsWith(' (deleted)');
    return deleted ? { kind: 'file', target, deleted } : { kind: 'file', target };
  }
  return { kind: 'other', target };
}

export interface FdInfo {
  pos?: number;
  /** Octal open flags as the kernel prints them. */
  flags?: number;
  mntId?: number;
  ino?: number;
}

export function parseFdinfo(text: string): FdInfo {
  const out: FdInfo = {};
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s*(\S+)/.exec(line);
    if (!m) continue;
    if (m[1] === 'pos') out.pos = Number(m[2]);
    else if (m[1] === 'flags') out.flags = parseInt(m[2], 8);
    else if (m[1] === 'mnt_id') out.mntId = Number(m[2]);
    else if (m[1] === 'ino') out.ino = Number(m[2]);
  }
  return out;
}

/** Access mode ("r", "w", "rw") from fdinfo's octal flags. */
export function accessMode(flags: number | undefined): string {
  return flags === undefined ? '' : ['r', 'w', 'rw', '?'][flags & 3];
}

/** The open flags worth showing (generic Linux values, as on x86 and arm). */
export function openFlagNames(flags: number | undefined): string[] {
  if (flags === undefined) return [];
  const out: string[] = [];
  if (flags & 0o2000) out.push('append');
  if (flags & 0o4000) out.push('nonblock');
  if (flags & 0o4010000) out.push('sync');
  if (flags & 0o2000000) out.push('cloexec');
  if (flags & 0o20000000) out.push('path');
  return out;
}

export interface NamespaceLink {
  type: string;
  inode: number;
}

/** Parse a /proc/PID/ns/X link target ("net:[4026531840]"). */
export function parseNsLink(target: string): NamespaceLink | undefined {
  const m = /^([a-z_]+):\[(\d+)\]$/.exec(target);
  return m ? { type: m[1], inode: Number(m[2]) } : undefined;
}

