import { describe, expect, it } from 'vitest';
import type { ProcDetailSample, SystemInfo } from '../../src/collectors/proc-detail-read.js';
import { classifyFdTarget } from '../../src/collectors/procfs/pid-fd.js';
import { deriveProcessDetail, newProcessSeries, processHistory, recordProcessHistory, endFromRecordedExit, endFromWaitStatus, markExited, matchRecordedExit, pidReused } from '../../src/model/process-detail.js';
import { formatKib as formatKb, formatRate, formatElapsed as formatDuration, formatCpuTime } from '../../src/util/format.js';

const sys: SystemInfo = { btimeSec: 1_700_000_000, clkTck: 100, memTotalKb: 1_000_000, ncpu: 4, userName: (u) => (u === 1000 ? 'alice' : String(u)) };

function stat(over: Partial<NonNullable<ProcDetailSample['stat']>> = {}): NonNullable<ProcDetailSample['stat']> {
  return {
    pid: 77, comm: 'srv', state: 'S', ppid: 1, pgrp: 77, session: 77, ttyNr: 0, minflt: 0, majflt: 0,
    utime: 1000, stime: 500, priority: 20, nice: 0, numThreads: 2, starttime: 360000, vsize: 200 * 1024 * 1024,
    rss: 2500, processor: 3, rtPriority: 0, policy: 0, ...over,
  };
}

function sample(time: number, over: Partial<ProcDetailSample> = {}): ProcDetailSample {
  return {
    pid: 77, time, gone: false, errors: {},
    stat: stat(),
    status: { uids: [1000, 1000, 1000, 1000], vmRssKb: 10000, rssAnonKb: 6000, rssFileKb: 3000, rssShmemKb: 1000, vmSwapKb: 0, vmSizeKb: 204800, vmHwmKb: 12000, voluntaryCtxt: 100, nonvoluntaryCtxt: 10, threads: 2, fields: {} },
    io: { rchar: 10_000, wchar: 20_000, syscr: 1, syscw: 1, readBytes: 4096, writeBytes: 8192, cancelledWriteBytes: 0 },
    threads: [
      { tid: 77, comm: 'srv', state: 'S', utime: 800, stime: 400, processor: 3, nice: 0 },
      { tid: 78, comm: 'worker', state: 'R', utime: 200, stime: 100, processor: 1, nice: 0 },
    ],
    threadTotal: 2,
    fds: [
      { fd: 0, target: classifyFdTarget('/dev/null'), info: { pos: 0, flags: 0o100000 } },
      { fd: 3, target: classifyFdTarget('socket:[500]'), info: { pos: 0, flags: 0o2004002 } },
      { fd: 4, target: classifyFdTarget('socket:[501]') },
      { fd: 5, target: classifyFdTarget('/var/log/app.log'), info: { pos: 1234, flags: 0o102001 } },
    ],
    fdTotal: 4,
    sockets: [{ proto: 'tcp', state: 'ESTABLISHED', localAddr: '10.0.0.1', localPort: 80, remoteAddr: '10.0.0.2', remotePort: 5555, local: '10.0.0.1:80', remote: '10.0.0.2:5555', txQueue: 0, rxQueue: 3, inode: 500, uid: 1000 }],
    smaps: { Rss: 10000, Pss: 8000, Pss_Anon: 6000, Pss_File: 1500, Pss_Shmem: 500, Swap: 0, SwapPss: 0, Private_Clean: 100, Private_Dirty: 5900, Shared_Clean: 4000, Shared_Dirty: 0 },
    limits: [{ name: 'Max open files', soft: 1024, hard: 4096, units: 'files' }],
    environ: [{ name: 'HOME', value: '/home/alice' }],
    cgroup: [{ hierarchy: 0, controllers: [], path: '/system.slice/srv.service' }],
    namespaces: [{ type: 'net', inode: 4026531840 }],
    cmdline: ['/usr/sbin/srv', '-f'], exe: '/usr/sbin/srv', cwd: '/', root: '/',
    ...over,
  };
}

