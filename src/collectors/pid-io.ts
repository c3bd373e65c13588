// Per-process I/O counters from /proc/<pid>/io (iotop-like). Reading
// another user's io file needs ptrace access (root or same uid); pids we
// may not read are counted in `denied`, not silently dropped, so the screen
// can say how much it cannot see, and every failed read is counted by its
// errno in `unreadable`, so the note says the real reason (ioUnreadableNote):
// root can be refused too (another user namespace, Yama, an LSM).
// comm is untrusted and sanitized.
import * as fs from 'node:fs';
import { sanitize } from '../util/text.js';
import { parseIo, type IoCounters } from './procfs/pid-io.js';
import { readPidComm } from './names.js';

/** One process's /proc/PID/io counters (readBytes/writeBytes: bytes really fetched from / sent to the storage layer). */
export interface PidIo extends IoCounters {
  pid: number;
  comm: string;
}

export interface PidIoSample {
  mono: number;
  procs: PidIo[];
  /** io files refused with EACCES or EPERM. */
  denied: number;
  /** io files that could not be read, by errno code (EACCES, EPERM, ESRCH...); a process gone from /proc before the read (ENOENT) is not counted. */
  unreadable: Record<string, number>;
}

function why(code: string, root: boolean, short: boolean): string {
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      if (short) return root ? 'refused even as root' : "another user's: needs root";
      return root
        ? 'refused even as root by the ptrace access check: a process of another user namespace, Yama ptrace_scope or an LSM'
        : "permission denied: another user's process (root or the same user can read it)";
    case 'ESRCH':
      return short ? 'exited' : 'the process exited while it was read';
    default:
      return 'read failed';
  }
}

/**
 * One line saying how many /proc/PID/io files could not be read and why,
 * by errno; undefined when all were read. `root`: whether ostop runs as root
 * (EACCES means something else then); `short`: a screen's brief reasons.
 */
export function ioUnreadableNote(unreadable: Readonly<Record<string, number>>, root = process.geteuid?.() === 0, short = false): string | undefined {
  const codes = Object.entries(unreadable).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const total = codes.reduce((t, [, n]) => t + n, 0);
  if (!total) return undefined;
  return `/proc/PID/io not readable for ${total} process${total > 1 ? 'es' : ''}: ${codes.map(([c, n]) => `${n} ${c} (${why(c, root, short)})`).join('; ')}`;
}

export function readPidIoSample(procRoot = '/proc'): PidIoSample {
  const mono = Number(process.hrtime.bigint()) / 1e9;
  const procs: PidIo[] = [];
  let denied = 0;
  const unreadable: Record<string, number> = {};
  let names: string[] = [];
  try {
    names = fs.readdirSync(procRoot);
  } catch {
    return { mono, procs, denied, unreadable };
  }
  for (const n of names) {
    const c0 = n.charCodeAt(0);
    if (c0 < 48 || c0 > 57) continue;
    const pid = Number(n);
    let io: IoCounters | undefined;
    try {
      io = parseIo(fs.readFileSync(`${procRoot}/${n}/io`, 'latin1'));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
      if (code === 'EACCES' || code === 'EPERM') denied++;
      if (code !== 'ENOENT') unreadable[code] = (unreadable[code] ?? 0) + 1;
      continue;
    }
    if (!io) continue;
    const raw = readPidComm(pid, procRoot);
    if (raw === undefined) continue;
    procs.push({ pid, comm: sanitize(raw), ...io });
  }
  return { mono, procs, denied, unreadable };
}
