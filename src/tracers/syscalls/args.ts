// strace-like rendering of syscall arguments and return values (x86_64).
// Pure functions over decoded numbers and the captured blob; the untrusted
// strings they return (paths, data) are escaped here like strace does and
// sanitized again by the output layer. Unknown syscalls show their first
// three arguments in hex. Argument kinds only cover the common calls; add a
// signature to SIGS to decode more.
import { ERRNO_NAMES, SYSCALL_NAMES } from './names.js';

export function syscallName(nr: number): string {
  return (nr >= 0 && SYSCALL_NAMES[nr]) || `syscall_${nr}`;
}

export function errnoNameOf(e: number): string {
  return ERRNO_NAMES[e] || `E${e}`;
}

type Kind =
  | 'fd' | 'dirfd' | 'path' | 'buf' | 'rbuf' | 'size' | 'int' | 'long' | 'uint' | 'hex' | 'ptr' | 'oflags' | 'mode'
  | 'amode' | 'atflags' | 'prot' | 'mflags' | 'sig' | 'whence' | 'sockaddr' | 'socklen' | 'af' | 'socktype' | 'clock';

const SIGS: Record<string, Kind[]> = {
  read: ['fd', 'rbuf', 'size'], write: ['fd', 'buf', 'size'], pread64: ['fd', 'rbuf', 'size', 'long'], pwrite64: ['fd', 'buf', 'size', 'long'],
  open: ['path', 'oflags', 'mode'], openat: ['dirfd', 'path', 'oflags', 'mode'], openat2: ['dirfd', 'path', 'ptr', 'size'], creat: ['path', 'mode'],
  close: ['fd'], stat: ['path', 'ptr'], lstat: ['path', 'ptr'], fstat: ['fd', 'ptr'], newfstatat: ['dirfd', 'path', 'ptr', 'atflags'],
  statx: ['dirfd', 'path', 'atflags', 'hex', 'ptr'], access: ['path', 'amode'], faccessat: ['dirfd', 'path', 'amode'],
  faccessat2: ['dirfd', 'path', 'amode', 'atflags'], execve: ['path', 'ptr', 'ptr'], execveat: ['dirfd', 'path', 'ptr', 'ptr', 'atflags'],
  unlink: ['path'], unlinkat: ['dirfd', 'path', 'atflags'], mkdir: ['path', 'mode'], mkdirat: ['dirfd', 'path', 'mode'], rmdir: ['path'],
  chdir: ['path'], fchdir: ['fd'], rename: ['path', 'ptr'], renameat: ['dirfd', 'path', 'dirfd', 'ptr'], renameat2: ['dirfd', 'path', 'dirfd', 'ptr', 'hex'],
  readlink: ['path', 'ptr', 'size'], readlinkat: ['dirfd', 'path', 'ptr', 'size'], chmod: ['path', 'mode'], fchmodat: ['dirfd', 'path', 'mode'],
  chown: ['path', 'int', 'int'], lchown: ['path', 'int', 'int'], fchownat: ['dirfd', 'path', 'int', 'int', 'atflags'], truncate: ['path', 'long'],
  ftruncate: ['fd', 'long'], link: ['path', 'ptr'], symlink: ['path', 'ptr'], linkat: ['dirfd', 'path', 'dirfd', 'ptr', 'atflags'], symlinkat: ['path', 'dirfd', 'ptr'],
  statfs: ['path', 'ptr'], fstatfs: ['fd', 'ptr'], utimensat: ['dirfd', 'path', 'ptr', 'atflags'], chroot: ['path'],
  lseek: ['fd', 'long', 'whence'], dup: ['fd'], dup2: ['fd', 'fd'], dup3: ['fd', 'fd', 'oflags'], fsync: ['fd'], fdatasync: ['fd'],
  mmap: ['ptr', 'size', 'prot', 'mflags', 'fd', 'hex'], munmap: ['ptr', 'size'], mprotect: ['ptr', 'size', 'prot'], brk: ['ptr'],
  readv: ['fd', 'ptr', 'int'], writev: ['fd', 'ptr', 'int'], ioctl: ['fd', 'hex', 'hex'], fcntl: ['fd', 'int', 'hex'],
  socket: ['af', 'socktype', 'int'], connect: ['fd', 'sockaddr', 'socklen'], bind: ['fd', 'sockaddr', 'socklen'], listen: ['fd', 'int'],
  accept: ['fd', 'ptr', 'ptr'], accept4: ['fd', 'ptr', 'ptr', 'hex'], sendto: ['fd', 'buf', 'size', 'hex', 'ptr', 'socklen'],
  recvfrom: ['fd', 'rbuf', 'size', 'hex', 'ptr', 'ptr'], sendmsg: ['fd', 'ptr', 'hex'], recvmsg: ['fd', 'ptr', 'hex'], shutdown: ['fd', 'int'],
  getpid: [], getppid: [], gettid: [], getuid: [], geteuid: [], getgid: [], getegid: [], sched_yield: [], sync: [], pause: [],
  exit: ['int'], exit_group: ['int'], kill: ['int', 'sig'], tgkill: ['int', 'int', 'sig'], tkill: ['int', 'sig'],
  rt_sigaction: ['sig', 'ptr', 'ptr', 'size'], rt_sigprocmask: ['int', 'ptr', 'ptr', 'size'], rt_sigreturn: [],
  pipe: ['ptr'], pipe2: ['ptr', 'oflags'], poll: ['ptr', 'uint', 'int'], ppoll: ['ptr', 'uint', 'ptr', 'ptr', 'size'],
  epoll_wait: ['fd', 'ptr', 'int', 'int'], epoll_pwait: ['fd', 'ptr', 'int', 'int', 'ptr', 'size'], epoll_ctl: ['fd', 'int', 'fd', 'ptr'],
  nanosleep: ['ptr', 'ptr'], clock_nanosleep: ['clock', 'hex', 'ptr', 'ptr'], clock_gettime: ['clock', 'ptr'],
  futex: ['ptr', 'hex', 'int', 'ptr', 'ptr', 'int'], wait4: ['int', 'ptr', 'hex', 'ptr'], clone: ['hex', 'ptr', 'ptr', 'ptr', 'hex'],
  clone3: ['ptr', 'size'], vfork: [], fork: [], getdents64: ['fd', 'ptr', 'size'], getrandom: ['ptr', 'size', 'hex'],
  prctl: ['int', 'hex', 'hex', 'hex', 'hex'], arch_prctl: ['hex', 'hex'], set_tid_address: ['ptr'], set_robust_list: ['ptr', 'size'],
  rseq: ['ptr', 'uint', 'hex', 'hex'], prlimit64: ['int', 'int', 'ptr', 'ptr'], uname: ['ptr'], sysinfo: ['ptr'],
  memfd_create: ['path', 'hex'], eventfd2: ['uint', 'hex'], inotify_add_watch: ['fd', 'path', 'hex'], mount: ['ptr', 'path', 'ptr', 'hex', 'ptr'],
  umount2: ['path', 'hex'], swapon: ['path', 'hex'],
};

