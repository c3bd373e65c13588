// The on-disk store of `ostop record` (format: docs/store.md, version
// STORE_VERSION): plain-data ticks appended to one shard file per UTC day,
// each record checksummed, ticks delta-encoded against the previous one
// (src/store/delta.ts) and deflated with the previous tick's text as the
// dictionary, a keyframe every `keyEvery` ticks so a seek decodes at most
// that many records, and a side index (SHARD.idx, fixed-size entries) so a
// reader finds any time by binary search without reading the shard.
//
// The store knows nothing of what a tick holds beyond its `time` (epoch
// ms): src/model/recorded.ts says what ostop records. A tick may come with
// events (failures, exits, kernel-log lines: anything that happened since
// the last tick), stored in a record of their own that is never
// delta-encoded, so a reader lists them without decoding ticks.
//
// Safety (see docs/store.md):
//  - append-only: a record is written whole (header + payload) then
//    fdatasync'd; a crash or power loss mid-write leaves a torn last record,
//    which its length or CRC-32 gives away: readers skip it, the next writer
//    cuts it off before appending. The index is derived data: never
//    trusted past what the shard holds, rebuilt from the shard when short.
//  - ENOSPC (or any write error) truncates the half-written record away,
//    logs one line, and the next appends retry (one line again when
//    recording resumes); the first record after a failure is a keyframe.
//  - the directory is private (src/util/private-dir.ts: 0700, ours, not a
//    symlink, parent not writable by others); files are created
//    O_CREAT|O_EXCL|O_NOFOLLOW 0600 relative to the checked directory's
//    descriptor; an existing shard is opened O_NOFOLLOW and refused unless
//    it is a regular file of ours with one link.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { apply, diff, NO_CHANGE } from './delta.js';
import { ensurePrivateDir, privateDirProblem } from '../util/private-dir.js';

export const STORE_VERSION = 1;
export const FILE_MAGIC = 'OSTOPREC';
export const INDEX_MAGIC = 'OSTOPIDX';
/** Bytes of a shard's (and an index's) file header: magic, version u32, reserved u32. */
export const FILE_HEADER = 16;
/** Bytes of a record header. */
export const RECORD_HEADER = 32;
/** Bytes of an index entry. */
export const INDEX_ENTRY = 24;
/** 'REC1' little-endian. */
export const RECORD_MAGIC = 0x31434552;
/** Largest decompressed record accepted (a hostile file cannot make a reader allocate more). */
export const MAX_RAW = 256 * 1024 * 1024;

/** Record kinds: a session's meta data (JSON), a keyframe tick, a delta tick, the events that came with a tick. */
export const Kind = { Meta: 1, Key: 2, Delta: 3, Events: 4 } as const;
export type Kind = (typeof Kind)[keyof typeof Kind];
const F_DICT = 1;
/** The payload is brotli (keyframes, events, meta: quality 5), not raw deflate. */
const F_BROTLI = 2;

const SHARD_RE = /^(\d{4})-(\d{2})-(\d{2})\.ostop$/;
export const shardName = (dayMs: number): string => `${new Date(dayMs).toISOString().slice(0, 10)}.ostop`;
export const DAY_MS = 86_400_000;
const dayStart = (ms: number): number => Math.floor(ms / DAY_MS) * DAY_MS;

function euid(): number {
  return process.geteuid?.() ?? process.getuid?.() ?? 0;
}

/** A store that cannot be opened or used; the message is for a person. */
export class StoreError extends Error {}

// ---- records ----------------------------------------------------------------

interface RawRecord { kind: Kind; flags: number; time: number; offset: number; length: number; payload: Buffer; rawLen: number }

/**
 * A record: deltas are raw deflate with the previous tick's text as the
 * dictionary (Node's brotli takes no custom dictionary); everything else is
 * brotli at quality 5 (a keyframe of 1,000 processes: ~20% smaller than
 * deflate -9, in ~5 ms; quality 11 is 15% smaller again but 200x slower).
 */
function encodeRecord(kind: Kind, time: number, raw: Buffer, dict?: Buffer): Buffer {
  const useDict = kind === Kind.Delta && !!dict && dict.length > 0;
  const payload = kind === Kind.Delta
    ? zlib.deflateRawSync(raw, { level: 6, ...(useDict ? { dictionary: dict!.subarray(Math.max(0, dict!.length - 32768)) } : {}) })
    : zlib.brotliCompressSync(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length, [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT } });
  const b = Buffer.allocUnsafe(RECORD_HEADER + payload.length);
  b.writeUInt32LE(RECORD_MAGIC, 0);
  b.writeUInt8(kind, 4);
  b.writeUInt8((useDict ? F_DICT : 0) | (kind === Kind.Delta ? 0 : F_BROTLI), 5);
  b.writeUInt16LE(0, 6);
  b.writeUInt32LE(payload.length, 8);
  b.writeUInt32LE(raw.length, 12);
  b.writeDoubleLE(time, 16);
  b.writeUInt32LE(0, 24);
  payload.copy(b, RECORD_HEADER);
  b.writeUInt32LE(recordCrc(b, payload.length), 28);
  return b;
}

