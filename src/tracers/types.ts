// The tracer contract: every trace pane / `ostop trace` tracer is one
// TracerDescriptor, registered with one line in registry.ts. The descriptor
// owns the wire decoder (offsets into native/bpf/<name>.h, checked against the
// addon's offsetof export by test/tracers/layout.test.ts), its output columns
// (stable ids = JSON field names, documented in FIELDS.md) and its aggregator.
import type { OutputFormat } from '../model/output.js';
import type { Column } from '../model/columns.js';
import type { NativeStartOptions } from '../native.js';

/** Options a tracer is started with; tracer-specific flags go in `flags`. */
export interface TraceOptions {
  /** Only this process (tgid); changeable later without reload. */
  pid?: number;
  /** Count in the kernel / aggregate instead of streaming every event when the tracer supports it. */
  summary?: boolean;
  /** Tracer-specific flags parsed from the command line (--failed, --path X...). */
  flags?: Record<string, string | boolean>;
}

/** Byte offsets the decoder uses, per wire struct: compared with the C offsetof. */
export type WireLayouts = Record<string, { size: number; fields: Record<string, number> }>;

export interface DecodeContext {
  /** Converts a CLOCK_MONOTONIC timestamp (ns) from the kernel into epoch milliseconds. */
  wallMs(tsNs: number): number;
}

/** What a running tracer exposes to aggregators (kernel-side maps). */
export interface TracerHandle {
  mapDump(map: string, clear?: boolean): { keySize: number; valueSize: number; count: number; data: ArrayBuffer };
  /** The profilers' stack-trace maps: ids.length x stackDepth() u64 instruction pointers, innermost first, 0-ended (addon stackTraces). */
  stackTraces?(map: string, ids: number[]): ArrayBuffer;
  stackDepth?(): number;
  /** Empty a hash or stack-trace map (addon mapClear). */
  mapClear?(map: string): number;
}

/** One table of an aggregate (a pane section; one key of the JSON summary). */
export interface SummaryTable<R = any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Stable id: the JSON key. */
  id: string;
  title: string;
  rows: R[];
  columns: readonly Column<R>[];
}

export interface Aggregator<E> {
  /** Fold a decoded batch. */
  add(events: readonly E[]): void;
  /** Pull kernel-side state (in-kernel summary maps); call before tables(). */
  collect?(handle: TracerHandle): void;
  /** Current aggregate, largest first. */
  tables(): SummaryTable[];
  reset?(): void;
}

/**
 * What `ostop trace <tracer>` prints when it neither streams nor was asked
 * for --summary (runqlat without --min-us: its histogram, as BCC's runqlat).
 */
export interface TraceReport {
  /** Seconds between reports (--interval); also one at the end. Undefined: only at the end. */
  intervalSec?: number;
  /** For stderr when tracing starts (BCC's "Tracing ... Hit Ctrl-C to end."). */
  banner: string;
  /** What was counted since the previous report (reads the kernel maps); ends with a newline. */
  print(handle: TracerHandle, format: OutputFormat | string): string | Promise<string>;
  /** Called every `tickSec` seconds while tracing (the profilers read their maps and symbolise while processes live). */
  tick?(handle: TracerHandle): void | Promise<void>;
  tickSec?: number;
}

export interface TracerDescriptor<E = unknown> {
  name: string;
  /** Native tracer name in native/addon/tracers.def (default: name). */
  native?: string;
  /** One line: what it shows. */
  summary: string;
  /** Extra command-line flags: name -> kind. */
  flags?: Record<string, 'string' | 'boolean'>;
  /** Wire layouts the decoder relies on. */
  layouts: WireLayouts;
  /** Native start options derived from trace options (rodata targ_*, disabled variants...).
   *  probe(section) returns '' when a program of that ELF section can run here, else why not. */
  nativeOptions?(opts: TraceOptions, probe: (section: string) => string): NativeStartOptions;
  /** Decode one record (view covers exactly the record); null drops it (e.g. unknown kind). */
  decode(view: DataView, ctx: DecodeContext): E | null;
  /** Userspace filter applied after decoding (path substring...). */
  accept?(e: E, opts: TraceOptions): boolean;
  /** Every field: JSON/CSV output, ids documented in FIELDS.md. */
  columns: readonly Column<E>[];
  /** Column ids shown in text output (default: all). */
  textColumns?: readonly string[];
  createAggregator?(opts: TraceOptions): Aggregator<E>;
  /** True when --summary counts in the kernel and streams nothing. */
  kernelSummary?: boolean;
  /** false: it never streams events whatever the options (the profilers: counted in the kernel, printed as a report); its columns are the report's rows. */
  streams?: false;
  /** Output formats of its report besides text and json (the profilers' folded stacks). */
  formats?: readonly string[];
  /** Another registered tracer that runs for these options (`profile --off-cpu` is `offcpu`). */
  variant?(opts: TraceOptions): string | undefined;
  /** The report printed when these options stream nothing and --summary is off (throws on bad flags); undefined: stream. */
  report?(opts: TraceOptions): TraceReport | undefined;
}

// ---- decoding helpers shared by decoders -------------------------------

/** What TracerHandle.mapDump returns: `count` records, each a key then a value. */
export type MapDump = ReturnType<TracerHandle['mapDump']>;

