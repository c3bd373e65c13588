// The failures view's Source and the process-wide hub behind it.
//
// The hub lives as long as ostop: the timeline must keep entries "since
// ostop started" although the app rebuilds a view's Source on every show.
// The kernel log is re-read from where the hub left off (its backlog covers
// the time the view was hidden); the eBPF feed runs only while the view is
// shown (zero cost when hidden, as DESIGN.md asks), so deaths while hidden
// are known only if the kernel logged them.
//
// The Source reads /proc/PID/limits, the core pattern and the dump
// directories; the Screen only tells it which PID is the target through
// FailuresControl.
import * as fs from 'node:fs';
import { KmsgReader, monoUsecToWallMs, monotonicUsec } from '../collectors/kmsg.js';
import {
  describeCorePattern, listDumps, readCoreLimit, readCorePattern, whereDumpsGo, type CoreDumpFile, type CorePatternInfo,
} from '../collectors/coredump.js';
import { FailureTimeline } from '../model/failures.js';
import { KmsgFailureClassifier } from '../model/failures-kmsg.js';
import type { FailureFeed, RecordedExit } from '../model/failures-ebpf.js';
import {
  filterEntries, kmsgLine, linkDumps, toEntryRow, type CoreTarget, type FailuresModel, type FeedStatus, type KmsgLine,
} from '../model/failures-model.js';
import type { Source } from '../app/view.js';
import { sanitize } from '../util/text.js';
import { Ring } from '../store/ring.js';
import { ostopCoreDir } from '../util/private-dir.js';

/** Most kernel-log lines kept in memory (the kernel ring holds fewer on most machines). */
const KMSG_KEEP = 20000;

export interface HubOptions {
  kmsgPath?: string;
  procRoot?: string;
  /** Creates the eBPF feed; null/undefined when this build has none. */
  ebpfFeed?: (() => FailureFeed) | null;
}

let ebpfFeedFactory: (() => FailureFeed) | null = null;
let ebpfUnavailable = 'eBPF exit tracer not wired in this build: deaths by kill(2), non-zero exits and short-lived processes that did not fault are not seen';

/** Installed by the eBPF binding once the tracer manager is available. */
export function setFailureFeedFactory(f: (() => FailureFeed) | null, whyNot?: string): void {
  ebpfFeedFactory = f;
  if (whyNot) ebpfUnavailable = whyNot;
}

export class FailuresHub {
  readonly timeline = new FailureTimeline();
  readonly startedUsec = monotonicUsec();
  private reader: KmsgReader;
  private classifier = new KmsgFailureClassifier();
  /** The newest KMSG_KEEP kernel-log lines (src/store Ring). */
  private lines = new Ring<KmsgLine>(KMSG_KEEP);
  kmsgError: string | null = null;
  private ebpf: FailureFeed | null = null;
  ebpfNote: string | null = null;
  private ebpfDropsBase = 0;
  readonly procRoot: string;
  private feedFactory: (() => FailureFeed) | null | undefined;

  constructor(opts: HubOptions = {}) {
    this.reader = new KmsgReader(opts.kmsgPath ?? '/dev/kmsg');
    this.procRoot = opts.procRoot ?? '/proc';
    this.feedFactory = opts.ebpfFeed;
  }

  /** Read new kernel-log records and feed the timeline. `final` flushes reports still waiting for their last line. */
  async pollKmsg(final = false): Promise<void> {
    if (this.kmsgError && !final) return;
    try {
      const res = await this.reader.drain();
      for (const r of res.records) {
        for (const ev of this.classifier.feed(r)) this.timeline.add(ev);
        const l = kmsgLine(r, monoUsecToWallMs(r.usec), null);
        if (r.facility !== 0) l.highlight = null; // only the kernel's own lines are failures
        this.lines.push(l);
      }
      // Give the kernel a second to finish a multi-line report before emitting it half-known.
      for (const ev of this.classifier.flush(final ? Infinity : monotonicUsec() - 1_000_000)) this.timeline.add(ev);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      this.kmsgError = err.code === 'EACCES' || err.code === 'EPERM'
        ? `cannot read ${this.reader.path} (${err.code}): run as root, or set kernel.dmesg_restrict=0`
        : `cannot read ${this.reader.path}: ${err.message}`;
    }
  }