describe('deriveProcessDetail on golden samples', () => {
  const prev = sample(10_000);
  const cur = sample(12_000, {
    stat: stat({ utime: 1100, stime: 550 }), // +150 ticks in 2 s = 75% of one CPU
    io: { rchar: 30_000, wchar: 20_000, syscr: 2, syscw: 1, readBytes: 4096 + 2 * 1024 * 1024, writeBytes: 8192, cancelledWriteBytes: 0 },
    threads: [
      { tid: 77, comm: 'srv', state: 'S', utime: 820, stime: 400, processor: 3, nice: 0 }, // +20 ticks = 10%
      { tid: 78, comm: 'worker', state: 'R', utime: 300, stime: 130, processor: 1, nice: 0 }, // +130 = 65%
      { tid: 79, comm: 'new', state: 'S', utime: 0, stime: 0, processor: 0, nice: 0 },
    ],
    threadTotal: 3,
  });
  const m = deriveProcessDetail(prev, cur, sys);

  it('computes identity with start time from btime + starttime ticks', () => {
    expect(m.status).toBe('alive');
    expect(m.identity).toMatchObject({ pid: 77, ppid: 1, comm: 'srv', user: 'alice', uid: 1000, state: 'S', stateName: 'sleeping', cgroup: '/system.slice/srv.service' });
    expect(m.identity.startTime).toBe(1_700_000_000_000 + 3_600_000);
  });

  it('computes CPU%, thread CPU%, I/O rates and context-switch rates', () => {
    expect(m.intervalSec).toBe(2);
    expect(m.cpu.percent).toBeCloseTo(75);
    expect(m.cpu.userPercent).toBeCloseTo(50);
    expect(m.cpu.systemPercent).toBeCloseTo(25);
    expect(m.cpu.timeSec).toBeCloseTo(16.5);
    expect(m.threads.map((t) => [t.tid, t.cpuPercent === null ? null : Math.round(t.cpuPercent)])).toEqual([[77, 10], [78, 65], [79, null]]);
    expect(m.threadTotal).toBe(3);
    expect(m.io!.readBps).toBe(1024 * 1024);
    expect(m.io!.writeBps).toBe(0);
    expect(m.io!.rcharBps).toBe(10_000);
  });

  it('derives memory from status and smaps_rollup', () => {
    expect(m.memory).toMatchObject({ rssKb: 10000, anonKb: 6000, fileKb: 3000, shmemKb: 1000, pssKb: 8000, privateKb: 6000, sharedKb: 4000, vszKb: 204800 });
    expect(m.memory.memPercent).toBeCloseTo(1);
  });

  it('joins socket fds with the socket table; unknown sockets keep their link text', () => {
    expect(m.fds.map((f) => f.description)).toEqual(['/dev/null', 'tcp 10.0.0.1:80 -> 10.0.0.2:5555 ESTABLISHED', 'socket:[501]', '/var/log/app.log']);
    expect(m.fds[1]).toMatchObject({ mode: 'rw', flags: ['nonblock', 'cloexec'] });
    expect(m.fds[3]).toMatchObject({ mode: 'w', flags: ['append'], pos: 1234 });
    expect(m.fdKinds).toEqual({ device: 1, socket: 2, file: 1 });
    expect(m.sockets).toEqual([{ fd: 3, proto: 'tcp', state: 'ESTABLISHED', local: '10.0.0.1:80', remote: '10.0.0.2:5555', txQueue: 0, rxQueue: 3, inode: 500 }]);
  });

  it('gives null rates on the first sample, not zeros', () => {
    const first = deriveProcessDetail(undefined, prev, sys);
    expect(first.cpu.percent).toBeNull();
    expect(first.io!.readBps).toBeNull();
    expect(first.threads[0].cpuPercent).toBeNull();
  });

  it('treats a changed starttime as a reused PID (no rates across processes)', () => {
    const other = sample(12_000, { stat: stat({ starttime: 999999, utime: 5, stime: 5 }) });
    expect(pidReused(prev, other)).toBe(true);
    expect(deriveProcessDetail(prev, other, sys).cpu.percent).toBeNull();
  });

  it('marks a model exited keeping its last values', () => {
    const e = markExited(m, 99_000);
    expect(e.status).toBe('exited');
    expect(e.exitedAt).toBe(99_000);
    expect(e.memory.rssKb).toBe(10000);
    expect(e.fds.length).toBe(4);
    expect(e.cpu.percent).toBeNull();
  });

  it('keeps errors so partial data is visible', () => {
    const p = deriveProcessDetail(prev, sample(12_000, { environ: undefined, errors: { environ: 'EACCES' } }), sys);
    expect(p.environ).toBeNull();
    expect(p.errors).toEqual({ environ: 'EACCES' });
  });
});

