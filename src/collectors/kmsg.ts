// The kernel log, read from /dev/kmsg: a pure record parser and a
// non-blocking reader.
//
// Format (Documentation/ABI/testing/dev-kmsg): one record per read(),
//   "prio,seq,usec,flags[,key=val...];message\n"
// followed by zero or more dictionary lines " KEY=value\n". prio is
// facility<<3 | level; usec is the printk timestamp in microseconds on the
// monotonic clock; flags '-' (complete), 'c' (continuation) or '+'. Message
// and dictionary bytes that are not printable are written as \xNN (a
// backslash itself as \x5c), so a record is always one line of ASCII-safe
// text plus its dictionary.
//
// Invariants: the reader never blocks the event loop (O_NONBLOCK, fs.read
// until EAGAIN); EPIPE (records overwritten before we read them) is counted
// and reading continues from the oldest record still held, so the reader
// never loses its place or stops. Messages keep their raw (unescaped)
// bytes decoded as UTF-8: they are untrusted and must go through
// sanitize() before reaching a terminal.
import * as fs from 'node:fs';
import { decodeBytes } from '../util/text.js';

export const KMSG_LEVELS = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;
export type KmsgLevelName = (typeof KMSG_LEVELS)[number];

export const KMSG_FACILITIES = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp',
  'res12', 'res13', 'res14', 'res15', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
] as const;

export interface KmsgRecord {
  /** 0 (emerg) .. 7 (debug). */
  level: number;
  /** 0 = kern, 1 = user, ... (syslog facility number). */
  facility: number;
  seq: number;
  /** Microseconds since boot on the printk clock (CLOCK_MONOTONIC-like). */
  usec: number;
  /** '-' complete record, 'c' continuation, '+' fragment. */
  flags: string;
  /** Extra prefix fields such as caller=T123 (CONFIG_PRINTK_CALLER). */
  prefix: Record<string, string>;
  /** Unescaped message, decoded as UTF-8; untrusted (sanitize before display). */
  message: string;
  /** Dictionary (continuation) lines: SUBSYSTEM=, DEVICE=... */
  dict: Record<string, string>;
}

export function levelName(level: number): string {
  return KMSG_LEVELS[level] ?? String(level);
}

export function facilityName(fac: number): string {
  return KMSG_FACILITIES[fac] ?? String(fac);
}

/** Parse a level given as a name (err, warning, warn, error...) or a number 0-7. Returns undefined when unknown. */
export function parseLevel(s: string): number | undefined {
  const t = s.trim().toLowerCase();
  if (/^[0-7]$/.test(t)) return Number(t);
  const alias: Record<string, string> = { error: 'err', warn: 'warning', panic: 'emerg', critical: 'crit' };
  const i = KMSG_LEVELS.indexOf((alias[t] ?? t) as KmsgLevelName);
  return i >= 0 ? i : undefined;
}

export function parseFacility(s: string): number | undefined {
  const t = s.trim().toLowerCase();
  if (/^\d+$/.test(t) && Number(t) < KMSG_FACILITIES.length) return Number(t);
  const i = KMSG_FACILITIES.indexOf(t as (typeof KMSG_FACILITIES)[number]);
  return i >= 0 ? i : undefined;
}

const HEX = /\\x([0-9a-fA-F]{2})/g;

/** Undo /dev/kmsg's \xNN escaping and decode the bytes as UTF-8 (invalid bytes become U+FFFD). */
export function unescapeKmsg(s: string): string {
  if (!s.includes('\\x')) return s;
  const bytes: number[] = [];
  let last = 0;
  HEX.lastIndex = 0;
  for (let m = HEX.exec(s); m; m = HEX.exec(s)) {
    for (const b of Buffer.from(s.slice(last, m.index), 'latin1')) bytes.push(b);
    bytes.push(parseInt(m[1], 16));
    last = m.index + m[0].length;
  }
  for (const b of Buffer.from(s.slice(last), 'latin1')) bytes.push(b);
  return decodeBytes(Uint8Array.from(bytes));
}

