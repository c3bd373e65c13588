// Symbolisation of sampled stacks (the profile and offcpu tracers):
//  - kernel frames from /proc/kallsyms (parsed once, binary search);
//  - user frames from the ELF symbol tables of the file behind each mapping
//    of /proc/PID/maps, through the addon's elfSymbolize (elfutils libdwfl,
//    on the thread pool): the file offset is addr - mapping start + page
//    offset; the file is opened as /proc/PID/map_files/START-END as root
//    (the very file mapped, even if deleted or in another mount namespace),
//    else /proc/PID/root/PATH; once the process is gone, PATH itself when its
//    device and inode still match the mapping's;
//  - JIT frames (anonymous executable memory) from the process's
//    /tmp/perf-PID.map (perf-map-file.ts: trust checks);
//  - whatever does not resolve is shown as module+0xoffset.
// Caches: a module (device:inode of the mapping) learns its build id from
// the first lookup; symbols are cached per build id (the same library seen
// under other paths or in other containers is looked up once) when the file
// is root's and closed to others: another user's file may carry any build
// id, and must not put its names on root's libc. Maps (and
// perf maps) are captured per pid the first time it is seen and kept after
// it exits, so its samples still resolve; they are re-read when an address
// falls outside them (new mappings, exec) and dropped by forget() once the
// caller has symbolised the pid's last samples. The JS work yields to the
// event loop every few milliseconds: keys stay responsive meanwhile.
import * as fs from 'node:fs';
import { readFileFast } from './procfs/read.js';
import { parseKallsyms, parseKallsymsSliced, lookupKernel, kernelHex, type KernelSymbols } from './procfs/kallsyms.js';
import { parseMaps, findMapping, fileOffset, isFileMapping, mapFilesName, type MapEntry } from './procfs/pid-maps.js';
import { lookupPerfMap, type PerfMap } from './procfs/perf-map.js';
import { readPerfMapAsync } from './perf-map-file.js';
import { parseStat } from './procfs/pid-stat.js';
import { lastAtOrBelow } from '../util/search.js';

/** What the addon's elfSymbolize resolves: per file offset, the symbol (demangled) and the offset into it. */
export interface ElfSymbolizeResult {
  buildId: string | null;
  /** Root's file that nobody else can write: only then may its build id key the shared cache (anyone can put any build id in their own file). */
  rootOwned?: boolean;
  names: (string | null)[];
  symOffsets: number[];
  error?: string;
}
export type ElfSymbolize = (path: string, fileOffsets: number[]) => Promise<ElfSymbolizeResult>;

export interface Frame {
  /** Function name, or "0xADDR" / "module+0xOFF" when it did not resolve. */
  name: string;
  /** Short module name: "libc.so.6", "kernel", "ext4", "[jit]", "[vdso]", "[unknown]". */
  module: string;
  kernel: boolean;
  resolved: boolean;
}

export interface SymbolizerOptions {
  procRoot?: string;
  /** Where JIT perf maps live (tests: a scratch directory). */
  tmpDir?: string;
  /** The addon's ELF symboliser; without it file-backed frames show as module+0xoff. */
  elf?: ElfSymbolize;
  /** Text of /proc/kallsyms (tests pass a fixture). */
  kallsyms?: () => string | undefined;
  /** Open mapped files through /proc/PID/map_files (root only). Default: euid 0. */
  mapFiles?: boolean;
  /** Yield to the event loop after this much synchronous work. */
  sliceMs?: number;
  /**
   * Keep each executable mapped file open from the moment its process is
   * first seen (through /proc/PID/map_files, root), so it can be symbolised
   * after the process exited or the file was deleted or replaced (trace mode
   * symbolises at the end). At most HELD_FILES_MAX; close() releases them.
   */
  holdFiles?: boolean;
}

/** Files held open at most (holdFiles). */
export const HELD_FILES_MAX = 512;

export interface SymbolizerStats {
  /** elfSymbolize calls and the offsets they resolved. */
  elfCalls: number;
  elfOffsets: number;
  /** Maps captured (first sight, refresh). */
  mapsRead: number;
  /** Perf maps refused by the trust checks (link, foreign owner, not a file). */
  perfMapsRefused: number;
  /** Modules whose file could not be opened or read (reason: last error). */
  elfErrors: number;
  lastElfError?: string;
  /** The slowest elfSymbolize calls (the bench's report): file, offsets, ms. */
  slowest: Array<{ path: string; module: string; offsets: number; ms: number }>;
}

