// `ostop record`: samples what every view's Source samples, once per
// interval, without a terminal, and appends it to the store
// (src/store/disk-store.ts, docs/store.md): the machine-wide counters
// (stat, meminfo, loadavg, vmstat, diskstats, net/dev with link facts),
// PSI, the protocol counters, filesystems, interface addresses, every
// process (its stat fields, command line, uid and /proc/PID/io counters),
// the socket counts per state; and with each tick what happened since the
// last (src/model/recorded.ts RecordedEvents): the failures hub's events
// (kernel log; as root the exit tracer: signal deaths with their sender, OOM
// kills, core dumps) and kernel-log lines, and, as root, the processes that
// started and ended between two ticks (exec and exit tracers).
//
// Lifecycle: SIGTERM, SIGINT or SIGHUP end the run after the tick being
// written (the store is closed, the tracers detached: no BPF program is left
// attached); a write error stops recording with one log line and the next
// intervals retry (StoreWriter). One recorder per directory: a lock file
// (O_EXCL, our pid) is taken, and taken over when its pid is gone.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MachineSampler } from '../collectors/machine.js';
import { ProcessCollector } from '../collectors/processes.js';
import { netDevSample, inventoryFromOs } from '../collectors/netdev.js';
import { readPsiSample } from '../collectors/psi.js';
import { readSnmpSample } from '../collectors/snmp.js';
import { readFsSample } from '../collectors/fs.js';
import { parseIo } from '../collectors/procfs/pid-io.js';
import { readSockets } from '../collectors/sockets.js';
import { monoUsecToWallMs } from '../collectors/kmsg.js';
import { readCorePattern } from '../collectors/coredump.js';
import { buildSocketsModel } from '../model/sockets.js';
import { RECORDED_VMSTAT, TICK_FORMAT, type RecordedEvents, type RecordedTask, type RecordedTick, type ShortProcess, type EndedProcess } from '../model/recorded.js';
import type { FailureEvent, KmsgLine } from '../model/failures.js';
import { StoreWriter, StoreError } from '../store/disk-store.js';
import { FailuresHub } from '../failures/hub.js';
import { findDumps } from '../failures/source.js';
import { INET_PROTOS } from '../views/netstat.js';
import { ostopCoreDir, ostopStateDir } from '../util/private-dir.js';
import { UsageError, parseDecimal, splitFlag } from '../util/args.js';
import { parseDurationArg, parseSizeArg } from '../util/time-arg.js';
import { isRoot } from '../util/trust.js';
import type { ExecEvent } from '../tracers/exec/tracer.js';
import type { ExitEvent } from '../tracers/exit/tracer.js';

export const RECORD_HELP = `Usage: ostop record [--dir DIR] [--interval SEC] [--retain DURATION] [--max-size SIZE]

Records what every view shows, every interval, to a store that
\`ostop dump VIEW --from DIR\`, \`ostop snapshot\` and \`ostop replay\` read, and
that the live UI preloads its history from. Runs without a terminal; stops
cleanly on SIGTERM or SIGINT. As root it also records the processes that
live shorter than the interval and who sent the signals that killed
processes (eBPF exit and exec tracers).

  --dir DIR          the store (default /var/lib/ostop as root, else
                     $XDG_STATE_HOME/ostop or ~/.local/state/ostop); created
                     0700; refused when another user owns it or it is a symlink
  --interval SEC     seconds between samples (default 5; 1..3600)
  --retain DURATION  delete day shards older than this (e.g. 7d, 36h; default 7d)
  --max-size SIZE    keep the store under this size, oldest day first
                     (e.g. 2G, 500M; default 2G)

Format and safety: docs/store.md. Service: contrib/ostop-record.service.
`;

export interface RecordOptions {
  dir: string;
  intervalMs: number;
  retainMs: number;
  maxBytes: number;
}