describe('history and formatting', () => {
  it('bounds the history and skips rates of the first sample', () => {
    const h = newProcessSeries(3);
    let prev: ProcDetailSample | undefined;
    for (let i = 0; i < 5; i++) {
      const cur = sample(1000 * i, { stat: stat({ utime: 1000 + 10 * i }) });
      const m = deriveProcessDetail(prev, cur, sys);
      m.history = recordProcessHistory(h, m);
      if (i === 0) expect(m.history.cpuPercent).toEqual([]);
      prev = cur;
    }
    const s = processHistory(h);
    expect(s.cpuPercent).toEqual([10, 10, 10]);
    expect(s.rssKb.length).toBe(3);
  });

  it('formats sizes, rates and durations', () => {
    expect(formatKb(512)).toBe('512K');
    expect(formatKb(10240)).toBe('10.0M');
    expect(formatKb(null)).toBe('-');
    expect(formatRate(1536)).toBe('1.50K/s');
    expect(formatRate(null)).toBe('-');
    expect(formatDuration(3725)).toBe('1h02m');
    expect(formatCpuTime(62.35)).toBe('1:02.35');
  });
});

describe('context switches summed over threads', () => {
  type T = NonNullable<ProcDetailSample['threads']>[number];
  const th = (tid: number, starttime: number, v?: number, n?: number, ctxtError?: string): T => ({
    tid, comm: 't', state: 'S', utime: 0, stime: 0, processor: 0, nice: 0, starttime,
    ...(v !== undefined ? { voluntaryCtxt: v, nonvoluntaryCtxt: n } : {}), ...(ctxtError ? { ctxtError } : {}),
  });
  const withThreads = (time: number, threads: T[], total = threads.length) => sample(time, { threads, threadTotal: total });

  it('sums the threads and rates each thread against its own previous count', () => {
    const a = withThreads(10_000, [th(77, 1, 10, 1), th(78, 5, 1000, 50)]);
    const b = withThreads(12_000, [th(77, 1, 14, 1), th(78, 5, 1600, 90)]);
    const m = deriveProcessDetail(a, b, sys);
    // the main thread's own status says 100/10 (sample()): not what a multi-threaded process shows
    expect(m.ctxSwitches).toEqual({ voluntary: 14 + 1600, nonvoluntary: 1 + 90, voluntaryPerSec: (4 + 600) / 2, nonvoluntaryPerSec: 40 / 2, threadsCounted: 2, note: null });
    expect(m.threads.map((t) => [t.voluntaryCtxt, t.nonvoluntaryCtxt])).toEqual([[14, 1], [1600, 90]]);
  });

  it('an exited thread does not make the rate negative; a new or reused TID counts from its birth', () => {
    const a = withThreads(10_000, [th(77, 1, 10, 0), th(78, 5, 1000, 0), th(79, 6, 500, 0)]);
    // 78 exited; 79 is a new thread with a reused TID (other start time); 80 was born
    const b = withThreads(11_000, [th(77, 1, 12, 0), th(79, 90, 3, 0), th(80, 91, 7, 0)]);
    const m = deriveProcessDetail(a, b, sys);
    expect(m.ctxSwitches).toMatchObject({ voluntary: 12 + 3 + 7, voluntaryPerSec: 2 + 3 + 7, threadsCounted: 3 });
  });

  it('no rate when a thread\'s previous count is unknown (previous list capped or its status unreadable)', () => {
    const capped = withThreads(10_000, [th(77, 1, 10, 0)], 2);
    const b = withThreads(11_000, [th(77, 1, 12, 0), th(78, 5, 900, 0)]);
    expect(deriveProcessDetail(capped, b, sys).ctxSwitches).toMatchObject({ voluntary: 912, voluntaryPerSec: null });
    const unreadable = withThreads(10_000, [th(77, 1, 10, 0), th(78, 5, undefined, undefined, 'EACCES')]);
    expect(deriveProcessDetail(unreadable, b, sys).ctxSwitches).toMatchObject({ voluntary: 912, voluntaryPerSec: null });
  });

  it('says which threads are missing from the sums', () => {
    const m = deriveProcessDetail(undefined, withThreads(10_000, [th(77, 1, 10, 2), th(78, 5, undefined, undefined, 'EACCES')], 3), sys);
    expect(m.ctxSwitches).toMatchObject({ voluntary: 10, nonvoluntary: 2, threadsCounted: 1, note: 'thread 78 status: EACCES' });
    const capped = deriveProcessDetail(undefined, withThreads(10_000, [th(77, 1, 10, 2)], 3), sys);
    expect(capped.ctxSwitches.note).toBe('2 threads beyond the list cap not counted');
  });
});