interface PidInfo {
  maps: MapEntry[];
  /** The comm when the maps were read. */
  comm: string;
  starttime: number;
  alive: boolean;
  /** undefined: not read yet; null: none or refused. */
  perfMap?: PerfMap | null;
  perfMapNote?: string;
  /** Generation of the last maps / perf map refresh (one of each per resolve pass). */
  refreshedAt: number;
  perfMapAt: number;
}

interface Sym { name: string; offset: number }

/**
 * What is known of one file's symbols: file offset -> symbol (null: none
 * there), plus, per function start, the largest offset seen inside it: an
 * offset between a function's start and an offset known to be in it is in
 * it too (a function is contiguous), so it needs no lookup.
 */
export class SymTable {
  static readonly AT_MAX = 200_000;
  private readonly at = new Map<number, Sym | null>();
  private readonly spans = new Map<number, { name: string; max: number }>();
  private starts: number[] | null = [];

  has(off: number): boolean {
    return this.at.has(off) || this.inferred(off) !== undefined;
  }

  get(off: number): Sym | null | undefined {
    const v = this.at.get(off);
    return v !== undefined ? v : this.inferred(off);
  }

  set(off: number, sym: Sym | null): void {
    // Bounded: past AT_MAX offsets the exact ones are dropped (the function spans still answer most).
    if (this.at.size >= SymTable.AT_MAX) this.at.clear();
    this.at.set(off, sym);
    if (!sym) return;
    const start = off - sym.offset;
    const span = this.spans.get(start);
    if (!span) {
      this.spans.set(start, { name: sym.name, max: off });
      this.starts = null;
    } else if (off > span.max) span.max = off;
  }

  entries(): IterableIterator<[number, Sym | null]> {
    return this.at.entries();
  }

  private inferred(off: number): Sym | undefined {
    const starts = (this.starts ??= [...this.spans.keys()].sort((a, b) => a - b));
    const found = lastAtOrBelow(starts, off);
    if (found < 0) return undefined;
    const span = this.spans.get(starts[found])!;
    return off <= span.max ? { name: span.name, offset: off - starts[found] } : undefined;
  }
}

interface Module {
  buildId?: string | null;
  /** What is known of its symbols. Shared by the modules of one build id (root's files only). */
  symbols: SymTable;
  name: string;
}

/** A user stack to resolve: its process and its instruction pointers, innermost first. */
export interface UserStackRequest {
  pid: number;
  comm: string;
  ips: readonly number[];
}

/** Device "fd:01" (maps) of a stat st_dev. */
function devString(dev: number): string {
  const major = ((dev >>> 8) & 0xfff) | (Math.floor(dev / 2 ** 32) & ~0xfff);
  const minor = (dev & 0xff) | ((dev >>> 12) & ~0xff & 0xfffff);
  return `${major.toString(16).padStart(2, '0')}:${minor.toString(16).padStart(2, '0')}`;
}

function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i >= 0 ? p.slice(i + 1) : p;
}

/** A module's short name for a mapping: the file's basename, or the pseudo name. */
export function moduleName(m: MapEntry | undefined): string {
  if (!m) return '[unknown]';
  if (m.path.startsWith('/')) return basename(m.path) + (m.deleted ? ' (deleted)' : '');
  if (m.path.startsWith('[')) return m.path.replace(/^\[anon:.*\]$/, '[anon]');
  return '[anon]';
}

/** elfSymbolize calls in flight at once. */
const ELF_IN_FLIGHT = 3;

export class Symbolizer {
  private readonly procRoot: string;
  private readonly mapFiles: boolean;
  private readonly sliceMs: number;
  private kernel?: KernelSymbols;
  private kernelNote?: string;
  private readonly pids = new Map<number, PidInfo>();
  private readonly modules = new Map<string, Module>();
  private readonly byBuildId = new Map<string, SymTable>();
  private readonly kframes = new Map<number, Frame>();
  /** Module key (dev:inode) -> a descriptor of the mapped file (holdFiles). */
  private readonly held = new Map<string, number>();
  /** Pids whose maps could not be read in this pass (not tried again in it). */
  private readonly missing = new Set<number>();
  private generation = 0;
  readonly stats: SymbolizerStats = { elfCalls: 0, elfOffsets: 0, mapsRead: 0, perfMapsRefused: 0, elfErrors: 0, slowest: [] };

