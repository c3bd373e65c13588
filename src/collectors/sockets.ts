// Socket tables from /proc/net/{tcp,tcp6,udp,udp6,unix} and their owners
// from /proc/*/fd. Reusable API (the netstat view and the one-PID drill-in
// screen both call it):
//
//   type SocketProto = 'tcp' | 'tcp6' | 'udp' | 'udp6' | 'unix'
//   interface SocketSample { proto; state; localAddr; localPort; remoteAddr; remotePort;
//                            local; remote; txQueue; rxQueue; inode; uid; path? }
//   interface SocketOwner { pid: number; comm: string; fd: number; sharedBy: number }
//
//   parseInetSockets(text: string, proto: 'tcp'|'tcp6'|'udp'|'udp6', out?: SocketSample[]): SocketSample[]
//   parseUnixSockets(text: string, out?: SocketSample[]): SocketSample[]
//   readSockets(opts?: { protos?: SocketProto[]; procRoot?: string; pid?: number }): SocketSample[]
//       whole table of ostop's own network namespace (/proc/net/*), or of
//       the namespace of `pid` (/proc/<pid>/net/*); unreadable tables are skipped.
//   readSocketOwners(opts?: { procRoot?: string; inodes?: Set<number>; bpf?: boolean }): Map<number, SocketOwner>
//       inode -> owner: as root, from a BPF task_file iterator
//       (socket-owners-bpf.ts) plus /proc for processes it did not see;
//       otherwise by scanning /proc/*/fd (one readlink per fd on the
//       system: the expensive part; call it only when an owner column is shown).
//       Without root only the caller's own processes are visible.
//   readPidSocketInodes(pid: number, procRoot?: string): Map<number, number>   socket inode -> fd
//   readPidSockets(pid: number, opts?: { protos?: SocketProto[]; procRoot?: string }): PidSocket[]
//       the sockets of ONE process, cheaply: its fd links + /proc/<pid>/net/* filtered by inode.
//   tcpStateName(code: number): string; SOCKET_PROTOS
// (the types live in socket-types.ts, shared with socket-owners-bpf.ts.)
//
// The table parsers are src/collectors/procfs/net-sockets.ts (one pass over
// the text with no syscalls per socket; addresses decoded with the host's
// endianness; unix socket paths sanitized).
import * as fs from 'node:fs';
import { sanitize } from '../util/text.js';
import { readSocketOwnersBpf } from './socket-owners-bpf.js';
import { parseInetSockets, parseUnixSockets } from './procfs/net-sockets.js';
import { socketInode } from './procfs/pid-fd.js';
import { readPidComm } from './names.js';
import type { PidSocket, SocketOwner, SocketProto, SocketSample } from './socket-types.js';

export type { PidSocket, SocketOwner, SocketProto, SocketSample } from './socket-types.js';
export { decodeIPv4Hex, decodeIPv6Hex, formatIPv6, parseInetSockets, parseUnixSockets, tcpStateName } from './procfs/net-sockets.js';
export const SOCKET_PROTOS: readonly SocketProto[] = ['tcp', 'tcp6', 'udp', 'udp6', 'unix'];