describe('how a process ended', () => {
  it('from a zombie\'s wait status: exit code, signal, core dumped', () => {
    expect(endFromWaitStatus(3 << 8)).toMatchObject({ exitCode: 3, signal: null, summary: 'exited with code 3', source: 'zombie' });
    expect(endFromWaitStatus(15)).toMatchObject({ exitCode: null, signal: 15, signalName: 'SIGTERM', coreDumped: false, sender: null, summary: 'killed by SIGTERM' });
    expect(endFromWaitStatus(0x80 | 6).summary).toBe('killed by SIGABRT, core dumped');
  });

  it('from the exit tracer: the sender, a fault, the OOM killer', () => {
    const r = { pid: 5, comm: 'x', wallMs: 10_000, ageMs: 4000, exitCode: null, signal: 15, coreDumped: false, oomKilled: false, sender: { pid: 77, comm: 'kill' } };
    expect(endFromRecordedExit(r).summary).toBe('killed by SIGTERM from PID 77 (kill)');
    expect(endFromRecordedExit({ ...r, signal: 11, coreDumped: true, sender: 'kernel' }).summary).toBe('killed by SIGSEGV (a fault: sent by the kernel), core dumped');
    expect(endFromRecordedExit({ ...r, signal: 9, oomKilled: true, sender: { pid: 8, comm: 'hog' } }).summary).toBe('killed by the OOM killer (SIGKILL), allocating task PID 8 (hog)');
    expect(endFromRecordedExit({ ...r, signal: null, exitCode: 0, sender: null })).toMatchObject({ summary: 'exited with code 0', sender: null, source: 'ebpf' });
  });

  it('matches the record of this process, not of an earlier one with the same PID', () => {
    const older = { pid: 5, comm: 'x', wallMs: 5_000, ageMs: 1000, exitCode: 0, signal: null, coreDumped: false, oomKilled: false, sender: null };
    const ours = { ...older, wallMs: 20_000, ageMs: 12_000, exitCode: 2 };
    expect(matchRecordedExit([older, ours], 19_000, 8_000)).toBe(ours);
    expect(matchRecordedExit([older], 19_000, 8_000)).toBeNull(); // ended before we last saw ours alive
    expect(matchRecordedExit([{ ...ours, ageMs: 100 }], 19_000, 8_000)).toBeNull(); // started long after ours: another process
  });
});
