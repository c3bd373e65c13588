// Where core dumps go and which ones exist: a file core_pattern expanded
// for a process, the dump files in systemd-coredump's store, apport's
// directories, files matching a file pattern (relative patterns in the
// cwds the dead processes had) and ostop's own cores (g), each linked to
// its pid from its name or, failing that, from the core's notes.
//
// Invariants: nothing here writes; roots are parameters (tests run on
// fixture trees); only regular files are listed (a symlink named like a
// core is not), and a core's notes are read without following a link or
// blocking on a FIFO (readCoreFileInfo); names are returned raw.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OSTOP_CORE_NAME } from '../util/private-dir.js';
import { readCoreFileInfo, type CoreDumpFile, type CoreFileInfo, type CoreLimit } from '../collectors/coredump.js';
import { parseCorePattern, type CorePatternInfo } from '../collectors/procfs/core-pattern.js';
import type { TimelineEntry } from '../model/failures.js';

export interface ProcIdentity {
  pid: number;
  comm: string;
  uid?: number;
  gid?: number;
  exe?: string | null;
  cwd?: string | null;
  hostname?: string;
}

/**
 * Expand a file core_pattern for a process, as the kernel would
 * (fs/coredump.c format_corename); %t is the given time. Pipe patterns
 * return null: the handler decides.
 */