function recordCrc(b: Buffer, payloadLen: number, at = 0): number {
  let c = zlib.crc32(b.subarray(at, at + 28));
  c = zlib.crc32(b.subarray(at + RECORD_HEADER, at + RECORD_HEADER + payloadLen), c);
  return c;
}

/** The record at `offset` of `buf` (a shard's bytes from `base`), or why not. */
function parseRecordAt(buf: Buffer, at: number): RawRecord | 'short' | 'bad' {
  if (buf.length - at < RECORD_HEADER) return 'short';
  if (buf.readUInt32LE(at) !== RECORD_MAGIC) return 'bad';
  const kind = buf.readUInt8(at + 4) as Kind;
  const flags = buf.readUInt8(at + 5);
  const len = buf.readUInt32LE(at + 8);
  const rawLen = buf.readUInt32LE(at + 12);
  if (kind < Kind.Meta || kind > Kind.Events || rawLen > MAX_RAW) return 'bad';
  if (buf.length - at < RECORD_HEADER + len) return 'short';
  if (recordCrc(buf, len, at) !== buf.readUInt32LE(at + 28)) return 'bad';
  const time = buf.readDoubleLE(at + 16);
  if (!Number.isFinite(time)) return 'bad';
  return { kind, flags, time, offset: at, length: RECORD_HEADER + len, payload: buf.subarray(at + RECORD_HEADER, at + RECORD_HEADER + len), rawLen };
}

function inflate(r: Pick<RawRecord, 'payload' | 'flags' | 'rawLen'>, dict: Buffer | undefined): Buffer {
  if (r.flags & F_DICT && !dict) throw new Error('record needs the previous record as its dictionary');
  if (r.flags & F_BROTLI) {
    const out = zlib.brotliDecompressSync(r.payload, { maxOutputLength: Math.max(1, r.rawLen) });
    if (out.length !== r.rawLen) throw new Error('record length mismatch');
    return out;
  }
  const out = zlib.inflateRawSync(r.payload, { maxOutputLength: Math.max(1, r.rawLen), ...(r.flags & F_DICT ? { dictionary: dict!.subarray(Math.max(0, dict!.length - 32768)) } : {}) });
  if (out.length !== r.rawLen) throw new Error('record length mismatch');
  return out;
}

export interface IndexEntry {
  /** Epoch ms of the record (non-decreasing within a shard). */
  time: number;
  /** Byte offset of the record in its shard. */
  offset: number;
  /** Header + payload bytes. */
  length: number;
  kind: Kind;
}

function fileHeader(magic: string): Buffer {
  const b = Buffer.alloc(FILE_HEADER);
  b.write(magic, 0, 'latin1');
  b.writeUInt32LE(STORE_VERSION, 8);
  return b;
}

function checkFileHeader(b: Buffer, magic: string, what: string): void {
  if (b.length < FILE_HEADER || b.toString('latin1', 0, 8) !== magic) throw new StoreError(`${what}: not an ostop store file`);
  const v = b.readUInt32LE(8);
  if (v !== STORE_VERSION) throw new StoreError(`${what}: store format version ${v} (this ostop reads version ${STORE_VERSION})`);
}

/** Every valid record of a shard's bytes from `from` on; a bad stretch is skipped (resync on the next magic), a torn tail ends the scan. */
function scanRecords(buf: Buffer, from: number): { entries: IndexEntry[]; end: number; broken: number[] } {
  const entries: IndexEntry[] = [];
  const broken: number[] = [];
  let at = from;
  let end = from;
  while (at < buf.length) {
    const r = parseRecordAt(buf, at);
    if (r === 'short' && buf.length - at < RECORD_HEADER + 1) break;
    if (typeof r === 'string') {
      // Torn or corrupt: look for the next record that checks out.
      broken.push(at);
      let next = buf.indexOf(MAGIC_BYTES, at + 1);
      while (next >= 0 && typeof parseRecordAt(buf, next) === 'string') next = buf.indexOf(MAGIC_BYTES, next + 1);
      if (next < 0) break;
      at = next;
      continue;
    }
    entries.push({ time: r.time, offset: r.offset, length: r.length, kind: r.kind });
    at += r.length;
    end = at;
  }
  return { entries, end, broken };
}
const MAGIC_BYTES = (() => { const b = Buffer.alloc(4); b.writeUInt32LE(RECORD_MAGIC); return b; })();

function encodeIndexEntry(e: IndexEntry): Buffer {
  const b = Buffer.alloc(INDEX_ENTRY);
  b.writeDoubleLE(e.time, 0);
  b.writeDoubleLE(e.offset, 8);
  b.writeUInt32LE(e.length, 16);
  b.writeUInt8(e.kind, 20);
  return b;
}

function decodeIndex(b: Buffer): IndexEntry[] {
  const out: IndexEntry[] = [];
  for (let at = FILE_HEADER; at + INDEX_ENTRY <= b.length; at += INDEX_ENTRY) {
    out.push({ time: b.readDoubleLE(at), offset: b.readDoubleLE(at + 8), length: b.readUInt32LE(at + 16), kind: b.readUInt8(at + 20) as Kind });
  }
  return out;
}