  get kmsgLines(): readonly KmsgLine[] {
    return this.lines.toArray();
  }

  get kmsgOverwritten(): number {
    return this.reader.totalOverwritten;
  }

  get kmsgLost(): number {
    return this.reader.totalLost;
  }

  async startEbpf(): Promise<void> {
    if (this.ebpf) return;
    const factory = this.feedFactory === undefined ? ebpfFeedFactory : this.feedFactory;
    if (!factory) {
      this.ebpfNote = ebpfUnavailable;
      return;
    }
    try {
      const feed = factory();
      await feed.start();
      this.ebpf = feed;
      this.ebpfNote = null;
    } catch (e) {
      this.ebpfNote = `eBPF exit tracer unavailable: ${(e as Error).message}`;
    }
  }

  async pollEbpf(): Promise<void> {
    if (!this.ebpf) return;
    try {
      for (const ev of await this.ebpf.poll()) this.timeline.add(ev);
    } catch (e) {
      this.ebpfNote = `eBPF exit tracer failed: ${(e as Error).message}`;
      this.stopEbpf();
    }
  }

  /**
   * Recent ends of `pid` the exit tracer saw (normal ones too), oldest
   * first; null when no exit tracer runs (not root, or stopped). The
   * drill-in asks this to say how a process it showed ended, so no second
   * exit tracer is attached for it.
   */
  exitsOf(pid: number): readonly RecordedExit[] | null {
    return this.ebpf?.exitsOf ? this.ebpf.exitsOf(pid) : null;
  }

  /** Keep the eBPF feed running when the view hides (the app records from launch); close() still stops it. */
  pinned = false;

  stopEbpf(force = false): void {
    if (this.pinned && !force) return;
    if (this.ebpf) {
      this.ebpfDropsBase += this.ebpf.drops();
      this.ebpf.stop();
      this.ebpf = null;
    }
  }

  feedStatus(): FeedStatus[] {
    return [
      { name: 'ebpf', active: this.ebpf !== null, note: this.ebpf ? null : this.ebpfNote, drops: this.ebpfDropsBase + (this.ebpf?.drops() ?? 0) },
      { name: 'kmsg', active: this.reader.isOpen && !this.kmsgError, note: this.kmsgError, drops: this.reader.totalLost },
    ];
  }

  close(): void {
    this.stopEbpf(true);
    this.reader.close();
  }
}

let shared: FailuresHub | undefined;

/** The hub if something already created it (the recorder as root, the failures view), without creating one. */
export function existingFailuresHub(): FailuresHub | undefined {
  return shared;
}

/** The process-wide hub (created on first use, i.e. when ostop starts the failures view or a dump). */
export function failuresHub(): FailuresHub {
  shared ??= new FailuresHub();
  return shared;
}

/** Screen -> Source: which process the core-limit panel and the actions are about. */
export interface FailuresControl {
  /** A PID chosen by the person (prompt or drill-in param); null: follow the selected entry. */
  targetPid: number | null;
  /** The selected timeline entry's parent pid, to show the limit its siblings inherit. */
  selectedParentPid: number | null;
}

function readText(p: string): string | null {
  try { return fs.readFileSync(p, 'utf8'); } catch { return null; }
}

function readLink(p: string): string | null {
  try { return fs.readlinkSync(p); } catch { return null; }
}

export interface ProcBrief { pid: number; comm: string; exe: string | null; cwd: string | null; uid: number }

export function readProcBrief(pid: number, procRoot = '/proc'): ProcBrief | null {
  const comm = readText(`${procRoot}/${pid}/comm`);
  if (comm === null) return null;
  const status = readText(`${procRoot}/${pid}/status`) ?? '';
  const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  return { pid, comm: comm.replace(/\n$/, ''), exe: readLink(`${procRoot}/${pid}/exe`), cwd: readLink(`${procRoot}/${pid}/cwd`), uid };
}

