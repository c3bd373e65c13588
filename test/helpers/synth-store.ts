// A store written with store13's writer (src/store/disk-store.ts
// StoreWriter) whose samples are known in advance: the replay tests assert
// values at given times, and the replay bench needs a day at 5 s with
// ~1,000 processes without waiting a day. One real tick taken on this
// machine (src/app/recorder.ts TickTaker) is the template, so every field a
// tick has is there as a recorder writes it; the counters the tests read
// are then set for each tick i (times from `start`, `intervalMs` apart):
//   cpu (2 CPUs): busy 25 % of the interval, 75 % in `spike` ticks;
//                 cpu0 takes 2/3 of the busy time, cpu1 1/3
//   memory: MemTotal 8 GiB, used (MemTotal - MemAvailable) 1 GiB + i MiB
//   eth0: rx 1,000 * (i + 1) bytes/s, tx half of it; lo: nothing
//   vda: 10 * i KiB/s written (sectors of 512 bytes)
//   burner (pid 4242): 50 % CPU, RES 100 MiB + i MiB, 1 MiB written a tick
//   fillers (pids 20000..): `procs` sleeping processes, every third one
//                 gets one tick of CPU time per sample
//   failures: at each tick of `failures`, pid 4243 "crasher" killed by
//                 SIGSEGV (core dumped), sent by the kernel, 1 s before it
import { TickTaker } from '../../src/app/recorder.js';
import { StoreWriter } from '../../src/store/disk-store.js';
import type { RecordedEvents, RecordedTask, RecordedTick } from '../../src/model/recorded.js';
import type { FailureEvent } from '../../src/model/failures.js';
import type { CpuTimes } from '../../src/collectors/procfs/stat.js';
import type { DiskStat } from '../../src/collectors/procfs/diskstats.js';

export interface SynthOptions {
  dir: string;
  /** Epoch ms of tick 0. */
  start: number;
  intervalMs: number;
  ticks: number;
  /** Filler processes besides the burner (default 20). */
  procs?: number;
  host?: string;
  failures?: readonly number[];
  /** Ticks with 75 % CPU instead of 25 %. */
  spike?: (i: number) => boolean;
  keyEvery?: number;
}

export const BURNER_PID = 4242;
export const CRASHER_PID = 4243;
const HZ = 100;
const MEM_TOTAL_KB = 8 * 1024 * 1024;

let template: RecordedTick | undefined;

/** One real tick of this machine (taken once per process). */
export async function templateTick(): Promise<RecordedTick> {
  if (!template) {
    const taker = new TickTaker(() => {});
    try {
      template = (await taker.take()).tick;
    } finally {
      taker.close();
    }
  }
  return structuredClone(template);
}

const cpu = (user: number, system: number, idle: number): CpuTimes => ({ user, nice: 0, system, idle, iowait: 0, irq: 0, softirq: 0, steal: 0, guest: 0, guestNice: 0 });