/** The entries of an index file; none when it is missing or not an index (it is only a shortcut: the shard is scanned). */
function indexEntries(idx: Buffer | undefined): IndexEntry[] {
  if (!idx) return [];
  try {
    checkFileHeader(idx, INDEX_MAGIC, 'index');
    return decodeIndex(idx);
  } catch {
    return [];
  }
}

/**
 * The index of a shard: its .idx file where it agrees with the shard, then a
 * scan of what the shard holds past the last indexed record. Entries that
 * point past the shard's end or at something that is not a record are
 * dropped (and the scan starts where they were).
 */
function loadIndex(shard: Buffer, idx: Buffer | undefined): { entries: IndexEntry[]; end: number; indexed: number } {
  let entries = indexEntries(idx);
  // Keep the indexed entries whose records check out, CRC included (the writer, which appends after the
  // last good one); at the first that does not, the shard is scanned from there on.
  let good = 0;
  let end = FILE_HEADER;
  for (const e of entries) {
    if (e.offset !== end) break;
    const r = parseRecordAt(shard, e.offset);
    if (typeof r === 'string' || r.kind !== e.kind || r.length !== e.length) break;
    good++;
    end = e.offset + e.length;
  }
  entries = entries.slice(0, good);
  const indexed = good;
  const rest = scanRecords(shard, end);
  return { entries: entries.concat(rest.entries), end: rest.end, indexed };
}

// ---- writer -------------------------------------------------------------------

export interface StoreWriterOptions {
  dir: string;
  /** A keyframe every this many ticks (bounds a seek's work); default 60. */
  keyEvery?: number;
  /** Shards whose day ended longer ago than this are deleted (ms); default: kept. */
  retainMs?: number;
  /** The store's total size (shards and indexes) kept under this by deleting the oldest shards (bytes); default: no limit. */
  maxBytes?: number;
  /** Written into every session's meta record (host, interval, what the ticks hold...). */
  meta: Record<string, unknown>;
  /** One line per event a person should know of (disk full, resumed, trimmed); default: stderr. */
  log?: (line: string) => void;
  /** fdatasync after every tick (default true; tests of other things may turn it off). */
  sync?: boolean;
  uid?: number;
  /** Wall clock (ms) for retention (default Date.now). */
  now?: () => number;
}

export type AppendResult = 'ok' | 'failed' | 'paused';

interface OpenShard { name: string; day: number; fd: number; idxFd: number; size: number; idxSize: number }

/**
 * Appends ticks to a store directory. One writer per directory at a time
 * (the caller holds the lock: `ostop record` takes it with lockStore()).
 */
export class StoreWriter<T extends { time: number }, E = unknown> {
  private dirFd: number;
  private shard: OpenShard | undefined;
  /** The last tick written (the base of the next delta) and its text (the next record's dictionary). */
  private base: T | undefined;
  private baseText: Buffer | undefined;
  private sinceKey = 0;
  private lastTime = -Infinity;
  private failing: string | null = null;
  private lastTrim = 0;
  private pausedForSize = false;
  readonly dir: string;
  private readonly log: (line: string) => void;
  private readonly keyEvery: number;
  /** Bytes written (records, not counting index entries) since open. */
  bytesWritten = 0;
  ticksWritten = 0;

  constructor(private readonly opts: StoreWriterOptions) {
    const uid = opts.uid ?? euid();
    const dir = path.resolve(opts.dir);
    const r = ensurePrivateDir(dir, uid, 'the ostop store');
    if (!r.ok) throw new StoreError(r.error);
    this.dir = r.dir;
    const C = fs.constants;
    this.dirFd = fs.openSync(this.dir, C.O_RDONLY | C.O_DIRECTORY | C.O_NOFOLLOW);
    const p = privateDirProblem(fs.fstatSync(this.dirFd), uid);
    if (p) {
      fs.closeSync(this.dirFd);
      throw new StoreError(`refusing to use ${this.dir} for the ostop store: ${p}`);
    }
    this.log = opts.log ?? ((l) => process.stderr.write(l + '\n'));
    this.keyEvery = Math.max(1, opts.keyEvery ?? 60);
  }

  private at(name: string): string {
    return `/proc/self/fd/${this.dirFd}/${name}`;
  }