/** Where `ostop record` writes by default (and where the live UI looks for a store). */
export function defaultStoreDir(uid = process.geteuid?.() ?? 0, env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string {
  return ostopStateDir({ uid, env, home });
}

export function parseRecordArgs(argv: string[]): RecordOptions {
  const o: RecordOptions = { dir: defaultStoreDir(), intervalMs: 5000, retainMs: 7 * 86_400_000, maxBytes: 2 * 1024 ** 3 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = splitFlag(a, '');
    const val = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--dir': {
        const d = val();
        if (!d) throw new UsageError('--dir needs a directory');
        o.dir = path.resolve(d);
        break;
      }
      case '--interval': case '-i': {
        const s = parseDecimal(val(), flag, 'an interval in seconds');
        if (s < 1 || s > 3600) throw new UsageError(`${flag}: '${s}' is not an interval between 1 and 3600 seconds`);
        o.intervalMs = Math.round(s * 1000);
        break;
      }
      case '--retain': o.retainMs = parseDurationArg(val(), flag); break;
      case '--max-size': o.maxBytes = parseSizeArg(val(), flag); break;
      default: throw new UsageError(a.startsWith('-') ? `unknown option '${a}' for 'record'` : `unexpected argument '${a}' for 'record'`);
    }
  }
  return o;
}

/** The kernel's id of this boot (/proc/sys/kernel/random/boot_id), null when unreadable. */
export function readBootId(): string | null {
  try {
    const id = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim();
    return /^[0-9a-f-]{36}$/.test(id) ? id : null;
  } catch {
    return null;
  }
}

/** Takes one RecordedTick (and keeps the events between ticks). */
export class TickTaker {
  private machine = new MachineSampler();
  private collector = new ProcessCollector({ machine: this.machine, needs: ['cmdline', 'uid'], threads: false });
  private n = 0;
  readonly hub: FailuresHub;
  private failures: FailureEvent[] = [];
  private kmsg: KmsgLine[] = [];
  private exits: ShortProcess[] = [];
  private ended: EndedProcess[] = [];
  private execArgs = new Map<number, string>();
  private lastTickWall = Date.now();
  private lastDumps = '';
  private lastFeeds = '';
  private offs: Array<() => void> = [];
  /** Events at or before this wall time were recorded by an earlier run (the kernel log's backlog): skipped. */
  recordedUpTo = -Infinity;
  private readonly coreDir = ostopCoreDir();
  /** This boot's id: the events of a tick carry it with the tick's clocks (a store spans reboots). */
  private readonly bootId = readBootId();

  constructor(private readonly log: (line: string) => void, hub?: FailuresHub) {
    this.hub = hub ?? new FailuresHub();
    this.offs.push(this.hub.onEvents(
      (ev) => { if (monoUsecToWallMs(ev.tsUsec) > this.recordedUpTo) this.failures.push(ev); },
      (l) => { if (l.wallMs > this.recordedUpTo) this.kmsg.push(l); },
    ));
  }

  /** As root: the exit tracer for the failures and, beside it, the exec/exit events of short-lived processes. */
  async startTracers(): Promise<void> {
    await this.hub.startEbpf();
    const st = this.hub.feedStatus().find((f) => f.name === 'ebpf');
    if (!st?.active) {
      this.log(`ostop record: ${st?.note ?? 'eBPF exit tracer not running'}; short-lived processes are not recorded`);
      return;
    }
    const { tracerManager } = await import('../tracers/manager.js');
    const mgr = tracerManager();
    this.offs.push(mgr.onEvents<ExecEvent>('exec', (evs) => {
      for (const e of evs) if (e.ret === 0) this.execArgs.set(e.pid, e.args.join(' ') + (e.argsTruncated ? ' …' : ''));
      if (this.execArgs.size > 100_000) this.execArgs.clear();
    }));
    this.offs.push(mgr.onEvents<ExitEvent>('exit', (evs) => {
      for (const e of evs) {
        if (e.kind !== 'exit') continue;
        const startMs = e.time - e.ageMs;
        const cmdline = this.execArgs.get(e.pid) ?? null;
        this.execArgs.delete(e.pid);
        // Born before the last tick: a tick saw it; how it ended is kept for the drill-in.
        if (startMs <= this.lastTickWall) {
          this.ended.push({ pid: e.pid, comm: e.comm, endMs: Math.round(e.time), ageMs: Math.round(e.ageMs * 100) / 100, exitCode: e.signal ? null : e.exitCode, signal: e.signal || null, coreDumped: e.coreDumped });
          if (this.ended.length > 50_000) this.ended.shift();
          continue;
        }
        this.exits.push({
          pid: e.pid, ppid: e.ppid, uid: e.uid, comm: e.comm, cmdline, startMs: Math.round(startMs), endMs: Math.round(e.time), ageMs: Math.round(e.ageMs * 100) / 100,
          cpuMs: Math.round(e.cpuMs * 100) / 100,
          exitCode: e.signal ? null : e.exitCode, signal: e.signal || null, coreDumped: e.coreDumped,
        });
        if (this.exits.length > 50_000) this.exits.shift();
      }
    }));
  }

