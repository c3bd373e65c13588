// /proc/PID/fd/N link targets and /proc/PID/fdinfo/N: the drill-in's fd table.

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

/**
 * The inode of a "socket:[12345]" link target, -1 for any other target.
 * Cheap (no regex): the socket owner scan runs it on every fd of the system.
 */
export function socketInode(target: string): number {
  if (target.length < 10 || !target.startsWith('socket:[') || target.charCodeAt(target.length - 1) !== 0x5d) return -1;
  const digits = target.slice(8, -1);
  return /^\d+$/.test(digits) ? Number(digits) : -1;
}

/** Classify one /proc/PID/fd/N symlink target. */
export function classifyFdTarget(target: string): FdTarget {
  const ino = socketInode(target);
  if (ino >= 0) return { kind: 'socket', target, inode: ino };
  let m = /^pipe:\[(\d+)\]$/.exec(target);
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