  constructor(private readonly o: SymbolizerOptions = {}) {
    this.procRoot = o.procRoot ?? '/proc';
    this.mapFiles = o.mapFiles ?? (typeof process.geteuid === 'function' && process.geteuid() === 0);
    this.sliceMs = o.sliceMs ?? 8;
  }

  // ---- kernel -----------------------------------------------------------------

  /** Load /proc/kallsyms (once; again with force, after modules were loaded). */
  loadKernel(force = false): KernelSymbols | undefined {
    if (this.kernel && !force) return this.kernel;
    const text = this.o.kallsyms ? this.o.kallsyms() : readFileFast(`${this.procRoot}/kallsyms`, 'utf8', 256 * 1024 * 1024);
    if (text === undefined) {
      this.kernelNote = 'cannot read /proc/kallsyms: kernel frames are shown as addresses';
      return undefined;
    }
    this.kernel = parseKallsyms(text);
    this.kernelNote = this.kernel.restricted
      ? 'kernel symbols are hidden (/proc/kallsyms reads as zeros: kernel.kptr_restrict, or no CAP_SYSLOG): kernel frames are shown as addresses'
      : undefined;
    return this.kernel;
  }

  private kernelLoading?: Promise<KernelSymbols | undefined>;

  /**
   * Load /proc/kallsyms without holding the event loop: read on the thread
   * pool, parsed in slices (about 150 ms of work in all for 120,000
   * symbols, never more than a slice at a time). Once; the sync
   * loadKernel() is for tools without a UI.
   */
  loadKernelAsync(): Promise<KernelSymbols | undefined> {
    if (this.kernel) return Promise.resolve(this.kernel);
    return (this.kernelLoading ??= (async () => {
      let text: string | undefined;
      try {
        text = this.o.kallsyms ? this.o.kallsyms() : await fs.promises.readFile(`${this.procRoot}/kallsyms`, 'utf8');
      } catch {
        text = undefined;
      }
      if (text === undefined) return this.loadKernel();
      let slice = performance.now();
      const k = await parseKallsymsSliced(text, async () => {
        if (performance.now() - slice < this.sliceMs) return;
        await new Promise((r) => setImmediate(r));
        slice = performance.now();
      });
      this.kernel = k;
      this.kernelNote = k.restricted
        ? 'kernel symbols are hidden (/proc/kallsyms reads as zeros: kernel.kptr_restrict, or no CAP_SYSLOG): kernel frames are shown as addresses'
        : undefined;
      return k;
    })());
  }

  /** Why kernel frames do not resolve, or undefined when they do. */
  kernelProblem(): string | undefined {
    return this.kernelNote;
  }

  /**
   * The frames of a kernel stack (offsets from KERNEL_BASE, innermost first).
   * Return addresses (every frame but the innermost) are looked up one byte
   * back, inside the call instruction, as perf does.
   */
  kernelFrames(offsets: readonly number[]): Frame[] {
    const k = this.loadKernel();
    const out: Frame[] = [];
    for (let i = 0; i < offsets.length; i++) {
      out.push(this.kernelFrame(k, i === 0 ? offsets[i] : offsets[i] - 1, offsets[i]));
    }
    return out;
  }

  private kernelFrame(k: KernelSymbols | undefined, addr: number, ip: number): Frame {
    const hit = k && !k.restricted ? lookupKernel(k, addr) : undefined;
    // Cached by symbol (not address): one Frame object per function.
    const key = hit ? k!.addrs[this.kernelIndex(k!, addr)] : -1 - ip;
    let f = this.kframes.get(key);
    if (!f) {
      f = hit
        ? { name: hit.name, module: hit.module || 'kernel', kernel: true, resolved: true }
        : { name: '0x' + kernelHex(ip), module: 'kernel', kernel: true, resolved: false };
      if (this.kframes.size < 1 << 20) this.kframes.set(key, f);
    }
    return f;
  }

