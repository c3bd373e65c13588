// Typed, lazy loader of the native addon (native/build/Release/ostop_native.node).
// Invariant: importing this module never fails and never loads the addon;
// loadNative() returns a typed error instead of throwing, so a missing or
// broken build only disables the trace panes, never the counter views.
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { envPath } from './util/trust.js';
import { parseStatus } from './collectors/procfs/pid-status.js';

export interface NativeField { offset: number; size: number }
export interface NativeLayout { size: number; fields: Record<string, NativeField> }
export interface NativeStartOptions {
  /** const volatile globals of the BPF object (targ_*), set before load. */
  rodata?: Record<string, number | boolean>;
  /** Initial PID filter (tgid); 0/undefined = all. */
  pid?: number;
  /** Size of the "events" ring in bytes (power of two, >= page size). */
  ringBytes?: number;
  /** Program names not to load (variant selection). */
  disable?: string[];
  /** SEC("perf_event") programs (profile): sampling frequency in Hz of the software cpu-clock event opened on every online CPU (default 49; at most sysctl kernel.perf_event_max_sample_rate). */
  perfFreq?: number;
  /** max_entries of named maps, set before load (e.g. { stacks: 32768, counts: 32768 }). */
  maxEntries?: Record<string, number>;
}
/** What elfSymbolize() resolved: per input offset a name (demangled) or null, and the offset into that symbol. */
export interface NativeSymbolized {
  /** The GNU build-id of the file, lowercase hex, or null when it has none. */
  buildId: string | null;
  /** The file belongs to root and nobody else can write it: its build id can key a cache shared across processes (another user's file may carry any build id). False when the file is not a readable ELF file. */
  rootOwned: boolean;
  names: (string | null)[];
  /** address - symbol start for each resolved name; 0 where names[i] is null. */
  symOffsets: number[];
  /** Set when the file could not be read as an ELF file (names are then all null). */
  error?: string;
}
export interface NativeStartResult { id: number; attached: string[]; disabled: { name: string; reason: string }[] }
export interface NativeMapDump { keySize: number; valueSize: number; count: number; data: ArrayBuffer }
export interface NativeFeatures { btf: boolean; fentry: boolean; kprobes: boolean; libbpf: string }
/** What tasksOpen() says about the task iterator it loaded. */
export interface NativeTasksInfo { recordSize: number; ncpus: number }

export interface NativeAddon {
  tracers(): string[];
  layouts(): Record<string, Record<string, NativeLayout>>;
  start(name: string, opts?: NativeStartOptions): NativeStartResult;
  /** Out of the ring loop at once; links and object are destroyed on a native thread (a classic tracepoint's detach waits ~100 ms for RCU), unless wait. */
  stop(id: number, wait?: boolean): void;
  stopAll(wait?: boolean): void;
  /** Instances whose teardown is still in progress after stop(). */
  stopping(): number;
  /** malloc_trim(0): free malloc pages back to the kernel. */
  mallocTrim?(): boolean;
  setFilter(id: number, pid: number): void;
  drops(id: number): { ring: number; map: number };
  nativeDrops(): number;
  mapDump(id: number, map: string, clear?: boolean): NativeMapDump;
  /** Frames per stack in stackTraces() (PROFILE_STACK_DEPTH, native/bpf/profile.h). */
  stackDepth(): number;
  /** The stacks of `ids` in a running tracer's stack-trace map: ids.length x stackDepth() little-endian u64 instruction pointers, innermost first; a 0 ends a stack early; a negative or missing id gives zeros. With remove, the stacks read are deleted from the map. */
  stackTraces(id: number, map: string, ids: Int32Array | number[], remove?: boolean): ArrayBuffer;
  /** Empties a running tracer's hash or stack-trace map without reading it; returns the entries deleted. */
  mapClear(id: number, map: string): number;
  /**
   * Symbols of FILE offsets (runtime address - mapping start + mapping offset, from /proc/PID/maps) in an ELF file
   * (typically /proc/PID/map_files/START-END or /proc/PID/root/PATH), on the libuv thread pool: .symtab, else debug
   * info from /usr/lib/debug (build-id, debuglink; never debuginfod), else .dynsym; C++ demangled. A file that cannot
   * be used resolves with `error` (bad arguments throw). Pass a return address minus 1 for frames other than the innermost.
   */
  elfSymbolize(path: string, fileOffsets: Float64Array | number[]): Promise<NativeSymbolized>;
  /** One callback for every tracer: buffer = records [u16 id][u16 0][u32 len][data][pad to 8]. */
  setCallback(cb: ((batch: ArrayBuffer) => void) | null): void;
  poll(): number;
  programs(id: number): { name: string; id?: number }[];
  probe(section: string): string;
  features(): NativeFeatures;