function readText(path: string): string | undefined {
  try {
    return fs.readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
}

/** Unix paths are bytes in any encoding: decode as UTF-8 (invalid bytes show as U+FFFD). */
function readUnixText(path: string): string | undefined {
  try {
    return fs.readFileSync(path).toString('utf8');
  } catch {
    return undefined;
  }
}

/** Read the socket tables of ostop's network namespace, or of `pid`'s namespace. */
export function readSockets(opts: { protos?: readonly SocketProto[]; procRoot?: string; pid?: number } = {}): SocketSample[] {
  const root = opts.procRoot ?? '/proc';
  const dir = opts.pid !== undefined ? `${root}/${opts.pid}/net` : `${root}/net`;
  const protos = opts.protos ?? SOCKET_PROTOS;
  const out: SocketSample[] = [];
  for (const p of protos) {
    if (p === 'unix') {
      const t = readUnixText(`${dir}/unix`);
      if (t !== undefined) parseUnixSockets(t, out);
    } else {
      const t = readText(`${dir}/${p}`);
      if (t !== undefined) parseInetSockets(t, p, out);
    }
  }
  return out;
}

/** Socket inode -> fd for one process (one readdir + one readlink per fd of that process). */
export function readPidSocketInodes(pid: number, procRoot = '/proc'): Map<number, number> {
  const res = new Map<number, number>();
  eachSocketFd(procRoot, pid, (ino, fd) => {
    if (!res.has(ino)) res.set(ino, fd);
  });
  return res;
}

/**
 * Call fn(inode, fd) for every socket fd of one process: one readdir of
 * /proc/PID/fd and one readlink per fd. Fds that vanish are skipped; a
 * process that is gone (or not ours without root) has none.
 */
function eachSocketFd(procRoot: string, pid: number, fn: (ino: number, fd: number) => void): void {
  const dir = `${procRoot}/${pid}/fd`;
  let fds: string[];
  try {
    fds = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const fd of fds) {
    let link: string;
    try {
      link = fs.readlinkSync(`${dir}/${fd}`);
    } catch {
      continue;
    }
    const ino = socketInode(link);
    if (ino >= 0) fn(ino, Number(fd));
  }
}

function readComm(procRoot: string, pid: number): string {
  const c = readPidComm(pid, procRoot);
  return c === undefined ? '?' : sanitize(c);
}

/**
 * inode -> owner for every socket fd of every process we may look at.
 * `inodes`, when given, limits which sockets are recorded (the scan itself
 * still readlinks every fd: there is no cheaper way through /proc).
 */
export function readSocketOwners(opts: { procRoot?: string; inodes?: Set<number>; bpf?: boolean } = {}): Map<number, SocketOwner> {
  const root = opts.procRoot ?? '/proc';
  // As root, one BPF iterator read gives every process's socket fds; /proc
  // is then scanned only for processes the iterator did not see.
  const fromBpf = opts.bpf !== false && root === '/proc' ? readSocketOwnersBpf(opts.inodes) : undefined;
  const owners = fromBpf?.owners ?? new Map<number, SocketOwner>();
  let entries: string[];
  try {
    entries = fs.readdirSync(root);
  } catch {
    return owners;
  }
  const pids: number[] = [];
  for (const e of entries) {
    const c = e.charCodeAt(0);
    if (c >= 48 && c <= 57) {
      const pid = Number(e);
      if (!fromBpf?.seen.has(pid)) pids.push(pid);
    }
  }
  pids.sort((a, b) => a - b);
  const comms = new Map<number, string>();
  const commOf = (pid: number) => {
    let comm = comms.get(pid);
    if (comm === undefined) {
      comm = readComm(root, pid);
      comms.set(pid, comm);
    }
    return comm;
  };
  for (const pid of pids) {
    eachSocketFd(root, pid, (ino, fd) => {
      if (opts.inodes && !opts.inodes.has(ino)) return;
      const prev = owners.get(ino);
      if (prev) {
        if (prev.pid !== pid) {
          prev.sharedBy++;
          // (only after an iterator read: the lowest pid owns it, as in a scan in pid order)
          if (pid < prev.pid) Object.assign(prev, { pid, fd, comm: commOf(pid) });
        }
        return;
      }
      owners.set(ino, { pid, comm: commOf(pid), fd, sharedBy: 1 });
    });
  }
  return owners;
}

/** The sockets of one process: its fd inodes joined with /proc/<pid>/net/* (its own namespace). */
export function readPidSockets(pid: number, opts: { protos?: readonly SocketProto[]; procRoot?: string } = {}): PidSocket[] {
  const root = opts.procRoot ?? '/proc';
  const inodes = readPidSocketInodes(pid, root);
  if (inodes.size === 0) return [];
  const all = readSockets({ protos: opts.protos, procRoot: root, pid });
  const out: PidSocket[] = [];
  for (const s of all) {
    const fd = inodes.get(s.inode);
    if (fd !== undefined) out.push({ ...s, fd });
  }
  return out;
}