/** Parse one record as returned by one read() of /dev/kmsg. Returns null for text that is not a record. */
export function parseKmsgRecord(raw: string | Uint8Array): KmsgRecord | null {
  // The record itself is ASCII (non-printables are escaped); latin1 keeps any stray byte 1:1 for unescapeKmsg.
  const text = typeof raw === 'string' ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1');
  const semi = text.indexOf(';');
  if (semi < 0) return null;
  const head = text.slice(0, semi).split(',');
  if (head.length < 4) return null;
  const [p, s, u, flags] = head;
  if (!/^\d+$/.test(p) || !/^\d+$/.test(s) || !/^\d+$/.test(u)) return null;
  const prio = Number(p);
  const prefix: Record<string, string> = {};
  for (const kv of head.slice(4)) {
    const eq = kv.indexOf('=');
    if (eq > 0) prefix[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  const body = text.slice(semi + 1);
  const lines = body.split('\n');
  const message = unescapeKmsg(lines[0]);
  const dict: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    if (!line.startsWith(' ')) continue;
    const eq = line.indexOf('=');
    if (eq < 2) continue;
    dict[line.slice(1, eq)] = unescapeKmsg(line.slice(eq + 1));
  }
  return { level: prio & 7, facility: prio >> 3, seq: Number(s), usec: Number(u), flags, prefix, message, dict };
}

export interface KmsgReadResult {
  records: KmsgRecord[];
  /** Times read() returned EPIPE in this drain (records overwritten before we read them). */
  overwritten: number;
  /** Records lost, counted from the gaps in sequence numbers. */
  lost: number;
}

/** Record size limit: the kernel's per-record buffer is below 8 KiB including the dictionary. */
const RECORD_BUF = 16384;

function readOnce(fd: number, buf: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.read(fd, buf, 0, buf.length, null, (err, n) => (err ? reject(err) : resolve(n)));
  });
}

/** The three system calls the reader uses; tests replace them to replay EPIPE/EAGAIN sequences. */
export interface KmsgIo {
  open(path: string): number;
  read(fd: number, buf: Buffer): Promise<number>;
  close(fd: number): void;
}

const realIo: KmsgIo = {
  open: (path) => fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK),
  read: readOnce,
  close: (fd) => fs.closeSync(fd),
};

/**
 * Follows /dev/kmsg without blocking. The first drain returns the backlog
 * since boot (what the ring still holds), later ones only new records.
 */
export class KmsgReader {
  private fd: number | undefined;
  private buf = Buffer.allocUnsafe(RECORD_BUF);
  private draining: Promise<KmsgReadResult> | undefined;
  /** Next sequence number expected; a jump means records were lost. */
  private nextSeq: number | undefined;
  totalOverwritten = 0;
  totalLost = 0;
  totalRecords = 0;
  readonly path: string;

  private io: KmsgIo;

  constructor(path = '/dev/kmsg', io: KmsgIo = realIo) {
    this.path = path;
    this.io = io;
  }

  /** Opens the device; throws (EACCES/EPERM/ENOENT) so callers can say why the log is unavailable. */
  open(): void {
    if (this.fd !== undefined) return;
    this.fd = this.io.open(this.path);
  }

  get isOpen(): boolean {
    return this.fd !== undefined;
  }

  /**
   * Read every record available now, up to `max`. Concurrent calls share one
   * drain. Never blocks: stops at EAGAIN (or end of file for plain files).
   */
  drain(max = 100000): Promise<KmsgReadResult> {
    if (!this.draining) {
      this.draining = this.doDrain(max).finally(() => { this.draining = undefined; });
    }
    return this.draining;
  }

  private async doDrain(max: number): Promise<KmsgReadResult> {
    this.open();
    const fd = this.fd!;
    const out: KmsgReadResult = { records: [], overwritten: 0, lost: 0 };
    while (out.records.length < max) {
      let n: number;
      try {
        n = await this.io.read(fd, this.buf);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK') break;
        if (code === 'EPIPE') {
          // The ring wrapped past our position: the kernel moved us to the oldest record still held.
          out.overwritten++;
          continue;
        }
        if (code === 'EINTR') continue;
        throw e;
      }
      if (n === 0) break;
      const rec = parseKmsgRecord(this.buf.subarray(0, n));
      if (!rec) continue;
      if (this.nextSeq !== undefined && rec.seq > this.nextSeq) out.lost += rec.seq - this.nextSeq;
      this.nextSeq = rec.seq + 1;
      out.records.push(rec);
    }
    this.totalOverwritten += out.overwritten;
    this.totalLost += out.lost;
    this.totalRecords += out.records.length;
    return out;
  }

  close(): void {
    if (this.fd !== undefined) {
      try { this.io.close(this.fd); } catch { /* already closed */ }
      this.fd = undefined;
    }
  }
}

/** Microseconds on CLOCK_MONOTONIC now: the clock printk and bpf_ktime_get_ns() use. */
export function monotonicUsec(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** Wall-clock milliseconds for a monotonic microsecond timestamp (printk or eBPF). */
export function monoUsecToWallMs(usec: number, nowWallMs = Date.now(), nowMonoUsec = monotonicUsec()): number {
  return nowWallMs - (nowMonoUsec - usec) / 1000;
}
