// /proc/PID/stat (and /proc/PID/task/TID/stat): one parser for the process
// table, the BPF task path's checks, the drill-in and the failures view.
// comm is taken between the FIRST '(' and the LAST ')' because a comm may
// itself contain ')', spaces or newlines; it stays raw here (sanitized where
// it is displayed). Never throws: a malformed line is undefined.

/** USER_HZ: the unit of utime, stime and starttime (100 on every mainstream Linux architecture). */
export const CLK_TCK = 100;
/** task->flags: a kernel thread. */
export const PF_KTHREAD = 0x00200000;
/** task->flags bit set from the start of do_exit(): the task is tearing down (files, mm, cwd go next). */
export const PF_EXITING = 0x00000004;

export interface StatFields {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  ttyNr: number;
  flags: number;
  minflt: number;
  majflt: number;
  utime: number;
  stime: number;
  priority: number;
  nice: number;
  numThreads: number;
  starttime: number;
  vsize: number;
  rssPages: number;
  processor: number;
}

export function parseStat(text: string): StatFields | undefined {
  const b = Buffer.from(text, 'utf8');
  return parseStatBytes(b, b.length);
}

// Field values after "pid (comm) ", by 0-based index (0 = state), for the fields kept.
const F_PPID = 1, F_PGRP = 2, F_SESSION = 3, F_TTY = 4, F_FLAGS = 6, F_MINFLT = 7, F_MAJFLT = 9, F_UTIME = 11,
  F_STIME = 12, F_PRIO = 15, F_NICE = 16, F_THREADS = 17, F_START = 19, F_VSIZE = 20, F_RSS = 21, F_CPU = 36;
const scratch = new Float64Array(40);

/**
 * Parse /proc/PID/stat straight from bytes: no split, no per-field strings
 * (this runs for every task on every tick). Only comm becomes a string.
 * Numbers are decimal integers, possibly negative; a malformed field is 0.
 */
export function parseStatBytes(b: Uint8Array, len: number): StatFields | undefined {
  let open = -1;
  for (let i = 0; i < len; i++) if (b[i] === 0x28) { open = i; break; }
  let close = -1;
  for (let i = len - 1; i > open; i--) if (b[i] === 0x29) { close = i; break; }
  if (open <= 0 || close < 0) return undefined;
  let pid = 0;
  for (let i = 0; i < open; i++) {
    const c = b[i];
    if (c === 0x20) continue;
    if (c < 0x30 || c > 0x39) return undefined;
    pid = pid * 10 + (c - 0x30);
  }
  let i = close + 2;
  if (i >= len) return undefined;
  const state = String.fromCharCode(b[i]);
  let field = 0;
  // skip the state field
  while (i < len && b[i] !== 0x20) i++;
  scratch.fill(0);
  while (i < len && field < 39) {
    i++; // the space
    field++;
    let neg = false;
    let v = 0;
    if (b[i] === 0x2d) { neg = true; i++; }
    while (i < len) {
      const c = b[i];
      if (c < 0x30 || c > 0x39) break;
      v = v * 10 + (c - 0x30);
      i++;
    }
    while (i < len && b[i] !== 0x20 && b[i] !== 0x0a) i++; // junk in a field: ignore the rest of it
    scratch[field] = neg ? -v : v;
    if (b[i] === 0x0a) break;
  }
  if (field < 21) return undefined;
  return {
    pid,
    comm: Buffer.from(b.buffer, b.byteOffset + open + 1, close - open - 1).toString('utf8'),
    state,
    ppid: scratch[F_PPID],
    pgrp: scratch[F_PGRP],
    session: scratch[F_SESSION],
    ttyNr: scratch[F_TTY],
    flags: scratch[F_FLAGS],
    minflt: scratch[F_MINFLT],
    majflt: scratch[F_MAJFLT],
    utime: scratch[F_UTIME],
    stime: scratch[F_STIME],
    priority: scratch[F_PRIO],
    nice: scratch[F_NICE],
    numThreads: scratch[F_THREADS],
    starttime: scratch[F_START],
    vsize: scratch[F_VSIZE],
    rssPages: scratch[F_RSS],
    processor: field > F_CPU ? scratch[F_CPU] : 0,
  };
}

/** Process-wide facts at the end of /proc/PID/stat that parseStat does not keep. */
export interface StatTail {
  /**
   * Field 52, exit_code (Linux 3.5+): the wait(2) status of a zombie
   * ((code << 8) | 0x80 if core dumped | signal); 0 while it runs, and 0
   * when the reader may not ptrace it. Undefined when the line is short or
   * the field is not a number.
   */
  exitCode?: number;
  /** Fields 16 and 17: CPU ticks of the children this process has waited for (undefined when not numbers). */
  cutime?: number;
  cstime?: number;
}

/** Read the fields parseStat leaves out (split after the last ')', as comm may hold anything). */
export function parseStatTail(text: string): StatTail {
  const close = text.lastIndexOf(')');
  if (close < 0) return {};
  const f = text.slice(close + 2).trim().split(/\s+/);
  const out: StatTail = {};
  const raw = f[49];
  if (raw !== undefined && /^\d+$/.test(raw) && Number(raw) <= 0xffff) out.exitCode = Number(raw);
  if (/^\d+$/.test(f[13] ?? '')) out.cutime = Number(f[13]);
  if (/^\d+$/.test(f[14] ?? '')) out.cstime = Number(f[14]);
  return out;
}

export const STATE_NAMES: Record<string, string> = {
  R: 'running', S: 'sleeping', D: 'disk sleep', Z: 'zombie', T: 'stopped', t: 'tracing stop',
  X: 'dead', x: 'dead', K: 'wakekill', W: 'waking', P: 'parked', I: 'idle',
};

/** tty_nr (major<<8 | minor, with high minor bits above bit 20) to a name like pts/3. */
export function ttyName(ttyNr: number): string {
  if (!ttyNr) return '?';
  const major = (ttyNr >> 8) & 0xfff;
  const minor = (ttyNr & 0xff) | ((ttyNr >> 12) & 0xfff00);
  if (major >= 136 && major <= 143) return `pts/${minor + (major - 136) * 256}`;
  if (major === 4) return minor < 64 ? `tty${minor}` : `ttyS${minor - 64}`;
  if (major === 5 && minor === 1) return 'console';
  return `${major}:${minor}`;
}