/** Hints on what the kernel-log feeder can see on this machine. */
export function visibilityHints(procRoot = '/proc', ebpfActive = false): string[] {
  const hints: string[] = [];
  const trace = readText(`${procRoot}/sys/debug/exception-trace`)?.trim();
  if (trace === '0') hints.push('segfault/trap lines are off (debug.exception-trace=0): sysctl debug.exception-trace=1');
  if (!ebpfActive) {
    const pfs = readText(`${procRoot}/sys/kernel/print-fatal-signals`)?.trim();
    if (pfs === '0') hints.push('SIGABRT/SIGQUIT deaths are not logged (kernel.print-fatal-signals=0): sysctl kernel.print-fatal-signals=1, or use the eBPF tracer');
    hints.push('kill(2) deaths and non-zero exits are seen only with the eBPF exit tracer');
  }
  return hints;
}

/**
 * Directories a relative core_pattern may have put cores in: ostop's cwd,
 * the target's, and the cwd each dead process had (recorded by the eBPF
 * feed while it lived) or, when that could not be read in time, its
 * parent's (recorded at the death, else read now: a child inherits it).
 * At most 64, newest deaths first.
 */
export function coreSearchDirs(hub: FailuresHub, targetCwd: string | null): string[] {
  const dirs = new Set<string>([process.cwd()]);
  if (targetCwd) dirs.add(targetCwd);
  const all = hub.timeline.entries();
  for (let i = all.length - 1; i >= 0 && dirs.size < 64; i--) {
    const e = all[i];
    if (e.kind !== 'signal' || e.coreDumped === false) continue;
    const cwd = e.cwd ?? e.parentCwd ?? (e.ppid ? readLink(`${hub.procRoot}/${e.ppid}/cwd`) : null);
    if (cwd) dirs.add(cwd);
  }
  return [...dirs];
}

/** The core dumps to list: systemd-coredump's and apport's stores, files core_pattern names (relative ones in coreSearchDirs), and ostop's own. */
export function scanDumps(hub: FailuresHub, pattern: CorePatternInfo | null, targetCwd: string | null, coreDir: string): CoreDumpFile[] {
  return listDumps(pattern ?? describeCorePattern('core'), { relativeDirs: coreSearchDirs(hub, targetCwd), ostopDir: coreDir });
}

export class FailuresSource implements Source<FailuresModel> {
  private last: FailuresModel | undefined;
  private dumps: CoreDumpFile[] = [];
  private pattern: CorePatternInfo | null = null;
  private patternError: string | null = null;
  private lastDumpScan = -Infinity;
  private started = false;

  constructor(
    private readonly hub: FailuresHub,
    private readonly control: FailuresControl,
    private readonly opts: { showExits: () => boolean; sinceBoot: () => boolean } = { showExits: () => true, sinceBoot: () => true },
    /** ostop's own core directory (where g writes), listed with the other dumps. */
    private readonly coreDir: string = ostopCoreDir(),
  ) {}

  async collect(now: number): Promise<void> {
    if (!this.started) {
      this.started = true;
      await this.hub.startEbpf();
    }
    await Promise.all([this.hub.pollKmsg(), this.hub.pollEbpf()]);
    const target = this.resolveTarget();
    if (now - this.lastDumpScan > 2000) {
      this.lastDumpScan = now;
      try {
        this.pattern = readCorePattern(this.hub.procRoot);
        this.patternError = null;
      } catch (e) {
        this.pattern = null;
        this.patternError = `cannot read core_pattern: ${(e as Error).message}`;
      }
      this.dumps = scanDumps(this.hub, this.pattern, target?.cwd ?? null, this.coreDir);
    }
    this.last = this.build(target);
  }