/** Arguments a syscall has, by name (undefined = unknown signature). */
export function syscallSignature(name: string): readonly string[] | undefined {
  return SIGS[name];
}

function flagsToString(v: number, table: readonly [number, string][], rest = true): string {
  const out: string[] = [];
  let left = v;
  for (const [bit, name] of table) {
    if (bit && (left & bit) === bit) {
      out.push(name);
      left &= ~bit;
    }
  }
  if (left && rest) out.push('0x' + (left >>> 0).toString(16));
  return out.join('|');
}

const O_FLAGS: [number, string][] = [
  [0o100, 'O_CREAT'], [0o200, 'O_EXCL'], [0o400, 'O_NOCTTY'], [0o1000, 'O_TRUNC'], [0o2000, 'O_APPEND'], [0o4000, 'O_NONBLOCK'],
  [0o4010000, 'O_SYNC'], [0o10000, 'O_DSYNC'], [0o20000, 'O_ASYNC'], [0o40000, 'O_DIRECT'], [0o100000, 'O_LARGEFILE'],
  [0o20200000, 'O_TMPFILE'], [0o200000, 'O_DIRECTORY'], [0o400000, 'O_NOFOLLOW'], [0o1000000, 'O_NOATIME'], [0o2000000, 'O_CLOEXEC'],
  [0o10000000, 'O_PATH'],
];
/** open(2) flags as strace prints them: O_RDONLY|O_CLOEXEC. */
export function openFlags(v: number): string {
  const acc = ['O_RDONLY', 'O_WRONLY', 'O_RDWR', 'O_ACCMODE'][v & 3];
  const rest = flagsToString(v & ~3, O_FLAGS);
  // O_PATH ignores the access mode; strace still prints it first.
  return rest ? `${acc}|${rest}` : acc;
}

