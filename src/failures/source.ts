// The failures view's Source: collect(now, request) polls the recorder
// (hub.ts: kernel log, exit tracer), reads what the core panel shows
// (core_pattern, the target's limits and cwd, the dump files) and builds the
// Model (model.ts, pure). The screen's toggles and its target PID come in
// the request (FailuresRequest, src/model/failures.ts): the Source keeps no
// UI state and shares no object with its Screen. `ostop dump failures|kmsg`
// builds its Model through collectModel() below, the same path.
import * as fs from 'node:fs';
import { monotonicUsec } from '../collectors/kmsg.js';
import { readCoreLimit, readCorePattern, type CoreDumpFile, type CorePatternInfo } from '../collectors/coredump.js';
import type { Source } from '../model/view-contract.js';
import { DEFAULT_FAILURES_REQUEST, type CoreTarget, type FailuresModel, type FailuresRequest } from '../model/failures.js';
import { ostopCoreDir } from '../util/private-dir.js';
import { buildModel, type TargetInput } from './model.js';
import { scanDumps, whereDumpsGo, type DeadCwds } from './core-finder.js';
import type { FailuresHub } from './hub.js';
import { statusIds, statusValue } from '../collectors/procfs/pid-status.js';
import { parseComm } from '../collectors/procfs/pid-comm.js';

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
  const ruid = statusIds(statusValue(status, 'Uid'))?.[0];
  const uid = ruid !== undefined && Number.isInteger(ruid) ? ruid : 0;
  return { pid, comm: parseComm(comm), exe: readLink(`${procRoot}/${pid}/exe`), cwd: readLink(`${procRoot}/${pid}/cwd`), uid };
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

/** The dead as the core finder sees them: the hub's timeline, and live parents' cwds read from /proc. */
export function deadCwds(hub: FailuresHub): DeadCwds {
  return { entries: () => hub.timeline.entries(), cwdOf: (pid) => readLink(`${hub.procRoot}/${pid}/cwd`) };
}

/** The dump files to list now (see core-finder.ts scanDumps). */
export function findDumps(hub: FailuresHub, pattern: CorePatternInfo | null, targetCwd: string | null, coreDir: string): CoreDumpFile[] {
  return scanDumps(deadCwds(hub), pattern, targetCwd, coreDir);
}

export type ResolvedTarget = ProcBrief & { why: CoreTarget['why'] };

export interface CollectInput {
  showExits: boolean;
  sinceBoot: boolean;
  /** Overrides sinceBoot: only entries/lines after this monotonic usec (dump --since). */
  sinceUsec?: number;
  pattern: CorePatternInfo | null;
  patternError: string | null;
  dumps: CoreDumpFile[];
  target: ResolvedTarget | null;
  /** The clocks of "now" (a recorded tick's: its wall ms and CLOCK_MONOTONIC µs); default this machine's now. */
  now?: { wallMs: number; monoUsec: number };
}

/** Read what the Model needs besides the hub (target's core limit, hints, the clocks) and build it. */
export function collectModel(hub: FailuresHub, inp: CollectInput): FailuresModel {
  const feeds = hub.feedStatus();
  const ebpfActive = feeds.some((f) => f.name === 'ebpf' && f.active);
  let target: TargetInput | null = null;
  if (inp.target) {
    const limit = readCoreLimit(inp.target.pid, hub.procRoot);
    target = { ...inp.target, limit, where: inp.pattern ? whereDumpsGo(inp.pattern, limit, inp.target) : null };
  }
  const nowWallMs = inp.now?.wallMs ?? Date.now();
  return buildModel({
    // A recorded hub's times may be epoch µs (converted tick by tick: a recording spans reboots): "now" is then the wall clock too.
    nowWallMs, nowMonoUsec: hub.epochClock ? nowWallMs * 1000 : inp.now?.monoUsec ?? monotonicUsec(), startedUsec: hub.recorded ? 0 : hub.startedUsec,
    timeline: hub.timeline.entries(), kmsg: hub.kmsgLines, kmsgOverwritten: hub.kmsgOverwritten, kmsgLost: hub.kmsgLost, feeds,
    showExits: inp.showExits, sinceUsec: inp.sinceUsec ?? (inp.sinceBoot || hub.recorded ? 0 : hub.startedUsec),
    pattern: inp.pattern, patternError: inp.patternError, dumps: inp.dumps, target, hints: hub.recorded ? [] : visibilityHints(hub.procRoot, ebpfActive),
  });
}

export class FailuresSource implements Source<FailuresModel, FailuresRequest> {
  private last: FailuresModel | undefined;
  private dumps: CoreDumpFile[] = [];
  private pattern: CorePatternInfo | null = null;
  private patternError: string | null = null;
  private lastDumpScan = -Infinity;
  private started = false;

  constructor(
    private readonly hub: FailuresHub,
    /** ostop's own core directory (where g writes), listed with the other dumps. */
    private readonly coreDir: string = ostopCoreDir(),
  ) {}

  async collect(now: number, request: FailuresRequest = DEFAULT_FAILURES_REQUEST): Promise<void> {
    if (!this.started) {
      this.started = true;
      await this.hub.startEbpf();
    }
    await Promise.all([this.hub.pollKmsg(), this.hub.pollEbpf()]);
    const target = this.resolveTarget(request);
    if (now - this.lastDumpScan > 2000) {
      this.lastDumpScan = now;
      try {
        this.pattern = readCorePattern(this.hub.procRoot);
        this.patternError = null;
      } catch (e) {
        this.pattern = null;
        this.patternError = `cannot read core_pattern: ${(e as Error).message}`;
      }
      this.dumps = findDumps(this.hub, this.pattern, target?.cwd ?? null, this.coreDir);
    }
    this.last = collectModel(this.hub, {
      showExits: request.showExits, sinceBoot: request.sinceBoot, pattern: this.pattern, patternError: this.patternError, dumps: this.dumps, target,
    });
  }

  /** The chosen PID, else the selected entry's parent (what its next child inherits), else ostop itself. */
  private resolveTarget(r: FailuresRequest): ResolvedTarget | null {
    const tries: Array<[number | null, CoreTarget['why']]> = [[r.targetPid, 'chosen'], [r.selectedParentPid, 'parent'], [process.pid, 'self']];
    for (const [pid, why] of tries) {
      if (pid === null || pid <= 0) continue;
      const b = readProcBrief(pid, this.hub.procRoot);
      if (b) return { ...b, why };
      if (why === 'chosen') return { pid, comm: '?', exe: null, cwd: null, uid: 0, why };
    }
    return null;
  }

  model(): FailuresModel | undefined {
    return this.last;
  }

  dispose(): void {
    this.hub.stopEbpf();
  }
}