  private resolveTarget(): (ProcBrief & { why: CoreTarget['why'] }) | null {
    const tries: Array<[number | null, CoreTarget['why']]> = [
      [this.control.targetPid, 'chosen'], [this.control.selectedParentPid, 'parent'], [process.pid, 'self'],
    ];
    for (const [pid, why] of tries) {
      if (pid === null || pid <= 0) continue;
      const b = readProcBrief(pid, this.hub.procRoot);
      if (b) return { ...b, why };
      if (why === 'chosen') return { pid, comm: '?', exe: null, cwd: null, uid: 0, why };
    }
    return null;
  }

  private build(t: (ProcBrief & { why: CoreTarget['why'] }) | null): FailuresModel {
    return buildModel(this.hub, {
      showExits: this.opts.showExits(), sinceBoot: this.opts.sinceBoot(), pattern: this.pattern, patternError: this.patternError,
      dumps: this.dumps, target: t,
    });
  }

  model(): FailuresModel | undefined {
    return this.last;
  }

  dispose(): void {
    this.hub.stopEbpf();
  }
}

export interface BuildInput {
  showExits: boolean;
  sinceBoot: boolean;
  /** Overrides sinceBoot: only entries/lines after this monotonic usec (dump --since). */
  sinceUsec?: number;
  pattern: CorePatternInfo | null;
  patternError: string | null;
  dumps: CoreDumpFile[];
  target: (ProcBrief & { why: CoreTarget['why'] }) | null;
}

export function buildModel(hub: FailuresHub, inp: BuildInput): FailuresModel {
  const nowWall = Date.now();
  const nowMono = monotonicUsec();
  const wallOf = (usec: number) => monoUsecToWallMs(usec, nowWall, nowMono);
  const all = hub.timeline.entries();
  const since = inp.sinceUsec ?? (inp.sinceBoot ? 0 : hub.startedUsec);
  const shown = filterEntries(all, { showExits: inp.showExits, sinceUsec: since });
  const links = linkDumps(shown, inp.dumps, wallOf);
  const entries = shown.map((e) => toEntryRow(e, wallOf(e.tsUsec), links.get(e.id) ?? null));
  const seqToEntry = new Map<number, number>();
  for (const e of all) for (const s of e.kmsgSeqs) seqToEntry.set(s, e.id);
  const kmsg = hub.kmsgLines.map((l) => (seqToEntry.has(l.seq) ? { ...l, entryId: seqToEntry.get(l.seq)! } : l));
  const dumpEntry = new Map<string, number>();
  for (const [id, d] of links) dumpEntry.set(d.path, id);
  const feeds = hub.feedStatus();
  const ebpfActive = feeds.some((f) => f.name === 'ebpf' && f.active);
  let target: CoreTarget | null = null;
  if (inp.target) {
    const limit = readCoreLimit(inp.target.pid, hub.procRoot);
    const alive = inp.target.comm !== '?';
    target = {
      pid: inp.target.pid, comm: sanitize(inp.target.comm), alive, why: inp.target.why, limit, exe: inp.target.exe ? sanitize(inp.target.exe) : null,
      where: !alive ? 'no such process' : inp.pattern ? sanitize(whereDumpsGo(inp.pattern, limit, inp.target)) : '-',
    };
  }
  return {
    nowWallMs: nowWall,
    startedUsec: hub.startedUsec,
    feeds,
    entries,
    hiddenEntries: all.length - shown.length,
    kmsg,
    kmsgOverwritten: hub.kmsgOverwritten,
    kmsgLost: hub.kmsgLost,
    corePattern: inp.pattern ? { ...inp.pattern, pattern: sanitize(inp.pattern.pattern), handler: inp.pattern.handler && sanitize(inp.pattern.handler) } : null,
    corePatternError: inp.patternError,
    target,
    dumps: inp.dumps.map((d) => ({ ...d, comm: d.comm && sanitize(d.comm), entryId: dumpEntry.get(d.path) ?? null })),
    hints: visibilityHints(hub.procRoot, ebpfActive),
  };
}