const AT_FLAGS: [number, string][] = [
  [0x100, 'AT_SYMLINK_NOFOLLOW'], [0x200, 'AT_REMOVEDIR'], [0x400, 'AT_SYMLINK_FOLLOW'], [0x800, 'AT_NO_AUTOMOUNT'], [0x1000, 'AT_EMPTY_PATH'],
];
const PROT: [number, string][] = [[1, 'PROT_READ'], [2, 'PROT_WRITE'], [4, 'PROT_EXEC']];
const MAP: [number, string][] = [
  [0x01, 'MAP_SHARED'], [0x02, 'MAP_PRIVATE'], [0x03, 'MAP_SHARED_VALIDATE'], [0x10, 'MAP_FIXED'], [0x20, 'MAP_ANONYMOUS'],
  [0x100, 'MAP_GROWSDOWN'], [0x800, 'MAP_DENYWRITE'], [0x1000, 'MAP_EXECUTABLE'], [0x2000, 'MAP_LOCKED'], [0x4000, 'MAP_NORESERVE'],
  [0x8000, 'MAP_POPULATE'], [0x10000, 'MAP_NONBLOCK'], [0x20000, 'MAP_STACK'], [0x40000, 'MAP_HUGETLB'], [0x100000, 'MAP_FIXED_NOREPLACE'],
];
const SIGNAMES = ['0', 'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGKILL', 'SIGUSR1', 'SIGSEGV',
  'SIGUSR2', 'SIGPIPE', 'SIGALRM', 'SIGTERM', 'SIGSTKFLT', 'SIGCHLD', 'SIGCONT', 'SIGSTOP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGURG',
  'SIGXCPU', 'SIGXFSZ', 'SIGVTALRM', 'SIGPROF', 'SIGWINCH', 'SIGIO', 'SIGPWR', 'SIGSYS'];
const AF: Record<number, string> = { 0: 'AF_UNSPEC', 1: 'AF_UNIX', 2: 'AF_INET', 10: 'AF_INET6', 16: 'AF_NETLINK', 17: 'AF_PACKET' };
const SOCK: Record<number, string> = { 1: 'SOCK_STREAM', 2: 'SOCK_DGRAM', 3: 'SOCK_RAW', 5: 'SOCK_SEQPACKET' };
const CLOCKS = ['CLOCK_REALTIME', 'CLOCK_MONOTONIC', 'CLOCK_PROCESS_CPUTIME_ID', 'CLOCK_THREAD_CPUTIME_ID', 'CLOCK_MONOTONIC_RAW',
  'CLOCK_REALTIME_COARSE', 'CLOCK_MONOTONIC_COARSE', 'CLOCK_BOOTTIME'];

/** Low 32 bits as a signed int (how the kernel reads int arguments). */
const i32 = (v: number) => (v % 4294967296) | 0;
const hex = (v: number) => (v < 0 ? '-0x' + (-v).toString(16) : '0x' + v.toString(16));

