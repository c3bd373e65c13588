// The kernel log, read from /dev/kmsg: a non-blocking reader over the one
// record parser (kmsg-record.ts, where the format is described).
//
// Invariants: the reader never blocks the event loop (O_NONBLOCK, fs.read
// until EAGAIN); EPIPE (records overwritten before we read them) is counted
// and reading continues from the oldest record still held, so the reader
// never loses its place or stops. Records are untrusted (see kmsg-record.ts).
import * as fs from 'node:fs';
import { parseKmsgRecord, type KmsgRecord } from './kmsg-record.js';

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
