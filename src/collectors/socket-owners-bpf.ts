// Socket owners from a BPF task_file iterator (native/bpf/taskfiles.bpf.c):
// one read() returns, for every process with open files, a marker record,
// and one record per socket fd (inode, tgid, fd, comm). The /proc way is a
// readdir of /proc/PID/fd and a readlink per fd for every process: about
// 30 ms per 1,000 processes and 300 ms at 10,000, all on the UI thread
// whenever the netstat view names owners.
//
// What must stay true: the result is what the /proc scan gives (checked
// against it in test/collectors/socket-owners-bpf.test.ts). Processes the
// iterator did not see (no marker: no open files, or not visible to it, as
// pid 1's thread group on this VM) are left to the caller's /proc scan.
// Used only as root in the initial pid namespace; any failure is final for
// the run and falls back to /proc.
import * as fs from 'node:fs';
import { loadNative, nativeErrorLine } from '../native.js';
import { sanitize } from '../util/text.js';
import type { SocketOwner } from './socket-types.js';
import { statusValue } from './procfs/pid-status.js';

/** struct taskfiles_rec (native/bpf/taskfiles.h). */
export const TASKFILES_REC = { size: 32, ino: 0, tgid: 8, fd: 12, comm: 16 } as const;
export const TASKFILES_MARKER_FD = 0xffffffff;

let failed: string | undefined;

/** Why the iterator is not used in this process, once it has been tried and failed. */
export function socketOwnersBpfFailure(): string | undefined {
  return failed;
}

export interface BpfSocketOwners {
  /** Processes the iterator saw (with at least one open file). */
  seen: Set<number>;
  owners: Map<number, SocketOwner>;
}

/**
 * Decode an iterator buffer. Owner rules as in the /proc scan: records come
 * in ascending pid order, so the first holder of an inode (lowest pid,
 * lowest fd) is its owner and every record of another pid adds to sharedBy.
 */
export function decodeSocketOwners(buf: ArrayBuffer, inodes?: ReadonlySet<number>): BpfSocketOwners {
  const R = TASKFILES_REC;
  const dv = new DataView(buf);
  const bytes = Buffer.from(buf);
  const seen = new Set<number>();
  const owners = new Map<number, SocketOwner>();
  let comm = '';
  let commPid = -1;
  for (let o = 0; o + R.size <= buf.byteLength; o += R.size) {
    const pid = dv.getUint32(o + R.tgid, true);
    const fd = dv.getUint32(o + R.fd, true);
    if (fd === TASKFILES_MARKER_FD) {
      seen.add(pid);
      continue;
    }
    const ino = dv.getUint32(o + R.ino, true) + dv.getUint32(o + R.ino + 4, true) * 4294967296;
    if (inodes && !inodes.has(ino)) continue;
    const prev = owners.get(ino);
    if (prev) {
      if (prev.pid !== pid) prev.sharedBy++;
      continue;
    }
    if (commPid !== pid) {
      let end = o + R.comm;
      while (end < o + R.comm + 16 && bytes[end] !== 0) end++;
      comm = sanitize(bytes.toString('utf8', o + R.comm, end));
      commPid = pid;
    }
    owners.set(ino, { pid, comm, fd, sharedBy: 1 });
  }
  return { seen, owners };
}

/** One iterator read, or undefined when the iterator cannot be used here (the reason: socketOwnersBpfFailure()). */
export function readSocketOwnersBpf(inodes?: ReadonlySet<number>): BpfSocketOwners | undefined {
  if (failed) return undefined;
  if (process.env.OSTOP_NO_BPF_TASKS === '1') {
    failed = 'disabled by OSTOP_NO_BPF_TASKS=1';
    return undefined;
  }
  if (typeof process.geteuid !== 'function' || process.geteuid() !== 0) {
    failed = 'not running as root';
    return undefined;
  }
  try {
    // The iterator reports init-namespace pids: only usable where /proc shows those.
    const nspid = statusValue(fs.readFileSync('/proc/self/status', 'utf8'), 'NSpid');
    if (nspid === undefined || nspid.split(/\s+/).length !== 1) {
      failed = 'ostop runs in a child pid namespace';
      return undefined;
    }
    const nat = loadNative();
    if (!nat.ok) {
      failed = nat.error.message;
      return undefined;
    }
    const addon = nat.addon;
    // typed as present; a native build older than this source lacks them
    if (typeof addon.taskFilesRead !== 'function' || typeof addon.taskFilesRecordSize !== 'function') {
      failed = 'the native addon has no socket-owner iterator (rebuild it)';
      return undefined;
    }
    if (addon.taskFilesRecordSize() !== TASKFILES_REC.size) {
      failed = `socket-owner record size ${addon.taskFilesRecordSize()} != ${TASKFILES_REC.size} (stale native build)`;
      return undefined;
    }
    return decodeSocketOwners(addon.taskFilesRead(), inodes);
  } catch (e) {
    failed = `socket-owner iterator failed: ${nativeErrorLine(e)}`;
    return undefined;
  }
}