export function expandCorePattern(info: CorePatternInfo, p: ProcIdentity, nowSec = Math.floor(Date.now() / 1000)): string | null {
  if (info.kind !== 'file') return null;
  let hadPid = false;
  let out = info.pattern.replace(/%(.)/g, (_, c: string) => {
    switch (c) {
      case '%': return '%';
      case 'p': case 'P': case 'i': case 'I': hadPid = true; return String(p.pid);
      case 'u': return String(p.uid ?? 0);
      case 'g': return String(p.gid ?? 0);
      case 's': return '<sig>';
      case 't': return String(nowSec);
      case 'h': return p.hostname ?? 'localhost';
      case 'e': return p.comm.replace(/\//g, '!');
      case 'E': return (p.exe ?? p.comm).replace(/\//g, '!');
      case 'f': return path.basename(p.exe ?? p.comm);
      case 'c': return '<limit>';
      case 'd': return '<dumpable>';
      case 'C': return '<cgroup>';
      default: return '';
    }
  });
  if (!hadPid && info.usesPid) out += `.${p.pid}`;
  if (info.relative && p.cwd) out = path.join(p.cwd, out);
  return out;
}

/** Human sentence: where a dump of this process would go, and whether it would be written at all. */
export function whereDumpsGo(info: CorePatternInfo, limit: CoreLimit | null, p: ProcIdentity | null): string {
  let where: string;
  if (info.kind === 'pipe') {
    const name = info.handlerName ?? path.basename(info.handler ?? '?');
    where = `piped to ${name}` + (info.handlerName === 'systemd-coredump' ? ' (coredumpctl list; store /var/lib/systemd/coredump)'
      : info.handlerName === 'apport' ? ' (/var/crash, /var/lib/apport/coredump)' : '');
  } else {
    const file = p ? expandCorePattern(info, p) : info.pattern;
    where = `file ${file}` + (info.relative ? ' (relative to the process cwd)' : '');
  }
  if (limit && limit.soft === 0) {
    // A pipe handler still runs with RLIMIT_CORE=0 only if it is a pipe; the kernel skips file dumps.
    return info.kind === 'pipe'
      ? `${where}; core limit 0: the handler still runs, most honour the limit and skip the dump (ulimit -c unlimited)`
      : `not written: core limit is 0 (ulimit -c unlimited, or prlimit --core=unlimited --pid PID); would be ${where}`;
  }
  return where;
}

export const SYSTEMD_COREDUMP_DIR = '/var/lib/systemd/coredump';
export const APPORT_DIRS = ['/var/lib/apport/coredump', '/var/crash'];

function unescapeSystemd(s: string): string {
  return s.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** systemd-coredump names: core.COMM.UID.BOOTID.PID.USEC[.zst|.xz|.lz4]. */
export function parseSystemdCoreName(name: string): { comm: string; uid: number; pid: number; usec: number } | null {
  const m = /^core\.(.+)\.(\d+)\.([0-9a-f]{32})\.(\d+)\.(\d+)(?:\.(?:zst|xz|lz4|gz))?$/.exec(name);
  if (!m) return null;
  return { comm: unescapeSystemd(m[1]), uid: Number(m[2]), pid: Number(m[4]), usec: Number(m[5]) };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A regex over file names for the last path component of a file pattern; group `pid` when the pattern has %p/%P. */
export function patternFileRegex(info: CorePatternInfo): { dir: string | null; re: RegExp } | null {
  if (info.kind !== 'file') return null;
  const dirPart = path.dirname(info.pattern);
  const filePart = path.basename(info.pattern);
  const dir = dirPart.includes('%') ? null : dirPart;
  let hadPid = false;
  let pidGroup = false;
  let src = '';
  for (let i = 0; i < filePart.length; i++) {
    const c = filePart[i];
    if (c !== '%' || i === filePart.length - 1) { src += escapeRe(c); continue; }
    const s = filePart[++i];
    if ('pPiI'.includes(s)) {
      hadPid = true;
      src += pidGroup ? '\\d+' : '(?<pid>\\d+)';
      pidGroup = true;
    } else if ('ugstcd'.includes(s)) src += '\\d+';
    else if (s === '%') src += '%';
    else if (s === 'e') src += '(?<comm>.+?)';
    else src += '.+?';
  }
  if (!hadPid && info.usesPid) src += '\\.(?<pid>\\d+)';
  return { dir, re: new RegExp('^' + src + '$') };
}

export interface ListDumpsOptions {
  systemdDir?: string;
  apportDirs?: string[];
  /** Directories to search for relative file patterns (e.g. cwds of crashed processes). */
  relativeDirs?: string[];
  /** ostop's private core directory (src/util/private-dir.ts ostopCoreDir()): its `core.COMM.PID.MS` files are listed too. */
  ostopDir?: string;
  /** Most files returned (newest first). */
  max?: number;
}

/** A regular file, not followed through a symlink (a link planted in a shared directory is not a core). */
function statFile(p: string): fs.Stats | null {
  try {
    const st = fs.lstatSync(p);
    return st.isFile() ? st : null;
  } catch {
    return null;
  }
}

/** Recent core dumps, newest first: systemd-coredump's store, apport's, and files matching a file pattern. */
export function listDumps(info: CorePatternInfo, opts: ListDumpsOptions = {}): CoreDumpFile[] {
  const out: CoreDumpFile[] = [];
  const sysDir = opts.systemdDir ?? SYSTEMD_COREDUMP_DIR;
  for (const name of safeReaddir(sysDir)) {
    const parsed = parseSystemdCoreName(name);
    const st = parsed && statFile(path.join(sysDir, name));
    if (!parsed || !st) continue;
    out.push({ path: path.join(sysDir, name), sizeBytes: st.size, mtimeMs: st.mtimeMs, pid: parsed.pid, comm: parsed.comm, source: 'systemd-coredump', compressed: /\.(zst|xz|lz4|gz)$/.test(name) });
  }
  if (info.handlerName === 'apport' || opts.apportDirs) {
    for (const dir of opts.apportDirs ?? APPORT_DIRS) {
      for (const name of safeReaddir(dir)) {
        if (!/^core\.|\.crash$/.test(name)) continue;
        const st = statFile(path.join(dir, name));
        if (!st) continue;
        const m = /\.(\d+)\.\d+$/.exec(name);
        out.push({ path: path.join(dir, name), sizeBytes: st.size, mtimeMs: st.mtimeMs, pid: m ? Number(m[1]) : null, comm: null, source: 'apport', compressed: name.endsWith('.crash') });
      }
    }
  }
  if (opts.ostopDir) {
    for (const name of safeReaddir(opts.ostopDir)) {
      const m = OSTOP_CORE_NAME.exec(name);
      const p = path.join(opts.ostopDir, name);
      const st = m && statFile(p);
      if (!m || !st) continue;
      out.push({ path: p, sizeBytes: st.size, mtimeMs: st.mtimeMs, pid: Number(m.groups!.pid), comm: m.groups!.comm, source: 'ostop', compressed: false });
    }
  }
  const rx = patternFileRegex(info);
  if (rx) {
    const dirs = rx.dir === null ? [] : info.relative ? (opts.relativeDirs ?? []).filter((d) => path.isAbsolute(d)).map((d) => path.join(d, rx.dir!)) : [rx.dir];
    const listed = new Set(out.map((d) => d.path));
    for (const dir of new Set(dirs)) {
      for (const name of safeReaddir(dir)) {
        const m = rx.re.exec(name);
        if (!m) continue;
        const p = path.join(dir, name);
        const st = statFile(p);
        if (!st || listed.has(p)) continue; // the pattern may point into ostop's own directory
        let pid = m.groups?.pid ? Number(m.groups.pid) : null;
        let comm = m.groups?.comm ?? null;
        if (pid === null) {
          // A name without the pid (core_pattern "core", core_uses_pid=0): the core's own notes say whose it is.
          const who = coreIdentity(p, st);
          pid = who?.pid ?? null;
          comm ??= who?.fname ?? null;
        }
        out.push({ path: p, sizeBytes: st.size, mtimeMs: st.mtimeMs, pid, comm, source: 'pattern', compressed: false });
      }
    }
  }
  out.sort((a, b) => b.mtimeMs - a.mtimeMs);
  return out.slice(0, opts.max ?? 200);
}

const identityCache = new Map<string, { key: string; info: CoreFileInfo | null }>();

/** readCoreFileInfo, cached per file version (path, size, mtime): the list is rescanned every few seconds. */
function coreIdentity(p: string, st: fs.Stats): CoreFileInfo | null {
  const key = `${st.ino}:${st.size}:${st.mtimeMs}`;
  const hit = identityCache.get(p);
  if (hit && hit.key === key) return hit.info;
  const info = readCoreFileInfo(p);
  identityCache.set(p, { key, info });
  if (identityCache.size > 512) identityCache.delete(identityCache.keys().next().value!);
  return info;
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** What coreSearchDirs needs of the dead: the timeline, and a way to read a live parent's cwd. */
export interface DeadCwds {
  entries(): readonly TimelineEntry[];
  /** The cwd of a live pid now, or null. */
  cwdOf(pid: number): string | null;
}

/**
 * Directories a relative core_pattern may have put cores in: ostop's cwd,
 * the target's, and the cwd each dead process had (recorded by the eBPF
 * feed while it lived) or, when that could not be read in time, its
 * parent's (recorded at the death, else read now: a child inherits it).
 * At most 64, newest deaths first.
 */
export function coreSearchDirs(dead: DeadCwds, targetCwd: string | null, ownCwd = process.cwd()): string[] {
  const dirs = new Set<string>([ownCwd]);
  if (targetCwd) dirs.add(targetCwd);
  const all = dead.entries();
  for (let i = all.length - 1; i >= 0 && dirs.size < 64; i--) {
    const e = all[i];
    if (e.kind !== 'signal' || e.coreDumped === false) continue;
    const cwd = e.cwd ?? e.parentCwd ?? (e.ppid ? dead.cwdOf(e.ppid) : null);
    if (cwd) dirs.add(cwd);
  }
  return [...dirs];
}

/** The core dumps to list: systemd-coredump's and apport's stores, files core_pattern names (relative ones in coreSearchDirs), and ostop's own. */
export function scanDumps(dead: DeadCwds, pattern: CorePatternInfo | null, targetCwd: string | null, coreDir: string): CoreDumpFile[] {
  return listDumps(pattern ?? parseCorePattern('core'), { relativeDirs: coreSearchDirs(dead, targetCwd), ostopDir: coreDir });
}