  private kernelIndex(k: KernelSymbols, off: number): number {
    let lo = 0, hi = k.addrs.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (k.addrs[mid] <= off) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  // ---- processes --------------------------------------------------------------

  /** Read (or re-read) the maps of `pid` now. False when it is gone or unreadable (the old capture, if any, is kept). */
  capture(pid: number, comm = ''): boolean {
    const text = readFileFast(`${this.procRoot}/${pid}/maps`, 'utf8', 64 * 1024 * 1024);
    const stat = readFileFast(`${this.procRoot}/${pid}/stat`);
    const st = stat === undefined ? undefined : parseStat(stat);
    if (text === undefined || !st) {
      const old = this.pids.get(pid);
      if (old) old.alive = false;
      return false;
    }
    this.stats.mapsRead++;
    const maps = parseMaps(text);
    if (this.o.holdFiles && this.mapFiles) this.hold(pid, maps);
    const old = this.pids.get(pid);
    // Same process (not a reused pid): keep its perf map unless refreshed below.
    const same = old && old.starttime === st.starttime;
    this.pids.set(pid, {
      maps,
      comm: comm || st.comm,
      starttime: st.starttime,
      alive: true,
      perfMap: same ? old.perfMap : undefined,
      perfMapNote: same ? old.perfMapNote : undefined,
      refreshedAt: this.generation,
      perfMapAt: same ? old.perfMapAt : -1,
    });
    return true;
  }

  /** Open the executable files of `maps` not held yet (O_NONBLOCK: a FIFO cannot block; only regular files are kept). */
  private hold(pid: number, maps: MapEntry[]): void {
    for (const m of maps) {
      if (this.held.size >= HELD_FILES_MAX) return;
      if (!isFileMapping(m) || !m.perms.includes('x')) continue;
      const key = `${m.dev}:${m.inode}`;
      if (this.held.has(key)) continue;
      let fd = -1;
      try {
        fd = fs.openSync(`${this.procRoot}/${pid}/map_files/${mapFilesName(m)}`, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
        const st = fs.fstatSync(fd);
        if (st.isFile() && st.ino === m.inode) {
          this.held.set(key, fd);
          fd = -1;
        }
      } catch {
        /* gone, or not ours to open: the other paths remain */
      } finally {
        if (fd >= 0) fs.closeSync(fd);
      }
    }
  }

  /** Release the files held open (holdFiles). */
  close(): void {
    for (const fd of this.held.values()) {
      try { fs.closeSync(fd); } catch { /* ignore */ }
    }
    this.held.clear();
  }

  /** Pids whose maps are held. */
  captured(): number[] {
    return [...this.pids.keys()];
  }

  has(pid: number): boolean {
    return this.pids.has(pid);
  }

  /** Drop what is kept for `pid` (call once its last samples are symbolised and it is gone). */
  forget(pid: number): void {
    this.pids.delete(pid);
    this.missing.delete(pid);
  }

  /** Pids held whose process no longer exists (or whose pid was reused): ready to forget once their samples are resolved. */
  exited(): number[] {
    const out: number[] = [];
    for (const [pid, p] of this.pids) {
      const stat = readFileFast(`${this.procRoot}/${pid}/stat`);
      const st = stat === undefined ? undefined : parseStat(stat);
      if (!st || st.starttime !== p.starttime) {
        p.alive = false;
        out.push(pid);
      }
    }
    return out;
  }

  /** Why JIT frames of `pid` do not resolve (perf map refused or missing), if known. */
  perfMapNote(pid: number): string | undefined {
    return this.pids.get(pid)?.perfMapNote;
  }

  /** (Re)read the perf map of `pid` (once per pass), off the event loop. */
  private async loadPerfMap(pid: number, p: PidInfo): Promise<void> {
    p.perfMapAt = this.generation;
    const r = await readPerfMapAsync(pid, { procRoot: this.procRoot, tmpDir: this.o.tmpDir, pause: this.pauser() });
    if (r.ok) {
      p.perfMap = r.map;
      p.perfMapNote = r.truncated ? `${r.path} is larger than the cap: read in part` : undefined;
    } else {
      // Keep an older good map when a re-read fails (the process exited and took its file along, say).
      if (p.perfMap === undefined) p.perfMap = null;
      if (r.reason !== 'none') {
        p.perfMapNote = `${r.path || 'perf map'}: ${r.reason}`;
        if (/refused/.test(r.reason)) this.stats.perfMapsRefused++;
      }
    }
  }

  /** A pause() that yields to the event loop once `sliceMs` of work has run since the last yield. */
  private pauser(): () => Promise<void> {
    let slice = performance.now();
    return async () => {
      if (performance.now() - slice < this.sliceMs) return;
      await new Promise((r) => setImmediate(r));
      slice = performance.now();
    };
  }

  // ---- user stacks ---------------------------------------------------------------

  /**
   * Resolve user stacks (each innermost first) into frames, innermost first.
   * One elfSymbolize call per module for everything not cached yet; yields
   * to the event loop between slices of work.
   */
  async userStacks(reqs: readonly UserStackRequest[]): Promise<Frame[][]> {
    this.generation++;
    this.missing.clear();
    const pause = this.pauser();
    const perfLoads = new Map<number, PidInfo>();
    // Pass 1: place every address in a mapping; collect what modules must look up.
    type Placed = { m?: MapEntry; addr: number; ip: number; pid: number };
    const placed: Placed[][] = [];
    const wanted = new Map<string, { mod: Module; pid: number; m: MapEntry; offs: Set<number> }>();
    for (const req of reqs) {
      // New stacks of a live process: its maps as they are now (new mappings, exec), read once per pass.
      let p = this.pids.get(req.pid);
      if ((!p && !this.missing.has(req.pid)) || (p && p.alive && p.refreshedAt !== this.generation)) {
        if (!this.capture(req.pid, req.comm) && !p) this.missing.add(req.pid);
        p = this.pids.get(req.pid);
      }
      const row: Placed[] = [];
      for (let i = 0; i < req.ips.length; i++) {
        const addr = i === 0 ? req.ips[i] : req.ips[i] - 1;
        let m = p ? findMapping(p.maps, addr) : undefined;
        if (!m && p && p.alive && p.refreshedAt !== this.generation) {
          // A new mapping since the capture (dlopen, exec): read the maps again, once per pass.
          this.capture(req.pid, req.comm);
          p = this.pids.get(req.pid)!;
          m = findMapping(p.maps, addr);
        }
        row.push({ m, addr, ip: req.ips[i], pid: req.pid });
        // Anonymous executable memory: a JIT's; its perf map is read (again, if this address is new to it) before pass 3.
        if (p && !(m && isFileMapping(m)) && (!m || m.perms.includes('x'))) {
          const known = p.perfMap !== undefined && (p.perfMap === null ? false : lookupPerfMap(p.perfMap, addr) !== undefined);
          if (p.perfMap === undefined || (!known && p.alive && p.perfMapAt !== this.generation)) perfLoads.set(req.pid, p);
        }
        if (m && isFileMapping(m)) {
          const key = `${m.dev}:${m.inode}`;
          let mod = this.modules.get(key);
          if (!mod) this.modules.set(key, (mod = { symbols: new SymTable(), name: moduleName(m) }));
          const off = fileOffset(m, addr);
          if (!mod.symbols.has(off)) {
            let w = wanted.get(key);
            if (!w) wanted.set(key, (w = { mod, pid: req.pid, m, offs: new Set() }));
            w.offs.add(off);
          }
        }
      }
      placed.push(row);
      await pause();
    }
    // Pass 2: one lookup per module, on the thread pool, all at once.
    // A few at a time: each call holds a libuv pool thread (4 by default) while it reads a file.
    const elfDone = (async () => {
      if (!this.o.elf) return;
      const queue = [...wanted.values()];
      const worker = async () => {
        for (let w = queue.shift(); w; w = queue.shift()) await this.lookupModule(w.mod, w.pid, w.m, [...w.offs]);
      };
      await Promise.all(Array.from({ length: Math.min(ELF_IN_FLIGHT, queue.length) }, worker));
    })();
    // Meanwhile the JITs' perf maps, one after the other.
    for (const [pid, p] of perfLoads) await this.loadPerfMap(pid, p);
    await elfDone;
    // Pass 3: frames.
    const out: Frame[][] = [];
    for (const row of placed) {
      const frames: Frame[] = [];
      for (const pl of row) frames.push(this.userFrame(pl.pid, pl.m, pl.addr, pl.ip));
      out.push(frames);
      await pause();
    }
    return out;
  }

  private frameCache = new Map<string, Frame>();

  private frame(name: string, module: string, resolved: boolean): Frame {
    const key = `${module}\0${name}`;
    let f = this.frameCache.get(key);
    if (!f) {
      f = { name, module, kernel: false, resolved };
      if (this.frameCache.size < 1 << 20) this.frameCache.set(key, f);
    }
    return f;
  }

  /** `addr` is what is looked up (a return address one byte back), `ip` what an unresolved frame shows. */
  private userFrame(pid: number, m: MapEntry | undefined, addr: number, ip: number): Frame {
    if (m && isFileMapping(m)) {
      const mod = this.modules.get(`${m.dev}:${m.inode}`);
      const off = fileOffset(m, addr);
      const sym = mod?.symbols.get(off);
      if (sym) return this.frame(sym.name, mod!.name, true);
      return this.frame(`${moduleName(m)}+0x${fileOffset(m, ip).toString(16)}`, moduleName(m), false);
    }
    // Anonymous executable memory (or no mapping at all): a JIT's code, from its perf map (read before this pass).
    const p = this.pids.get(pid);
    if (p?.perfMap && (!m || m.perms.includes('x'))) {
      const hit = lookupPerfMap(p.perfMap, addr);
      if (hit) return this.frame(hit.name, '[jit]', true);
    }
    const mod = moduleName(m);
    return this.frame(m ? `${mod}+0x${(ip - m.start).toString(16)}` : `0x${ip.toString(16)}`, mod, false);
  }

  /** The path to open for mapping `m` of `pid`, best first. */
  private candidates(pid: number, m: MapEntry): string[] {
    const out: string[] = [];
    const fd = this.held.get(`${m.dev}:${m.inode}`);
    if (fd !== undefined) out.push(`/proc/self/fd/${fd}`);
    if (this.mapFiles) out.push(`${this.procRoot}/${pid}/map_files/${mapFilesName(m)}`);
    if (!m.deleted) {
      out.push(`${this.procRoot}/${pid}/root${m.path}`);
      // The process is gone: the path as we see it, if it is still the very file mapped.
      try {
        const st = fs.statSync(m.path);
        if (st.isFile() && st.ino === m.inode && devString(st.dev) === m.dev) out.push(m.path);
      } catch {
        /* not there */
      }
    }
    return out;
  }

  private async lookupModule(mod: Module, pid: number, m: MapEntry, offs: number[]): Promise<void> {
    let res: ElfSymbolizeResult | undefined;
    let lastErr = '';
    for (const path of this.candidates(pid, m)) {
      try {
        this.stats.elfCalls++;
        this.stats.elfOffsets += offs.length;
        const t0 = performance.now();
        res = await this.o.elf!(path, offs);
        const ms = performance.now() - t0;
        const slow = this.stats.slowest;
        if (slow.length < 3 || ms > slow[slow.length - 1].ms) {
          slow.push({ path, module: mod.name, offsets: offs.length, ms });
          slow.sort((a, b) => b.ms - a.ms);
          slow.length = Math.min(slow.length, 3);
        }
        if (!res.error) break;
        lastErr = res.error;
        res = undefined;
      } catch (e) {
        lastErr = (e as Error).message;
      }
    }
    if (!res) {
      this.stats.elfErrors++;
      this.stats.lastElfError = `${m.path}: ${lastErr || 'no way to open it'}`;
      // Remember the misses: no retry every second for a file that cannot be read.
      for (const o of offs) mod.symbols.set(o, null);
      return;
    }
    if (res.buildId && res.rootOwned && mod.buildId === undefined) {
      // The first module of this build id owns the shared table; later ones adopt it.
      const shared = this.byBuildId.get(res.buildId);
      if (shared) {
        for (const [k, v] of mod.symbols.entries()) shared.set(k, v);
        mod.symbols = shared;
      } else this.byBuildId.set(res.buildId, mod.symbols);
    }
    mod.buildId = res.buildId;
    for (let i = 0; i < offs.length; i++) {
      const name = res.names[i];
      mod.symbols.set(offs[i], name ? { name, offset: res.symOffsets[i] ?? 0 } : null);
    }
  }

  /** Modules looked up so far and their build ids (for tests and the bench). */
  moduleBuildIds(): Map<string, string | null | undefined> {
    return new Map([...this.modules].map(([k, m]) => [k, m.buildId]));
  }
}