  async take(): Promise<{ tick: RecordedTick; events: RecordedEvents }> {
    const n = ++this.n;
    const perfNow = performance.now();
    const m = this.machine.sample(n);
    const net = netDevSample(this.machine, n);
    const vmstat: Record<string, number> = {};
    for (const k of RECORDED_VMSTAT) if (m.vmstat?.[k] !== undefined) vmstat[k] = m.vmstat[k];
    const machine = { ...m, vmstat, netdev: net.devs };
    const proc = this.collector.collect(perfNow);
    const tasks: Record<string, RecordedTask> = {};
    const ioUnreadable: Record<string, number> = {};
    for (const t of proc.tasks) {
      if (t.isThread) continue;
      const { tgid: _tgid, isThread: _thread, isKernelThread, ...r } = t as typeof t & { io?: RecordedTask['io'] };
      if (!isKernelThread) {
        try {
          const io = parseIo(fs.readFileSync(`/proc/${t.pid}/io`, 'latin1'));
          if (io) r.io = { rchar: io.rchar, wchar: io.wchar, readBytes: io.readBytes, writeBytes: io.writeBytes };
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
          if (code !== 'ENOENT' && code !== 'ESRCH') ioUnreadable[code] = (ioUnreadable[code] ?? 0) + 1;
        }
      }
      tasks[t.pid] = r;
    }
    let fsSample = null;
    try { fsSample = await readFsSample(); } catch { /* no mountinfo: none */ }
    const sock = buildSocketsModel(readSockets({ protos: INET_PROTOS }), undefined, {}, 'proto');
    await this.hub.pollKmsg();
    await this.hub.pollEbpf();
    const tick: RecordedTick = {
      time: m.time, mono: m.mono, machine, psi: readPsiSample(), snmp: readSnmpSample(), fs: fsSample,
      inventory: [...inventoryFromOs().values()],
      procs: { counts: proc.counts, tasks, ioUnreadable },
      sockets: { counts: sock.counts, countsByProto: sock.countsByProto, total: sock.total },
    };
    const events: RecordedEvents = { failures: this.failures, kmsg: this.kmsg, exits: this.exits, clock: { wallMs: m.time, mono: m.mono, boot: this.bootId } };
    this.failures = [];
    this.kmsg = [];
    this.exits = [];
    if (this.ended.length) events.ended = this.ended;
    this.ended = [];
    this.lastTickWall = m.time;
    let pattern = null;
    try { pattern = readCorePattern(); } catch { /* none */ }
    const dumps = findDumps(this.hub, pattern, null, this.coreDir);
    const dj = JSON.stringify(dumps);
    if (dj !== this.lastDumps) { events.dumps = dumps; this.lastDumps = dj; }
    const feeds = this.hub.feedStatus();
    const fj = JSON.stringify(feeds);
    if (fj !== this.lastFeeds) { events.feeds = feeds; this.lastFeeds = fj; }
    return { tick, events };
  }

