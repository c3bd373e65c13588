// What the kernel says about core dumps and what a core file says about
// itself: kernel.core_pattern and the core size limit of a process (thin
// readers over the procfs parsers core-pattern.ts and pid-limits.ts), and
// the identity of a core file read from its ELF notes (pid, signal,
// executable). Finding the dump files (where core_pattern puts them,
// systemd-coredump's and apport's stores) is src/failures/core-finder.ts.
//
// Invariants: nothing here writes; every function takes its root paths as
// parameters so tests run on fixture trees; file and process names are
// untrusted and are returned raw (sanitize before display); reading a core
// file's notes reads at most a few MiB from its start, never the whole dump.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { directReader } from './procfs/read.js';
import { parseCorePattern, parseCoreUsesPid, type CorePatternInfo } from './procfs/core-pattern.js';
import { coreSizeLimit, parseLimits, type SoftHard } from './procfs/pid-limits.js';

export type { CorePatternInfo } from './procfs/core-pattern.js';
export type CoreLimit = SoftHard;

/** kernel.core_pattern and core_uses_pid (procfs/core-pattern.ts); throws with the reason when core_pattern cannot be read. */
export function readCorePattern(procRoot = '/proc'): CorePatternInfo {
  const pattern = fs.readFileSync(path.join(procRoot, 'sys/kernel/core_pattern'), 'utf8');
  const usesPid = directReader.text(path.join(procRoot, 'sys/kernel/core_uses_pid'), 64);
  return parseCorePattern(pattern, usesPid !== undefined && parseCoreUsesPid(usesPid));
}

/** The core size limit of a process (its /proc/PID/limits, procfs/pid-limits.ts); null when gone or unreadable. */
export function readCoreLimit(pid: number, procRoot = '/proc'): CoreLimit | null {
  const t = directReader.text(path.join(procRoot, String(pid), 'limits'));
  return t === undefined ? null : coreSizeLimit(parseLimits(t));
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