/** The counters of tick i (cumulative since tick 0). */
export function synthTick(base: RecordedTick, i: number, o: SynthOptions, cum: { busy: number; idle: number; busy0: number; busy1: number }, filler: RecordedTask): RecordedTick {
  // The template without its processes (they are replaced): a copy per tick is then cheap.
  const t = structuredClone({ ...base, procs: { ...base.procs, tasks: {} } });
  const sec = o.intervalMs / 1000;
  const time = o.start + i * o.intervalMs;
  const mono = 1000 + i * sec;
  const jiffies = 2 * HZ * sec;
  const busy = Math.round(jiffies * ((o.spike?.(i) ?? false) ? 0.75 : 0.25));
  if (i > 0) {
    cum.busy += busy;
    cum.idle += jiffies - busy;
    cum.busy0 += Math.round((busy * 2) / 3);
    cum.busy1 += busy - Math.round((busy * 2) / 3);
  }
  t.time = time;
  t.mono = mono;
  const m = t.machine;
  m.time = time;
  m.mono = mono;
  m.tick = i;
  m.unreadable = [];
  const stat = m.stat!;
  stat.total = cpu(cum.busy, 0, cum.idle);
  const half = (cum.busy + cum.idle) / 2;
  stat.cpus = [cpu(cum.busy0, 0, half - cum.busy0), cpu(cum.busy1, 0, half - cum.busy1)];
  stat.cpusOnline = 2;
  stat.btime = Math.floor(o.start / 1000) - 86_400;
  stat.ctxt = 1000 * i;
  stat.intr = 500 * i;
  stat.processes = 10 * i;
  const usedKb = 1024 * 1024 + i * 1024;
  m.meminfo = {
    values: {
      MemTotal: MEM_TOTAL_KB, MemFree: MEM_TOTAL_KB - usedKb - 512 * 1024, MemAvailable: MEM_TOTAL_KB - usedKb, Buffers: 64 * 1024, Cached: 448 * 1024,
      SReclaimable: 0, Shmem: 0, SwapTotal: 0, SwapFree: 0,
    },
    malformed: [],
  };
  m.uptimeSec = 86_400 + i * sec;
  const nd = (name: string, rx: number, tx: number) => ({
    name, rxBytes: rx, rxPackets: Math.floor(rx / 1000), rxErrs: 0, rxDrop: 0, rxFifo: 0, rxFrame: 0, rxCompressed: 0, rxMulticast: 0,
    txBytes: tx, txPackets: Math.floor(tx / 1000), txErrs: 0, txDrop: 0, txFifo: 0, txColls: 0, txCarrier: 0, txCompressed: 0,
    operstate: 'up', mtu: name === 'lo' ? 65536 : 1500, speed: name === 'lo' ? null : 1000,
  });
  // rx rate at tick i: 1000 * (i + 1) B/s, so the cumulative count is 1000 * sec * (1 + 2 + ... + (i + 1)) minus the first.
  const rx = 1000 * sec * (((i + 1) * (i + 2)) / 2 - 1);
  m.netdev = [nd('lo', 0, 0), nd('eth0', rx, Math.round(rx / 2))] as typeof m.netdev;
  const sectors = ((10 * 1024 * sec) / 512) * ((i * (i + 1)) / 2);
  const vda: DiskStat = {
    major: 253, minor: 0, name: 'vda', rdIos: 0, rdMerges: 0, rdSectors: 0, rdTicks: 0,
    wrIos: 10 * i, wrMerges: 0, wrSectors: sectors, wrTicks: 10 * i, inFlight: 0, ioTicks: 100 * i, timeInQueue: 10 * i, partition: false,
  };
  m.diskstats = [vda];
  const tasks: Record<string, RecordedTask> = {};
  const page = 4096;
  const burner: RecordedTask = {
    ...filler, pid: BURNER_PID, comm: 'burner', cmdline: '/usr/bin/burner --half', state: 'R', ppid: 1,
    utime: Math.round(i * sec * HZ * 0.5), stime: 0, rssPages: ((100 + i) * 1024 * 1024) / page, numThreads: 3, nice: 0,
    starttime: 100 * HZ,
  };
  const io = filler.io ?? { rchar: 0, wchar: 0, readBytes: 0, writeBytes: 0 };
  burner.io = { ...io, readBytes: 0, writeBytes: i * 1024 * 1024, wchar: i * 1024 * 1024 };
  tasks[BURNER_PID] = burner;
  const n = o.procs ?? 20;
  for (let k = 0; k < n; k++) {
    const pid = 20000 + k;
    tasks[pid] = { ...filler, pid, comm: `filler${k}`, cmdline: `/usr/bin/filler --id ${k}`, state: 'S', ppid: 1, utime: k % 3 === 0 ? i : 0, stime: 0, starttime: 50 * HZ };
  }
  t.procs = { counts: { ...t.procs.counts, processes: n + 1, running: 1, sleeping: n }, tasks, ioUnreadable: {} };
  return t;
}

function crash(tick: RecordedTick): FailureEvent {
  return {
    kind: 'signal', feed: 'ebpf', tsUsec: (tick.mono - 1) * 1e6, pid: CRASHER_PID, ppid: 1, comm: 'crasher', cmdline: './crasher --segv',
    ageMs: 1200, exitCode: null, signal: 11, coreDumped: true, sender: 'kernel',
  };
}

/** Write the store; returns the times of its ticks. */
export async function writeSynthStore(o: SynthOptions): Promise<number[]> {
  const base = await templateTick();
  const filler = Object.values(base.procs.tasks).find((x) => x.io && x.cmdline) ?? Object.values(base.procs.tasks)[0];
  const w = new StoreWriter<RecordedTick, RecordedEvents>({
    dir: o.dir, keyEvery: o.keyEvery, sync: false, log: () => {},
    meta: { host: o.host ?? 'testhost', kernel: '6.1.0-synth', intervalMs: o.intervalMs, tick: 'ostop-tick/1', root: true },
  });
  const cum = { busy: 0, idle: 0, busy0: 0, busy1: 0 };
  const times: number[] = [];
  try {
    for (let i = 0; i < o.ticks; i++) {
      const t = synthTick(base, i, o, cum, filler);
      const events: RecordedEvents | undefined = o.failures?.includes(i) ? { failures: [crash(t)], kmsg: [], exits: [] } : undefined;
      const r = w.append(t, events);
      if (r !== 'ok') throw new Error(`synth store: append ${i}: ${r}`);
      times.push(t.time);
    }
  } finally {
    w.close();
  }
  return times;
}
