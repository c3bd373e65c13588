// Per-process I/O counters from /proc/<pid>/io (iotop-like). Reading
// another user's io file needs ptrace access (root or same uid); pids we
// may not read are counted in `denied`, not silently dropped, so the screen
// can say how much it cannot see. comm is untrusted and sanitized.
import * as fs from 'node:fs';
import { sanitize } from '../util/text.js';

export interface PidIo {
  pid: number;
  comm: string;
  rchar: number; wchar: number; syscr: number; syscw: number;
  /** Bytes really fetched from / sent to the storage layer. */
  readBytes: number; writeBytes: number; cancelledWriteBytes: number;
}

export interface PidIoSample {
  mono: number;
  procs: PidIo[];
  denied: number;
}

export function parsePidIo(text: string): Omit<PidIo, 'pid' | 'comm'> | undefined {
  const m: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const c = line.indexOf(':');
    if (c > 0) m[line.slice(0, c)] = Number(line.slice(c + 1));
  }
  if (m.read_bytes === undefined) return undefined;
  return {
    rchar: m.rchar ?? 0, wchar: m.wchar ?? 0, syscr: m.syscr ?? 0, syscw: m.syscw ?? 0,
    readBytes: m.read_bytes ?? 0, writeBytes: m.write_bytes ?? 0, cancelledWriteBytes: m.cancelled_write_bytes ?? 0,
  };
}

export function readPidIoSample(procRoot = '/proc'): PidIoSample {
  const mono = Number(process.hrtime.bigint()) / 1e9;
  const procs: PidIo[] = [];
  let denied = 0;
  let names: string[] = [];
  try {
    names = fs.readdirSync(procRoot);
  } catch {
    return { mono, procs, denied };
  }
  for (const n of names) {
    const c0 = n.charCodeAt(0);
    if (c0 < 48 || c0 > 57) continue;
    const pid = Number(n);
    let io: ReturnType<typeof parsePidIo>;
    try {
      io = parsePidIo(fs.readFileSync(`${procRoot}/${n}/io`, 'latin1'));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM') denied++;
      continue;
    }
    if (!io) continue;
    let comm = '?';
    try {
      comm = sanitize(fs.readFileSync(`${procRoot}/${n}/comm`, 'utf8').replace(/\n$/, ''));
    } catch {
      continue;
    }
    procs.push({ pid, comm, ...io });
  }
  return { mono, procs, denied };
}