/** Each record of a map dump through `read(view, keyOffset, valueOffset)`; undefined results are left out. */
export function mapRecords<T>(d: MapDump, read: (dv: DataView, key: number, value: number) => T | undefined): T[] {
  const dv = new DataView(d.data);
  const rec = d.keySize + d.valueSize;
  const out: T[] = [];
  for (let i = 0; i < d.count; i++) {
    const r = read(dv, i * rec, i * rec + d.keySize);
    if (r !== undefined) out.push(r);
  }
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** NUL-terminated C string in [off, off+max) as UTF-8 (invalid bytes -> U+FFFD). Untrusted: sanitize before display. */
export function cString(view: DataView, off: number, max: number): string {
  const bytes = new Uint8Array(view.buffer, view.byteOffset + off, Math.min(max, view.byteLength - off));
  let end = bytes.indexOf(0);
  if (end < 0) end = bytes.length;
  return utf8.decode(bytes.subarray(0, end));
}

/** u64 as a JS number (exact below 2^53). */
export function u64(view: DataView, off: number): number {
  return view.getUint32(off + 4, true) * 4294967296 + view.getUint32(off, true);
}

/** Wall-clock converter for CLOCK_MONOTONIC kernel timestamps (bpf_ktime_get_ns). */
export function monotonicToWall(): DecodeContext {
  const monoNowMs = Number(process.hrtime.bigint()) / 1e6;
  const offsetMs = Date.now() - monoNowMs;
  return { wallMs: (tsNs: number) => offsetMs + tsNs / 1e6 };
}

/** The task a process event is about, as the exec and exit records carry it (wall-clock ms; ids of the init pid namespace). */
export interface TaskRecord {
  time: number;
  pid: number;
  tid: number;
  ppid: number;
  uid: number;
  comm: string;
}

// ---- the columns most tracers' records share (same ids, titles and forms everywhere) ----

/** When it happened: ISO 8601 in JSON, HH:MM:SS.mmm local in text. */
export function timeColumn<R extends { time: number }>(): Column<R> {
  return { id: 'time', title: 'TIME', width: 12, value: (e) => new Date(e.time).toISOString(), text: (e) => clockTime(e.time) };
}

/** The process (tgid); `zeroUnknown`: 0 means not known (null in JSON, '-' in text). */
export function pidColumn<R extends { pid: number }>(width = 7, zeroUnknown = false): Column<R> {
  return { id: 'pid', title: 'PID', width, align: 'right', value: zeroUnknown ? (r) => r.pid || null : (r) => r.pid };
}

/** The parent process; null where the record has none (in JSON; '-' in text). */
export function ppidColumn<R extends { pid: number; ppid?: number | null }>(): Column<R> {
  return { id: 'ppid', title: 'PPID', width: 7, align: 'right', value: (r) => r.ppid ?? null };
}

export function tidColumn<R extends { tid: number }>(): Column<R> {
  return { id: 'tid', title: 'TID', width: 7, align: 'right', value: (r) => r.tid };
}

export function uidColumn<R extends { uid: number }>(): Column<R> {
  return { id: 'uid', title: 'UID', width: 5, align: 'right', value: (r) => r.uid };
}

/** The process name; `needsPid`: null when the record has no pid (pid 0). */
export function commColumn<R extends { comm: string; pid?: number }>(width?: number, needsPid = false): Column<R> {
  return { id: 'comm', title: 'COMM', ...(width ? { width } : {}), value: needsPid ? (r) => (r.pid ? r.comm : null) : (r) => r.comm };
}

/** HH:MM:SS.mmm local time. */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

const ERRNO: Record<number, string> = {
  1: 'EPERM', 2: 'ENOENT', 3: 'ESRCH', 4: 'EINTR', 5: 'EIO', 6: 'ENXIO', 7: 'E2BIG', 8: 'ENOEXEC', 9: 'EBADF',
  11: 'EAGAIN', 12: 'ENOMEM', 13: 'EACCES', 14: 'EFAULT', 16: 'EBUSY', 17: 'EEXIST', 18: 'EXDEV', 19: 'ENODEV',
  20: 'ENOTDIR', 21: 'EISDIR', 22: 'EINVAL', 23: 'ENFILE', 24: 'EMFILE', 26: 'ETXTBSY', 27: 'EFBIG', 28: 'ENOSPC',
  30: 'EROFS', 31: 'EMLINK', 32: 'EPIPE', 36: 'ENAMETOOLONG', 40: 'ELOOP', 95: 'EOPNOTSUPP', 100: 'ENETDOWN',
  101: 'ENETUNREACH', 103: 'ECONNABORTED', 104: 'ECONNRESET', 110: 'ETIMEDOUT', 111: 'ECONNREFUSED', 112: 'EHOSTDOWN',
  113: 'EHOSTUNREACH', 122: 'EDQUOT',
};
export function errnoName(n: number): string {
  return ERRNO[n] ?? `E${n}`;
}

const SIGNALS = ['', 'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGKILL', 'SIGUSR1',
  'SIGSEGV', 'SIGUSR2', 'SIGPIPE', 'SIGALRM', 'SIGTERM', 'SIGSTKFLT', 'SIGCHLD', 'SIGCONT', 'SIGSTOP', 'SIGTSTP',
  'SIGTTIN', 'SIGTTOU', 'SIGURG', 'SIGXCPU', 'SIGXFSZ', 'SIGVTALRM', 'SIGPROF', 'SIGWINCH', 'SIGIO', 'SIGPWR', 'SIGSYS'];
export function signalName(n: number): string {
  if (n <= 0) return '';
  return SIGNALS[n] ?? (n >= 34 && n <= 64 ? `SIGRTMIN+${n - 34}` : `SIG${n}`);
}