  /** Open (or create) the shard of `day`: an existing one is checked, its torn tail cut off and its index repaired. */
  private openShard(day: number): OpenShard {
    const name = shardName(day);
    const C = fs.constants;
    const uid = this.opts.uid ?? euid();
    let fd: number;
    let created = false;
    try {
      fd = fs.openSync(this.at(name), C.O_RDWR | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, 0o600);
      created = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      fd = openExisting(this.at(name), C.O_RDWR, uid, path.join(this.dir, name));
    }
    try {
      if (created) {
        fs.fchmodSync(fd, 0o600);
        writeAll(fd, fileHeader(FILE_MAGIC), 0);
        fs.fdatasyncSync(fd);
        try { fs.fsyncSync(this.dirFd); } catch { /* some filesystems refuse a directory fsync */ }
      }
      const buf = readWhole(fd);
      checkFileHeader(buf, FILE_MAGIC, path.join(this.dir, name));
      const idxName = name + '.idx';
      let idxFd: number;
      try {
        idxFd = fs.openSync(this.at(idxName), C.O_RDWR | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, 0o600);
        fs.fchmodSync(idxFd, 0o600);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        idxFd = openExisting(this.at(idxName), C.O_RDWR, uid, path.join(this.dir, idxName));
      }
      const idxBuf = readWhole(idxFd);
      const { entries, end, indexed } = loadIndex(buf, idxBuf.length >= FILE_HEADER ? idxBuf : undefined);
      // Cut a torn tail (a record a crash left half-written): appends go right after the last whole record.
      if (end < buf.length) fs.ftruncateSync(fd, end);
      // The index: its good entries, then the scanned ones.
      let idxSize = FILE_HEADER + indexed * INDEX_ENTRY;
      if (idxBuf.length < FILE_HEADER || indexed === 0) {
        fs.ftruncateSync(idxFd, 0);
        writeAll(idxFd, fileHeader(INDEX_MAGIC), 0);
        idxSize = FILE_HEADER;
      } else fs.ftruncateSync(idxFd, idxSize);
      const missing = entries.slice(indexed === 0 ? 0 : indexed);
      if (missing.length) {
        writeAll(idxFd, Buffer.concat(missing.map(encodeIndexEntry)), idxSize);
        idxSize += missing.length * INDEX_ENTRY;
      }
      const last = entries[entries.length - 1];
      if (last) this.lastTime = Math.max(this.lastTime, last.time);
      return { name, day, fd, idxFd, size: end, idxSize };
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  private closeShard(): void {
    const s = this.shard;
    if (!s) return;
    this.shard = undefined;
    try { fs.closeSync(s.fd); } catch { /* ignore */ }
    try { fs.closeSync(s.idxFd); } catch { /* ignore */ }
  }

  /** Write one record (and its index entry); throws on a write error after cutting the partial record off. */
  private writeRecord(s: OpenShard, rec: Buffer, kind: Kind, time: number): void {
    const start = s.size;
    try {
      writeAll(s.fd, rec, start);
    } catch (e) {
      try { fs.ftruncateSync(s.fd, start); } catch { /* the reader skips a torn record anyway */ }
      throw e;
    }
    s.size = start + rec.length;
    this.bytesWritten += rec.length;
    try {
      writeAll(s.idxFd, encodeIndexEntry({ time, offset: start, length: rec.length, kind }), s.idxSize);
      s.idxSize += INDEX_ENTRY;
    } catch {
      // The index is derived: the next open (or reader) scans what it misses.
      try { fs.ftruncateSync(s.idxFd, s.idxSize); } catch { /* idem */ }
    }
  }

  /**
   * Append one tick (and the events since the last one). Returns 'ok',
   * 'failed' (a write error such as ENOSPC: logged once, retried on the next
   * call) or 'paused' (--max-size reached by today's shard alone).
   */
  append(tick: T, events?: E): AppendResult {
    const time = Math.max(tick.time, this.lastTime === -Infinity ? tick.time : this.lastTime);
    const day = dayStart(time);
    try {
      if (!this.shard || this.shard.day !== day) {
        this.closeShard();
        this.shard = this.openShard(day);
        this.base = undefined; // a new shard (or session) starts with its meta record and a keyframe
        this.trim(true);
      } else this.trim(false);
      const s = this.shard;
      if (this.opts.maxBytes !== undefined && s.size + s.idxSize > this.opts.maxBytes) {
        if (!this.pausedForSize) this.log(`ostop record: today's shard ${path.join(this.dir, s.name)} alone reached --max-size (${this.opts.maxBytes} bytes): recording paused until the day ends or the limit is raised`);
        this.pausedForSize = true;
        return 'paused';
      }
      this.pausedForSize = false;
      const recs: Array<[Buffer, Kind]> = [];
      if (!this.base) recs.push([encodeRecord(Kind.Meta, time, Buffer.from(JSON.stringify({ format: 'ostop-store', version: STORE_VERSION, ...this.opts.meta, session: { pid: process.pid, started: time } }))), Kind.Meta]);
      if (events !== undefined) recs.push([encodeRecord(Kind.Events, time, Buffer.from(JSON.stringify(events))), Kind.Events]);
      let text: Buffer;
      let kind: Kind;
      if (!this.base || this.sinceKey + 1 >= this.keyEvery) {
        text = Buffer.from(JSON.stringify(tick));
        kind = Kind.Key;
        recs.push([encodeRecord(Kind.Key, time, text), kind]);
      } else {
        const p = diff(this.base, tick);
        text = Buffer.from(JSON.stringify(p === NO_CHANGE ? {} : p));
        kind = Kind.Delta;
        recs.push([encodeRecord(Kind.Delta, time, text, this.baseText), kind]);
      }
      for (const [r, k] of recs) this.writeRecord(s, r, k, time);
      if (this.opts.sync ?? true) fs.fdatasyncSync(s.fd);
      // Delta bases are JSON round trips, so what the reader rebuilds is what the next diff starts from.
      this.base = kind === Kind.Key ? JSON.parse(text.toString()) as T : apply(this.base, JSON.parse(text.toString())) as T;
      this.baseText = text;
      this.sinceKey = kind === Kind.Key ? 0 : this.sinceKey + 1;
      this.lastTime = time;
      this.ticksWritten++;
      if (this.failing) {
        this.log(`ostop record: writing to ${this.dir} works again: recording resumed`);
        this.failing = null;
      }
      return 'ok';
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (e instanceof StoreError) throw e;
      // What was written of this tick is cut off; the next tick starts a new chain.
      this.base = undefined;
      if (err.code !== this.failing) {
        this.failing = err.code ?? 'error';
        this.log(err.code === 'ENOSPC'
          ? `ostop record: ${this.dir}: no space left on the device (ENOSPC): recording stopped; it resumes when space is freed`
          : `ostop record: cannot write to ${this.dir}: ${err.message}: recording stopped; retrying at every interval`);
      }
      // A shard that could not even be created is retried from scratch.
      if (this.shard && this.shard.size <= FILE_HEADER) this.closeShard();
      return 'failed';
    }
  }

  /**
   * The time of the newest tick already in the store (its newest shard), or
   * -Infinity: what a new session need not record again (the kernel log's
   * backlog).
   */
  lastRecordedTime(): number {
    const newest = listShards(this.dir).pop();
    if (!newest) return -Infinity;
    const C = fs.constants;
    let fd: number;
    try {
      fd = openExisting(this.at(newest.name), C.O_RDONLY, this.opts.uid ?? euid(), path.join(this.dir, newest.name));
    } catch {
      return -Infinity;
    }
    try {
      const { entries } = loadIndex(readWhole(fd), undefined);
      return entries.length ? entries[entries.length - 1].time : -Infinity;
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Delete shards past retention and, over --max-size, the oldest ones (never today's). At most once a minute unless `force`. */
  trim(force: boolean): void {
    const now = (this.opts.now ?? Date.now)();
    if (!force && now - this.lastTrim < 60_000) return;
    this.lastTrim = now;
    if (this.opts.retainMs === undefined && this.opts.maxBytes === undefined) return;
    const shards = listShards(this.dir).filter((s) => s.name !== this.shard?.name);
    let total = this.shard ? this.shard.size + this.shard.idxSize : 0;
    for (const s of shards) total += s.bytes;
    for (const s of shards) {
      const expired = this.opts.retainMs !== undefined && s.day + DAY_MS < now - this.opts.retainMs;
      const over = this.opts.maxBytes !== undefined && total > this.opts.maxBytes;
      if (!expired && !over) continue;
      for (const n of [s.name, s.name + '.idx']) {
        try { fs.unlinkSync(this.at(n)); } catch { /* already gone */ }
      }
      total -= s.bytes;
      this.log(`ostop record: deleted ${path.join(this.dir, s.name)} (${expired ? 'older than --retain' : 'store over --max-size'})`);
    }
  }

  close(): void {
    const s = this.shard;
    if (s) {
      try { fs.fdatasyncSync(s.fd); } catch { /* ignore */ }
      try { fs.fsyncSync(s.idxFd); } catch { /* ignore */ }
    }
    this.closeShard();
    try { fs.closeSync(this.dirFd); } catch { /* ignore */ }
  }
}

function writeAll(fd: number, b: Buffer, position: number): void {
  let off = 0;
  while (off < b.length) {
    const n = fs.writeSync(fd, b, off, b.length - off, position + off);
    if (n <= 0) throw Object.assign(new Error('short write'), { code: 'EIO' });
    off += n;
  }
}

function readWhole(fd: number): Buffer {
  const size = fs.fstatSync(fd).size;
  const b = Buffer.allocUnsafe(size);
  let off = 0;
  while (off < size) {
    const n = fs.readSync(fd, b, off, size - off, off);
    if (n <= 0) break;
    off += n;
  }
  return b.subarray(0, off);
}

/** Open an existing store file without following a link; refused unless a regular file of `uid` with one link. */
function openExisting(p: string, flags: number, uid: number, shown: string): number {
  const C = fs.constants;
  let fd: number;
  try {
    fd = fs.openSync(p, flags | C.O_NOFOLLOW | C.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new StoreError(`refusing ${shown}: it is a symlink`);
    throw new StoreError(`cannot open ${shown}: ${(e as Error).message}`);
  }
  const st = fs.fstatSync(fd);
  const why = !st.isFile() ? 'it is not a regular file' : st.uid !== uid ? `it is owned by uid ${st.uid}, not ${uid}` : st.nlink > 1 ? 'it has other hard links' : (st.mode & 0o022) ? 'it is writable by group or others' : null;
  if (why) {
    fs.closeSync(fd);
    throw new StoreError(`refusing ${shown}: ${why}`);
  }
  return fd;
}

export interface ShardInfo { name: string; day: number; bytes: number }

/** The shards of a store directory, oldest first (names only: nothing is opened). */
export function listShards(dir: string): ShardInfo[] {
  const out: ShardInfo[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return out;
  }
  for (const n of names) {
    const m = SHARD_RE.exec(n);
    if (!m) continue;
    const day = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    if (!Number.isFinite(day)) continue;
    let bytes = 0;
    for (const f of [n, n + '.idx']) {
      try { bytes += fs.lstatSync(path.join(dir, f)).size; } catch { /* none */ }
    }
    out.push({ name: n, day, bytes });
  }
  return out.sort((a, b) => a.day - b.day);
}

// ---- reader -------------------------------------------------------------------

interface Loaded { name: string; fd: number; size: number; entries: IndexEntry[] }
interface TickRef { shard: number; entry: IndexEntry; /** Index (in `ticks`) of the keyframe this tick decodes from. */ key: number; /** Index of the events record that came with it, if any. */ events?: IndexEntry }

export interface StoreMeta { format: string; version: number; [k: string]: unknown }

/** `length` bytes of `fd` at `offset` (fewer at the end of the file). */
function readAt(fd: number, offset: number, length: number): Buffer {
  const b = Buffer.allocUnsafe(length);
  let off = 0;
  while (off < length) {
    const n = fs.readSync(fd, b, off, length - off, offset + off);
    if (n <= 0) break;
    off += n;
  }
  return b.subarray(0, off);
}

/**
 * The index of a shard read through its descriptor, for a reader: the
 * index file's entries while they are contiguous and inside the file, the
 * last one read and checked whole (a torn tail), then a scan of what
 * follows the last good entry (the unindexed tail, or the whole shard
 * without an index). No other record is read: each is checked (magic,
 * lengths, CRC) when it is decoded.
 */
function loadIndexAt(fd: number, size: number, idx: Buffer | undefined): IndexEntry[] {
  let entries = indexEntries(idx);
  let good = 0;
  let end = FILE_HEADER;
  for (const e of entries) {
    if (e.offset !== end || e.offset + e.length > size || e.length < RECORD_HEADER) break;
    good++;
    end = e.offset + e.length;
  }
  while (good > 0) {
    const last = entries[good - 1];
    const r = parseRecordAt(readAt(fd, last.offset, last.length), 0);
    if (typeof r !== 'string' && r.kind === last.kind) break;
    good--;
    end = good ? entries[good - 1].offset + entries[good - 1].length : FILE_HEADER;
  }
  entries = entries.slice(0, good);
  if (end < size) {
    const rest = scanRecords(readAt(fd, end, size - end), 0);
    for (const e of rest.entries) entries.push({ ...e, offset: e.offset + end });
  }
  return entries;
}

/**
 * Reads a store directory or a single store file (a snapshot, or one
 * shard). Opening reads the index files (24 bytes a record) and checks the
 * last record of each shard; records are read from the shard files when
 * decoded (the reader keeps them open: close() when done). Any tick is then
 * a binary search in the index and at most `keyEvery` records away.
 */
export class StoreReader<T extends { time: number }, E = unknown> {
  private shards: Loaded[] = [];
  private refs: TickRef[] = [];
  private metas: Array<{ time: number; meta: StoreMeta }> = [];
  /** Records skipped because their CRC, length or decoding failed (torn writes, corruption). */
  skipped = 0;
  /** Ticks that could not be decoded (their keyframe or a delta before them was bad). */
  private state: { i: number; tick: unknown; text: Buffer } | undefined;

  private constructor(readonly path: string) {}

  /**
   * Open `p` (a directory of shards or one store file). Refused when it (or
   * the directory) is a symlink, not ours (another user's store: its
   * contents could be anything), or not a store.
   */
  static open<T extends { time: number }, E = unknown>(p: string, opts: { uid?: number; /** Only the shards of days that end after this (epoch ms): the live UI's preload reads today's. */ since?: number } = {}): StoreReader<T, E> {
    const uid = opts.uid ?? euid();
    const abs = path.resolve(p);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(abs);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new StoreError(code === 'ENOENT' ? `${abs}: no such store (record one with \`ostop record --dir ${abs}\`)` : `${abs}: ${(e as Error).message}`);
    }
    const r = new StoreReader<T, E>(abs);
    if (st.isSymbolicLink()) throw new StoreError(`refusing ${abs}: it is a symlink`);
    if (st.isDirectory()) {
      if (st.uid !== uid) throw new StoreError(`refusing ${abs}: it is owned by uid ${st.uid}, not ${uid} (a store written by another user)`);
      const C = fs.constants;
      const dfd = fs.openSync(abs, C.O_RDONLY | C.O_DIRECTORY | C.O_NOFOLLOW);
      try {
        for (const s of listShards(abs)) {
          if (opts.since !== undefined && s.day + DAY_MS <= opts.since) continue;
          const fd = openExisting(`/proc/self/fd/${dfd}/${s.name}`, C.O_RDONLY, uid, path.join(abs, s.name));
          let idx: Buffer | undefined;
          try {
            const ifd = openExisting(`/proc/self/fd/${dfd}/${s.name}.idx`, C.O_RDONLY, uid, path.join(abs, s.name + '.idx'));
            try { idx = readWhole(ifd); } finally { fs.closeSync(ifd); }
          } catch { /* no index: scanned */ }
          try { r.add(s.name, fd, idx, path.join(abs, s.name)); } catch (e) { fs.closeSync(fd); throw e; }
        }
      } finally {
        fs.closeSync(dfd);
      }
      if (!r.shards.length) throw new StoreError(`${abs}: no recorded data (no shards yet)`);
    } else {
      const fd = openExisting(abs, fs.constants.O_RDONLY, uid, abs);
      try { r.add(path.basename(abs), fd, undefined, abs); } catch (e) { fs.closeSync(fd); throw e; }
    }
    return r;
  }

  /** Add shard `name` (open as `fd`); `where` is its path for messages (the store itself when it is a single file). */
  private add(name: string, fd: number, idx: Buffer | undefined, where: string): void {
    const size = fs.fstatSync(fd).size;
    checkFileHeader(readAt(fd, 0, FILE_HEADER), FILE_MAGIC, where);
    const si = this.shards.length;
    const entries = loadIndexAt(fd, size, idx);
    this.shards.push({ name, fd, size, entries });
    let key = -1;
    let pendingEvents: IndexEntry | undefined;
    let prevEnd = -1;
    for (const e of entries) {
      // A gap (a skipped torn record) breaks the delta chain until the next keyframe.
      if (prevEnd >= 0 && e.offset !== prevEnd) { key = -1; this.skipped++; }
      prevEnd = e.offset + e.length;
      if (e.kind === Kind.Meta) {
        try {
          const meta = JSON.parse(inflate(this.rec(si, e), undefined).toString()) as StoreMeta;
          this.metas.push({ time: e.time, meta });
        } catch { this.skipped++; }
        key = -1;
      } else if (e.kind === Kind.Events) pendingEvents = e;
      else if (e.kind === Kind.Key) {
        key = this.refs.length;
        this.refs.push({ shard: si, entry: e, key, events: pendingEvents });
        pendingEvents = undefined;
      } else if (e.kind === Kind.Delta) {
        if (key < 0) { this.skipped++; pendingEvents = undefined; continue; }
        this.refs.push({ shard: si, entry: e, key, events: pendingEvents });
        pendingEvents = undefined;
      }
    }
    // Shards are in day order and times never go back within one; keep the whole list sorted all the same.
    if (this.refs.length > 1 && si > 0) this.refs.sort((a, b) => a.entry.time - b.entry.time || a.shard - b.shard || a.entry.offset - b.entry.offset);
    this.state = undefined;
  }

  private rec(shard: number, e: IndexEntry): RawRecord {
    const r = parseRecordAt(readAt(this.shards[shard].fd, e.offset, e.length), 0);
    if (typeof r === 'string' || r.kind !== e.kind) throw new Error('record does not check out');
    return r;
  }

  private verified = false;

  /**
   * Check every record's CRC now (opening does not: each record is checked
   * when decoded). Returns the number of damaged records found, also added
   * to `skipped` (once). A day's store takes tens of ms: replay runs it
   * after its first frame, to say whether damaged records were skipped.
   */
  verify(): number {
    if (this.verified) return 0;
    this.verified = true;
    let bad = 0;
    for (const s of this.shards) {
      if (s.fd < 0) continue;
      const buf = readAt(s.fd, 0, s.size);
      for (const e of s.entries) {
        const r = parseRecordAt(buf, e.offset);
        if (typeof r === 'string' || r.kind !== e.kind || r.length !== e.length) bad++;
      }
    }
    this.skipped += bad;
    return bad;
  }

  /** Close the shard files (the reader cannot decode afterwards). */
  close(): void {
    for (const s of this.shards) {
      if (s.fd < 0) continue;
      try { fs.closeSync(s.fd); } catch { /* ignore */ }
      s.fd = -1;
    }
    this.state = undefined;
  }

  /** Number of ticks. */
  get size(): number {
    return this.refs.length;
  }

  /** The meta records (one per recording session), oldest first. */
  get sessions(): ReadonlyArray<{ time: number; meta: StoreMeta }> {
    return this.metas;
  }

  /** The time (epoch ms) of tick i. */
  timeAt(i: number): number {
    return this.refs[i].entry.time;
  }

  firstTime(): number | undefined {
    return this.refs[0]?.entry.time;
  }

  lastTime(): number | undefined {
    return this.refs[this.refs.length - 1]?.entry.time;
  }

  /** Index of the newest tick taken at or before `time` (-1 when all are later). */
  indexAt(time: number): number {
    let lo = 0;
    let hi = this.refs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.refs[mid].entry.time <= time) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** Index of the first tick taken at or after `time` (size when none). */
  indexFrom(time: number): number {
    let lo = 0;
    let hi = this.refs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.refs[mid].entry.time < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Tick i, decoded (a fresh object the caller may change). From the tick
   * decoded last when i is after it in the same chain, else from its
   * keyframe. Undefined when it cannot be decoded (a corrupt record on its
   * chain).
   */
  tick(i: number): T | undefined {
    const t = this.tickShared(i);
    return t === undefined ? undefined : (structuredClone(t) as T);
  }

  /**
   * Tick i as tick() decodes it, without the copy: the reader's own object,
   * which the next tickShared() or tick() changes in place (the next delta
   * is applied to it). Read it, copy what you keep, never change it. For
   * reading many ticks in a row (replay feeding a graph its history): the
   * copy is nearly all of tick()'s cost with 1,000 processes (~6 ms of
   * ~6.3; decoding one more delta is ~0.25 ms).
   */
  tickShared(i: number): T | undefined {
    const ref = this.refs[i];
    if (!ref) return undefined;
    try {
      let st = this.state;
      if (!st || st.i > i || this.refs[st.i].key !== ref.key) {
        const k = this.refs[ref.key];
        const text = inflate(this.rec(k.shard, k.entry), undefined);
        st = this.state = { i: ref.key, tick: JSON.parse(text.toString()), text };
      }
      while (st.i < i) {
        const n = this.refs[st.i + 1];
        const text = inflate(this.rec(n.shard, n.entry), st.text);
        st.tick = apply(st.tick, JSON.parse(text.toString()));
        st.text = text;
        st.i++;
      }
      return st.tick as T;
    } catch {
      this.state = undefined;
      return undefined;
    }
  }

  /** The tick in effect at `time` (the newest at or before it) and the one before it (what rates are computed against). */
  at(time: number): { index: number; tick: T; previous: T | undefined } | undefined {
    const i = this.indexAt(time);
    if (i < 0) return undefined;
    const previous = i > 0 ? this.tick(i - 1) : undefined;
    const tick = this.tick(i);
    return tick ? { index: i, tick, previous } : undefined;
  }

  /** The events recorded with tick i (what happened since tick i-1), if any. */
  eventsAt(i: number): E | undefined {
    const ref = this.refs[i];
    if (!ref?.events) return undefined;
    try {
      return JSON.parse(inflate(this.rec(ref.shard, ref.events), undefined).toString()) as E;
    } catch {
      return undefined;
    }
  }

  /** Every tick's events between t0 and t1 (both included), oldest first; ticks are not decoded. */
  *events(t0 = -Infinity, t1 = Infinity): Generator<{ index: number; time: number; events: E }> {
    for (let i = Math.max(0, this.indexFrom(t0)); i < this.refs.length && this.refs[i].entry.time <= t1; i++) {
      if (!this.refs[i].events) continue;
      const e = this.eventsAt(i);
      if (e !== undefined) yield { index: i, time: this.refs[i].entry.time, events: e };
    }
  }

  /** Ticks between t0 and t1 (both included), oldest first. */
  *ticks(t0 = -Infinity, t1 = Infinity): Generator<{ index: number; tick: T }> {
    for (let i = Math.max(0, this.indexFrom(t0)); i < this.refs.length && this.refs[i].entry.time <= t1; i++) {
      const t = this.tick(i);
      if (t) yield { index: i, tick: t };
    }
  }
}

/**
 * Write ticks [t0, t1] of `reader` (with their events) as one store file
 * at `file` (a snapshot): created O_EXCL|O_NOFOLLOW 0600, one meta record
 * (the first session's, plus `meta`), then the ticks re-encoded from a
 * keyframe. Returns the number of ticks written.
 */
export function writeSnapshot<T extends { time: number }, E>(reader: StoreReader<T, E>, file: string, t0: number, t1: number, meta: Record<string, unknown>, keyEvery = 60): number {
  const C = fs.constants;
  const fd = fs.openSync(file, C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, 0o600);
  let n = 0;
  let done = false;
  try {
    fs.fchmodSync(fd, 0o600);
    const parts: Buffer[] = [fileHeader(FILE_MAGIC)];
    let base: unknown;
    let baseText: Buffer | undefined;
    let sinceKey = 0;
    const first = reader.sessions[0]?.meta ?? { format: 'ostop-store', version: STORE_VERSION };
    for (const { index, tick } of reader.ticks(t0, t1)) {
      const time = tick.time;
      if (n === 0) parts.push(encodeRecord(Kind.Meta, time, Buffer.from(JSON.stringify({ ...first, ...meta }))));
      const ev = reader.eventsAt(index);
      if (ev !== undefined) parts.push(encodeRecord(Kind.Events, time, Buffer.from(JSON.stringify(ev))));
      let text: Buffer;
      if (base === undefined || sinceKey + 1 >= keyEvery) {
        text = Buffer.from(JSON.stringify(tick));
        parts.push(encodeRecord(Kind.Key, time, text));
        base = JSON.parse(text.toString());
        sinceKey = 0;
      } else {
        const p = diff(base, tick);
        text = Buffer.from(JSON.stringify(p === NO_CHANGE ? {} : p));
        parts.push(encodeRecord(Kind.Delta, time, text, baseText));
        base = apply(base, JSON.parse(text.toString()));
        sinceKey++;
      }
      baseText = text;
      n++;
    }
    const all = Buffer.concat(parts);
    writeAll(fd, all, 0);
    fs.fsyncSync(fd);
    done = true;
  } finally {
    fs.closeSync(fd);
    // Ours (created exclusively just now): a half-written snapshot is removed.
    if (!done) try { fs.unlinkSync(file); } catch { /* gone */ }
  }
  return n;
}