  // The BPF iterators (native/addon/iterators.cc): not tracers, not in tracers.def.
  /** Start loading the task iterator on a native thread (bin/ostop.js calls it before the JS loads); errors surface from tasksOpen(). */
  tasksPrepare(): void;
  /** Load and attach the task iterator once (idempotent); throws (with .errno) when it cannot here: no privilege, no BTF, old kernel. */
  tasksOpen(): NativeTasksInfo;
  /**
   * One pass of the task iterator: n x struct tasks_rec (native/bpf/tasks.h),
   * one per task. Throws when not open. With `into` large enough, the records
   * are copied there and their byte count is returned (an addon built before
   * `into` existed ignores it and returns a new ArrayBuffer).
   */
  tasksRead(): ArrayBuffer;
  tasksRead(into: ArrayBuffer): ArrayBuffer | number;
  /** Unload the task iterator (also one tasksPrepare() loaded). */
  tasksClose(): void;
  /** { tasks_rec: layout }: the C offsetof/sizeof of struct tasks_rec. */
  tasksLayout(): Record<string, NativeLayout>;
  /** One pass of the socket-owner iterator (loaded on first use): n x struct taskfiles_rec (native/bpf/taskfiles.h). */
  taskFilesRead(): ArrayBuffer;
  /** Unload the socket-owner iterator. */
  taskFilesClose(): void;
  /** sizeof(struct taskfiles_rec), for the decoder's check against a stale build. */
  taskFilesRecordSize(): number;
  /** { taskfiles_rec: layout }: the C offsetof/sizeof of struct taskfiles_rec. */
  taskFilesLayout(): Record<string, NativeLayout>;

  /** Save inFd's termios (call before raw mode) and restore it, writing `reset` to outFd, on a fatal signal JS cannot handle. */
  armTerminalGuard?(outFd: number, inFd: number, reset: string): boolean;
  disarmTerminalGuard?(): void;
}

/** Every function the addon exports (native/addon/init.cc's table and termguard.cc); test/native/exports.test.ts holds the built addon to it. */
export const NATIVE_FUNCTIONS = [
  'tracers', 'layouts', 'probe', 'features', 'start', 'stop', 'stopAll', 'stopping', 'programs', 'mallocTrim',
  'setFilter', 'drops', 'mapDump', 'mapClear', 'stackDepth', 'stackTraces', 'elfSymbolize', 'setCallback', 'poll', 'nativeDrops',
  'tasksPrepare', 'tasksOpen', 'tasksRead', 'tasksClose', 'tasksLayout',
  'taskFilesRead', 'taskFilesClose', 'taskFilesRecordSize', 'taskFilesLayout',
  'armTerminalGuard', 'disarmTerminalGuard',
] as const satisfies readonly (keyof NativeAddon)[];
/** Compile-time: every member of NativeAddon is in NATIVE_FUNCTIONS (a missing one makes this type an error). */
type OnlyNever<T extends never> = T;
export type NativeFunctionsUnlisted = OnlyNever<Exclude<keyof NativeAddon, (typeof NATIVE_FUNCTIONS)[number]>>;

export class NativeUnavailableError extends Error {
  constructor(message: string, readonly hint: string) {
    super(message);
    this.name = 'NativeUnavailableError';
  }
}

/** The first line of an error the addon threw (later lines are libbpf's messages). */
export function nativeErrorLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}

export type NativeResult = { ok: true; addon: NativeAddon } | { ok: false; error: NativeUnavailableError };

let cached: NativeResult | undefined;

/** The repository root: the nearest ancestor with package.json (works from src/ and dist/src/). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'native'))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

/** The addon to load: OSTOP_NATIVE_PATH (as root only a root-owned file nobody else can write) or the build's. */
export function nativeAddonPath(): string {
  const warn = (msg: string) => process.stderr.write(`ostop: ${msg}\n`);
  return envPath('OSTOP_NATIVE_PATH', { warn }) ?? join(packageRoot(), 'native', 'build', 'Release', 'ostop_native.node');
}

export function loadNative(): NativeResult {
  if (cached) return cached;
  const path = nativeAddonPath();
  if (process.platform !== 'linux') {
    return (cached = { ok: false, error: new NativeUnavailableError('eBPF tracing needs Linux', 'run ostop on Linux') });
  }
  if (!existsSync(path)) {
    return (cached = {
      ok: false,
      error: new NativeUnavailableError(`the native addon is not built (${path} missing)`, 'run: npm run setup (needs clang, libbpf-dev, bpftool)'),
    });
  }
  try {
    const req = createRequire(import.meta.url);
    const addon = req(path) as NativeAddon;
    return (cached = { ok: true, addon });
  } catch (e) {
    return (cached = {
      ok: false,
      error: new NativeUnavailableError(`the native addon failed to load: ${e instanceof Error ? e.message : String(e)}`, 'rebuild it: npm run setup'),
    });
  }
}

/** Why tracing cannot work here, or null when privilege and BTF look fine. Cheap; no addon needed. */
export function tracingUnsupportedReason(): string | null {
  if (!existsSync('/sys/kernel/btf/vmlinux')) {
    return 'kernel BTF (/sys/kernel/btf/vmlinux) is missing: tracing needs a kernel built with CONFIG_DEBUG_INFO_BTF=y';
  }
  if (typeof process.geteuid === 'function' && process.geteuid() === 0) return null;
  try {
    const eff = parseStatus(readFileSync('/proc/self/status', 'utf8')).capEff;
    const caps = eff !== undefined && /^[0-9a-f]+$/i.test(eff) ? BigInt('0x' + eff) : 0n;
    const has = (bit: number) => (caps >> BigInt(bit)) & 1n;
    const CAP_SYS_ADMIN = 21, CAP_PERFMON = 38, CAP_BPF = 39;
    if ((has(CAP_BPF) && has(CAP_PERFMON)) || has(CAP_SYS_ADMIN)) return null;
  } catch {
    /* fall through */
  }
  return 'tracing needs root or CAP_BPF+CAP_PERFMON: run ostop with sudo';
}
