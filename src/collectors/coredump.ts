// Where core dumps go and which ones exist: kernel.core_pattern, the core
// size limit of a process, the dump files (systemd-coredump's store,
// apport's, or files matching a file pattern), and the identity of a core
// file read from its ELF notes (pid, signal, executable).
//
// Invariants: nothing here writes; every function takes its root paths as
// parameters so tests run on fixture trees; file and process names are
// untrusted and are returned raw (sanitize before display); reading a core
// file's notes reads at most a few MiB from its start, never the whole dump.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OSTOP_CORE_NAME } from '../util/private-dir.js';

export interface CorePatternInfo {
  /** The raw pattern as the kernel holds it. */
  pattern: string;
  kind: 'file' | 'pipe';
  /** Pipe: the handler program; file: null. */
  handler: string | null;
  /** A known handler's name: systemd-coredump, apport, abrt; null otherwise. */
  handlerName: 'systemd-coredump' | 'apport' | 'abrt' | null;
  /** File patterns only: relative patterns are relative to the crashing process's cwd. */
  relative: boolean;
  /** kernel.core_uses_pid: ".PID" appended to file patterns without %p. */
  usesPid: boolean;
}

export function describeCorePattern(pattern: string, usesPid = false): CorePatternInfo {
  const p = pattern.replace(/\n$/, '');
  if (p.startsWith('|')) {
    const handler = p.slice(1).trim().split(/\s+/)[0] ?? '';
    const base = path.basename(handler);
    const handlerName = base === 'systemd-coredump' ? 'systemd-coredump' : base === 'apport' ? 'apport' : /abrt/.test(base) ? 'abrt' : null;
    return { pattern: p, kind: 'pipe', handler, handlerName, relative: false, usesPid };
  }
  return { pattern: p, kind: 'file', handler: null, handlerName: null, relative: !p.startsWith('/'), usesPid };
}

export function readCorePattern(procRoot = '/proc'): CorePatternInfo {
  const pattern = fs.readFileSync(path.join(procRoot, 'sys/kernel/core_pattern'), 'utf8');
  let usesPid = false;
  try { usesPid = fs.readFileSync(path.join(procRoot, 'sys/kernel/core_uses_pid'), 'utf8').trim() === '1'; } catch { /* absent */ }
  return describeCorePattern(pattern, usesPid);
}

export type Limit = number | 'unlimited';

export interface CoreLimit {
  soft: Limit;
  hard: Limit;
}

/** The "Max core file size" line of /proc/PID/limits. */
export function parseCoreLimit(limitsText: string): CoreLimit | null {
  const m = /^Max core file size\s+(\S+)\s+(\S+)/m.exec(limitsText);
  if (!m) return null;
  const v = (s: string): Limit => (s === 'unlimited' ? 'unlimited' : Number(s));
  return { soft: v(m[1]), hard: v(m[2]) };
}

export function readCoreLimit(pid: number, procRoot = '/proc'): CoreLimit | null {
  try {
    return parseCoreLimit(fs.readFileSync(path.join(procRoot, String(pid), 'limits'), 'utf8'));
  } catch {
    return null;
  }
}

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

export interface CoreDumpFile {
  path: string;
  sizeBytes: number;
  mtimeMs: number;
  pid: number | null;
  comm: string | null;
  /** Where it was found: systemd-coredump's store, apport's, a file core_pattern names, or ostop's own core directory (the failures view's g). */
  source: 'systemd-coredump' | 'apport' | 'pattern' | 'ostop';
  compressed: boolean;
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

export interface CoreFileInfo {
  pid: number | null;
  ppid: number | null;
  signal: number | null;
  /** pr_fname: the comm at the time of the dump. */
  fname: string | null;
  /** pr_psargs: the start of the command line. */
  psargs: string | null;
  /** The executable, from the NT_FILE mappings. */
  exe: string | null;
}

const NT_PRSTATUS = 1;
const NT_PRPSINFO = 3;
const NT_FILE = 0x46494c45;

function cstr(b: Buffer, start: number, len: number): string {
  const s = b.subarray(start, start + len);
  const z = s.indexOf(0);
  return (z >= 0 ? s.subarray(0, z) : s).toString('utf8');
}

/**
 * Read the identity of an ELF64 little-endian core file from its notes.
 * Returns null when the file is not such a core (compressed, another
 * architecture, truncated). Reads only the program headers and the notes.
 */
export function readCoreFileInfo(file: string): CoreFileInfo | null {
  let fd: number;
  // Not through a symlink, and never blocking on a FIFO put where a core was expected.
  try { fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK); } catch { return null; }
  try {
    if (!fs.fstatSync(fd).isFile()) return null;
    const eh = Buffer.alloc(64);
    if (fs.readSync(fd, eh, 0, 64, 0) < 64) return null;
    if (eh.readUInt32BE(0) !== 0x7f454c46 || eh[4] !== 2 || eh[5] !== 1 || eh.readUInt16LE(16) !== 4) return null;
    const phoff = Number(eh.readBigUInt64LE(32));
    const phentsize = eh.readUInt16LE(54);
    const phnum = eh.readUInt16LE(56);
    if (phentsize < 56 || phnum === 0 || phnum > 65535) return null;
    const ph = Buffer.alloc(phentsize * Math.min(phnum, 4096));
    fs.readSync(fd, ph, 0, ph.length, phoff);
    const info: CoreFileInfo = { pid: null, ppid: null, signal: null, fname: null, psargs: null, exe: null };
    let files: string[] = [];
    for (let i = 0; i < Math.min(phnum, 4096); i++) {
      const o = i * phentsize;
      if (ph.readUInt32LE(o) !== 4) continue; // PT_NOTE
      const off = Number(ph.readBigUInt64LE(o + 8));
      const size = Math.min(Number(ph.readBigUInt64LE(o + 32)), 8 << 20);
      const notes = Buffer.alloc(size);
      const got = fs.readSync(fd, notes, 0, size, off);
      let p = 0;
      while (p + 12 <= got) {
        const namesz = notes.readUInt32LE(p);
        const descsz = notes.readUInt32LE(p + 4);
        const type = notes.readUInt32LE(p + 8);
        const d = p + 12 + ((namesz + 3) & ~3);
        if (d + descsz > got) break;
        const desc = notes.subarray(d, d + descsz);
        if (type === NT_PRSTATUS && info.signal === null && descsz >= 40) {
          info.signal = desc.readInt16LE(12);
          info.pid = desc.readInt32LE(32);
          info.ppid = desc.readInt32LE(36);
        } else if (type === NT_PRPSINFO && descsz >= 136) {
          info.pid ??= desc.readInt32LE(24);
          info.ppid ??= desc.readInt32LE(28);
          info.fname = cstr(desc, 40, 16);
          // The kernel turns NULs between arguments into spaces; gdb's gcore may not.
          info.psargs = desc.subarray(56, 136).toString('utf8').replace(/\0+$/, '').replace(/\0/g, ' ').trimEnd();
        } else if (type === NT_FILE && descsz >= 16) {
          const count = Number(desc.readBigUInt64LE(0));
          let q = 16 + count * 24;
          files = [];
          for (let k = 0; k < count && q < desc.length; k++) {
            const z = desc.indexOf(0, q);
            const end = z < 0 ? desc.length : z;
            files.push(desc.subarray(q, end).toString('utf8'));
            q = end + 1;
          }
        }
        p = d + ((descsz + 3) & ~3);
      }
    }
    if (files.length) {
      const fname = info.fname;
      info.exe = (fname && files.find((f) => path.basename(f).startsWith(fname))) || files[0];
    }
    return info;
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}