  /** Whether `e` holds anything (an empty interval writes no events record). */
  static hasEvents(e: RecordedEvents): boolean {
    return e.failures.length > 0 || e.kmsg.length > 0 || e.exits.length > 0 || (e.ended?.length ?? 0) > 0 || e.dumps !== undefined || e.feeds !== undefined;
  }

  close(): void {
    for (const off of this.offs.splice(0)) off();
    this.collector.dispose();
    this.hub.close();
  }
}

/** Take the directory's lock (a file holding our pid), taking it over from a recorder that is gone. */
function lockStore(dir: string): () => void {
  const C = fs.constants;
  const file = path.join(dir, 'record.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(file, C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, 0o600);
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      return () => { try { fs.unlinkSync(file); } catch { /* gone */ } };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new StoreError(`cannot lock ${dir}: ${(e as Error).message}`);
    }
    let pid = NaN;
    try {
      const fd = fs.openSync(file, C.O_RDONLY | C.O_NOFOLLOW | C.O_NONBLOCK);
      try { pid = Number(fs.readFileSync(fd, 'utf8').trim()); } finally { fs.closeSync(fd); }
    } catch { /* unreadable: taken over */ }
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && fs.existsSync(`/proc/${pid}`)) {
      throw new StoreError(`${dir} is being recorded by pid ${pid} (${file}); one recorder per store`);
    }
    try { fs.unlinkSync(file); } catch { /* raced */ }
  }
  throw new StoreError(`cannot lock ${dir}`);
}

/** Runs until SIGTERM/SIGINT/SIGHUP; returns the exit code. */
export async function runRecord(argv: string[], io: { out: (s: string) => void; err: (s: string) => void }): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(RECORD_HELP);
    return 0;
  }
  const o = parseRecordArgs(argv);
  const log = (l: string) => io.err(l + '\n');
  let writer: StoreWriter<RecordedTick, RecordedEvents>;
  let unlock: () => void;
  try {
    writer = new StoreWriter<RecordedTick, RecordedEvents>({
      dir: o.dir, retainMs: o.retainMs, maxBytes: o.maxBytes, log,
      meta: { host: os.hostname(), kernel: os.release(), intervalMs: o.intervalMs, tick: TICK_FORMAT, pageSize: 4096, root: isRoot(), boot: readBootId() },
    });
    unlock = lockStore(writer.dir);
  } catch (e) {
    log(`ostop record: ${(e as Error).message}`);
    return 1;
  }
  const taker = new TickTaker(log);
  let stopping = false;
  let wake: (() => void) | undefined;
  const stop = () => { stopping = true; wake?.(); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('SIGHUP', stop);
  try {
    taker.recordedUpTo = writer.lastRecordedTime();
    if (isRoot()) await taker.startTracers();
    else log('ostop record: not root: short-lived processes and signal senders are not recorded (the eBPF tracers need root)');
    log(`ostop record: recording to ${writer.dir} every ${o.intervalMs / 1000} s (retain ${Math.round(o.retainMs / 3_600_000)} h, max size ${o.maxBytes} bytes)`);
    // Ticks on the interval's grid (like atop), whatever a tick took; on SIGTERM one last tick, so
    // what happened since the previous one (a death, the processes that came and went) is kept.
    const t0 = performance.now();
    for (let k = 0; ; k++) {
      const last = stopping;
      const { tick, events } = await taker.take();
      try {
        writer.append(tick, TickTaker.hasEvents(events) ? events : undefined);
      } catch (e) {
        log(`ostop record: ${(e as Error).message}`);
        return 1;
      }
      if (last) break;
      if (stopping) continue; // asked to stop while this tick was taken: the last one now
      const next = t0 + (k + 1) * o.intervalMs;
      const wait = Math.max(0, next - performance.now());
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, wait);
        wake = () => { clearTimeout(t); resolve(); };
      });
      wake = undefined;
    }
    return 0;
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    process.off('SIGHUP', stop);
    taker.close();
    writer.close();
    unlock();
    log('ostop record: stopped');
  }
}