/** C-style escaped, quoted string like strace: "abc\n\x01"... */
export function quoteBytes(b: Uint8Array, truncated: boolean): string {
  let s = '"';
  for (const c of b) {
    if (c === 0x22) s += '\\"';
    else if (c === 0x5c) s += '\\\\';
    else if (c === 0x0a) s += '\\n';
    else if (c === 0x09) s += '\\t';
    else if (c === 0x0d) s += '\\r';
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += '\\x' + c.toString(16).padStart(2, '0');
  }
  return s + '"' + (truncated ? '...' : '');
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Path blob as strace prints it (UTF-8 kept, control bytes escaped). */
export function quotePath(b: Uint8Array, truncated: boolean): string {
  const t = utf8.decode(b);
  // eslint-disable-next-line no-control-regex
  const esc = t.replace(/[\\"\x00-\x1f\x7f-\x9f]/g, (c) => (c === '\\' ? '\\\\' : c === '"' ? '\\"' : '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0')));
  return '"' + esc + '"' + (truncated ? '...' : '');
}

/** struct sockaddr -> {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("1.2.3.4")}. */
export function formatSockaddr(b: Uint8Array): string {
  if (b.length < 2) return '{...}';
  const fam = b[0] | (b[1] << 8);
  const famName = AF[fam] ?? String(fam);
  if (fam === 2 && b.length >= 8) {
    const port = (b[2] << 8) | b[3];
    return `{sa_family=AF_INET, sin_port=htons(${port}), sin_addr=inet_addr("${b[4]}.${b[5]}.${b[6]}.${b[7]}")}`;
  }
  if (fam === 10 && b.length >= 24) {
    const port = (b[2] << 8) | b[3];
    const words: string[] = [];
    for (let i = 8; i < 24; i += 2) words.push(((b[i] << 8) | b[i + 1]).toString(16));
    return `{sa_family=AF_INET6, sin6_port=htons(${port}), sin6_addr="${words.join(':').replace(/\b(?:0:)+0\b/, ':').replace(/:{3,}/, '::')}"}`;
  }
  if (fam === 1) {
    let end = b.indexOf(0, 2);
    if (end < 0) end = b.length;
    return `{sa_family=AF_UNIX, sun_path=${quotePath(b.subarray(2, end), false)}}`;
  }
  return `{sa_family=${famName}, ...}`;
}

export interface ArgContext {
  name: string;
  args: readonly number[];
  ret: number;
  /** Captured user memory (path, data or sockaddr) and whether it was cut. */
  blob?: Uint8Array;
  blobTruncated?: boolean;
  blobFailed?: boolean;
}

function formatArg(kind: Kind, v: number, c: ArgContext): string {
  switch (kind) {
    case 'fd': return String(i32(v));
    case 'dirfd': return i32(v) === -100 ? 'AT_FDCWD' : String(i32(v));
    case 'path':
      if (c.blob && !c.blobFailed) return quotePath(c.blob, !!c.blobTruncated);
      return v ? hex(v) : 'NULL';
    case 'buf':
    case 'rbuf':
      if (kind === 'rbuf' && c.ret < 0) return hex(v);
      if (c.blob && !c.blobFailed) return quoteBytes(c.blob, !!c.blobTruncated);
      return hex(v);
    case 'sockaddr':
      if (c.blob && !c.blobFailed) return formatSockaddr(c.blob);
      return hex(v);
    case 'size': case 'uint': case 'socklen': return String(v);
    case 'int': return String(i32(v));
    case 'long': return String(v);
    case 'hex': return hex(v);
    case 'ptr': return v ? hex(v) : 'NULL';
    case 'oflags': return openFlags(v);
    case 'mode': return '0' + (v & 0o7777).toString(8);
    case 'amode': return v === 0 ? 'F_OK' : flagsToString(v, [[4, 'R_OK'], [2, 'W_OK'], [1, 'X_OK']]);
    case 'atflags': return v ? flagsToString(v, AT_FLAGS) : '0';
    case 'prot': return v ? flagsToString(v, PROT) : 'PROT_NONE';
    case 'mflags': return flagsToString(v, MAP) || '0';
    case 'sig': return SIGNAMES[i32(v)] ?? String(i32(v));
    case 'whence': return ['SEEK_SET', 'SEEK_CUR', 'SEEK_END', 'SEEK_DATA', 'SEEK_HOLE'][v] ?? String(v);
    case 'af': return AF[v] ?? String(v);
    case 'socktype': {
      const t = SOCK[v & 0xf] ?? String(v & 0xf);
      const f = flagsToString(v & ~0xf, [[0o4000, 'SOCK_NONBLOCK'], [0o2000000, 'SOCK_CLOEXEC']]);
      return f ? `${t}|${f}` : t;
    }
    case 'clock': return CLOCKS[v] ?? String(v);
  }
}

/** "openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC)" without the result. */
export function formatCall(c: ArgContext): string {
  const sig = SIGS[c.name];
  const kinds: Kind[] = sig ?? ['hex', 'hex', 'hex'];
  const parts = kinds.map((k, i) => formatArg(k, c.args[i] ?? 0, c));
  // open/openat: mode only matters with O_CREAT/O_TMPFILE
  if ((c.name === 'openat' || c.name === 'open') && parts.length) {
    const fl = c.args[c.name === 'openat' ? 2 : 1] ?? 0;
    if (!(fl & 0o100) && (fl & 0o20200000) !== 0o20200000) parts.pop();
  }
  return `${c.name}(${parts.join(', ')}${sig ? '' : ', ...'})`;
}

const HEX_RET = new Set(['mmap', 'brk', 'mremap', 'shmat']);

/** Return value like strace: "3", "-1 ENOENT", "0x7f..." for addresses, "?" for calls that do not return. */
export function formatRet(name: string, ret: number, noReturn = false): string {
  if (noReturn) return '?';
  if (ret < 0 && ret >= -4095) return `-1 ${errnoNameOf(-ret)}`;
  if (HEX_RET.has(name)) return hex(ret);
  return String(ret);
}
