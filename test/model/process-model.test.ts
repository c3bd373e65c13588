import { describe, expect, it } from 'vitest';
import { buildProcessModel, cpuModel, memModel } from '../../src/model/process-model.js';
import type { ProcessTableSample } from '../../src/collectors/processes.js';
import type { ProcSample } from '../../src/collectors/proc-pid.js';
import { countTask, emptyTaskCounts, pageSize } from '../../src/collectors/processes.js';
import { arrangeRows, type ViewState } from '../../src/model/process-view.js';
import { columnById } from '../../src/model/columns.js';

function task(p: Partial<ProcSample> & { pid: number }): ProcSample {
  return {
    comm: `p${p.pid}`, state: 'S', ppid: 1, pgrp: 0, session: 0, ttyNr: 0, flags: 0, minflt: 0, majflt: 0, utime: 0, stime: 0,
    priority: 20, nice: 0, numThreads: 1, starttime: 100, vsize: 0, rssPages: 0, processor: 0, tgid: p.pid, isThread: false, isKernelThread: false, uid: 0,
    ...p,
  };
}
const cpu = (user: number, system: number, idle: number, iowait = 0, steal = 0) => ({ user, nice: 0, system, idle, iowait, irq: 0, softirq: 0, steal, guest: 0, guestNice: 0 });
function sample(time: number, tasks: ProcSample[], total = cpu(0, 0, 0), procsRunning = 0): ProcessTableSample {
  const counts = emptyTaskCounts();
  for (const t of tasks) if (!t.isThread) countTask(counts, t);
  return {
    time, tasks, counts,
    system: { stat: { total, cpus: [total, total], cpusOnline: 2, ctxt: 0, btime: 1_700_000_000, processes: 0, procsRunning, procsBlocked: 0, intr: 0 }, mem: { MemTotal: 1_000_000, MemFree: 500_000, Buffers: 0, Cached: 0 }, memMalformed: [], load: [1, 2, 3], loadRunning: 1, loadTotal: 1, uptimeSec: 10 },
  };
}

describe('buildProcessModel', () => {
  it('the eBPF-fed columns take their values from the tracer rates given with the sample', () => {
    const cur = sample(1000, [task({ pid: 10 }), task({ pid: 11 })]);
    const rates = new Map([[10, { opensPerSec: 12.345, syscallsPerSec: 25000, diskLatMs: 1.5 }]]);
    const m = buildProcessModel(undefined, cur, () => 'root', rates);
    const [a, b] = [m.rows.find((r) => r.pid === 10)!, m.rows.find((r) => r.pid === 11)!];
    const opens = columnById('opens_rate')!, sysc = columnById('syscalls_rate')!, lat = columnById('disk_lat')!;
    expect([opens.text(a), opens.value(a), sysc.text(a), sysc.value(a), lat.text(a), lat.value(a)]).toEqual(['12', 12.35, '25k', 25000, '1.50', 1.5]);
    // A process the tracers saw nothing of, and every process without rates: '-' / null.
    expect([opens.text(b), opens.value(b)]).toEqual(['-', null]);
    const none = buildProcessModel(undefined, cur, () => 'root').rows[0];
    expect([opens.text(none), sysc.value(none), lat.text(none)]).toEqual(['-', null, '-']);
    expect(opens.sort(a)).toBeGreaterThan(opens.sort(b) as number);
    expect(opens.tracer).toBe('opens');
  });
  it('computes CPU% over the interval with 100 = one core', () => {
    const prev = sample(0, [task({ pid: 10, utime: 100, stime: 50 })]);
    const cur = sample(2000, [task({ pid: 10, utime: 250, stime: 100 })]);
    const m = buildProcessModel(prev, cur, () => 'root');
    // 200 ticks over 2 s at 100 Hz = 100%
    expect(m.rows[0].cpuPercent).toBeCloseTo(100, 5);
    expect(m.rows[0].cpuTimeSec).toBeCloseTo(3.5, 5);
    expect(m.intervalSec).toBe(2);
  });
  it('does not carry counters across a reused PID', () => {
    const prev = sample(0, [task({ pid: 10, utime: 100, starttime: 1 })]);
    const cur = sample(1000, [task({ pid: 10, utime: 150, starttime: 999 })]);
    expect(buildProcessModel(prev, cur, () => 'x').rows[0].cpuPercent).toBe(0);
  });
  it('derives memory, start time and task counts', () => {
    const cur = sample(1000, [task({ pid: 1, rssPages: 1000, state: 'R', starttime: 500, numThreads: 2 }), task({ pid: 2, state: 'Z' }), task({ pid: 3, state: 'T' }), task({ pid: 4, isThread: true, tgid: 1 })], cpu(0, 0, 0), 5);
    const m = buildProcessModel(undefined, cur, (u) => (u === 0 ? 'root' : '?'));
    const r = m.rows.find((x) => x.pid === 1)!;
    expect(r.rssBytes).toBe(1000 * pageSize());
    expect(r.memPercent).toBeCloseTo((1000 * pageSize() * 100) / (1_000_000 * 1024), 6);
    expect(r.startTime).toBe(1_700_000_000 + 5);
    expect(r.user).toBe('root');
    // htop's: 3 processes, 1 thread beyond a main thread, running = procs_running (5) capped at the 2 online CPUs
    expect(m.tasks).toEqual({ total: 3, threads: 1, kernelThreads: 0, running: 2, runnable: 5, zombie: 1, stopped: 1, sleeping: 0 });
    expect(r.cpuPercent).toBe(0); // no previous sample yet
  });
  it('splits CPU time like top and excludes guest from user', () => {
    const c = cpuModel(cpu(0, 0, 0), { ...cpu(60, 20, 10, 5, 5), guest: 10 });
    expect(c.user).toBeCloseTo(50);
    expect(c.system).toBeCloseTo(20);
    expect(c.iowait).toBeCloseTo(5);
    expect(c.steal).toBeCloseTo(5);
    expect(c.idle).toBeCloseTo(10);
    expect(c.busy).toBeCloseTo(85);
  });
  it('uses free(1) definitions for memory (procps-ng 4: used = total - available)', () => {
    const m = memModel({ MemTotal: 1000, MemFree: 200, Buffers: 100, Cached: 300, SReclaimable: 50, MemAvailable: 600, SwapTotal: 100, SwapFree: 40, Shmem: 10 });
    expect(m.usedBytes).toBe((1000 - 600) * 1024);
    expect(m.freeBytes).toBe(200 * 1024);
    expect(m.cacheBytes).toBe(350 * 1024);
    expect(m.swapUsedBytes).toBe(60 * 1024);
    expect(m.availableBytes).toBe(600 * 1024);
    expect(m.problem).toBeNull();
  });
});

describe('arrangeRows', () => {
  const m = buildProcessModel(undefined, sample(0, [
    task({ pid: 1, ppid: 0, comm: 'init', rssPages: 10 }),
    task({ pid: 5, ppid: 1, comm: 'sshd', rssPages: 30 }),
    task({ pid: 9, ppid: 5, comm: 'bash', rssPages: 20, uid: 1000 }),
    task({ pid: 12, ppid: 9, comm: 'vim', rssPages: 50, uid: 1000 }),
    task({ pid: 13, ppid: 12, comm: 'vim', isThread: true, tgid: 12 }),
    task({ pid: 2, ppid: 0, comm: 'kthreadd', isKernelThread: true }),
  ]), () => 'u');
  const base: ViewState = { sort: 'res', descending: true, tree: false, collapsed: new Set(), filter: '', hideUserThreads: false, hideKernelThreads: false };
  it('sorts by a column, both directions, ties by pid', () => {
    expect(arrangeRows(m.rows, base).map((r) => r.row.pid)).toEqual([12, 5, 9, 1, 2, 13]);
    expect(arrangeRows(m.rows, { ...base, descending: false }).map((r) => r.row.pid)).toEqual([2, 13, 1, 9, 5, 12]);
  });
  it('filters by text, user, and hides thread kinds', () => {
    expect(arrangeRows(m.rows, { ...base, filter: 'VIM' }).map((r) => r.row.pid)).toEqual([12, 13]);
    expect(arrangeRows(m.rows, { ...base, uid: 1000 }).map((r) => r.row.pid)).toEqual([12, 9]);
    expect(arrangeRows(m.rows, { ...base, hideUserThreads: true, hideKernelThreads: true }).map((r) => r.row.pid)).toEqual([12, 5, 9, 1]);
  });
  it('builds a tree with prefixes and collapses subtrees', () => {
    const t = arrangeRows(m.rows, { ...base, tree: true, sort: 'pid', descending: false });
    expect(t.map((r) => r.row.pid)).toEqual([1, 5, 9, 12, 13, 2]);
    expect(t.map((r) => r.depth)).toEqual([0, 1, 2, 3, 4, 0]);
    expect(t[1].prefix).toBe('└─ ');
    expect(t[3].prefix.endsWith('└─ ')).toBe(true);
    const c = arrangeRows(m.rows, { ...base, tree: true, sort: 'pid', descending: false, collapsed: new Set([9]) });
    expect(c.map((r) => r.row.pid)).toEqual([1, 5, 9, 2]);
    expect(c[2].collapsed).toBe(true);
    expect(c[2].prefix).toContain('+');
  });
  it('makes an orphan of a filtered-out parent a root', () => {
    const t = arrangeRows(m.rows, { ...base, tree: true, filter: 'bash' });
    expect(t).toHaveLength(1);
    expect(t[0].depth).toBe(0);
  });
});

describe('buildProcessModel with a row pool (the top view reuses its rows)', () => {
  it('gives the same values as without a pool, in the same row object for the same task from model to model', async () => {
    const { newRowPool } = await import('../../src/model/process-model.js');
    const pool = newRowPool();
    const t0 = [task({ pid: 10, utime: 10 }), task({ pid: 11, isKernelThread: true, comm: 'kworker/0:1' }), task({ pid: 12, cmdline: 'a b' })];
    const t1 = [task({ pid: 10, utime: 60 }), task({ pid: 11, isKernelThread: true, comm: 'kworker/0:1' }), task({ pid: 12, cmdline: 'a b', starttime: 999 })];
    const s0 = sample(1000, t0);
    const s1 = sample(2000, t1);
    const m0 = buildProcessModel(undefined, s0, () => 'root', undefined, pool);
    const row10 = m0.rows.find((r) => r.pid === 10)!;
    const row12 = m0.rows.find((r) => r.pid === 12)!;
    expect(m0.rows.map((r) => ({ ...r }))).toEqual(buildProcessModel(undefined, s0, () => 'root').rows);
    const m1 = buildProcessModel(s0, s1, () => 'root', undefined, pool);
    expect(m1.rows.map((r) => ({ ...r }))).toEqual(buildProcessModel(s0, s1, () => 'root').rows);
    // pid 10: same task, same object, now holding the new values (50 ticks in 1 s = 50 %)
    expect(m1.rows.find((r) => r.pid === 10)).toBe(row10);
    expect(row10.cpuPercent).toBeCloseTo(50);
    // pid 12 was reused by another process (another start time): a new object, the old one keeps its values
    const new12 = m1.rows.find((r) => r.pid === 12)!;
    expect(new12).not.toBe(row12);
    expect(row12.startTime).not.toBe(new12.startTime);
    expect(m1.rows.find((r) => r.pid === 11)!.command).toBe('[kworker/0:1]');
  });
});

describe('arrangeRows sorts as compareRows does', () => {
  it('numeric, string and mixed keys, ties by pid, both directions', async () => {
    const { compareRows } = await import('../../src/model/columns.js');
    const rows = buildProcessModel(undefined, sample(1000, [
      task({ pid: 5, comm: 'b', rssPages: 3, cmdline: 'zz' }), task({ pid: 3, comm: 'a', rssPages: 3, cmdline: 'aa' }),
      task({ pid: 9, comm: 'b', rssPages: 1 }), task({ pid: 1, comm: 'c', rssPages: 7, cmdline: 'mm' }), task({ pid: 4, comm: 'a', rssPages: 3 }),
    ]), () => 'root').rows;
    for (const sort of ['res', 'comm', 'command', 'pid', 'cpu', 'oom']) {
      for (const descending of [false, true]) {
        const st: ViewState = { sort, descending, tree: false, collapsed: new Set(), filter: '', hideUserThreads: false, hideKernelThreads: false };
        const want = [...rows].sort(compareRows(columnById(sort)!, descending)).map((r) => r.pid);
        expect(arrangeRows(rows, st).map((v) => v.row.pid), `${sort} ${descending ? 'desc' : 'asc'}`).toEqual(want);
      }
    }
  });

  it('a flat arrangement hands out the same ViewRow for the same row', () => {
    const rows = buildProcessModel(undefined, sample(1000, [task({ pid: 2 }), task({ pid: 3 })]), () => 'root').rows;
    const st: ViewState = { sort: 'pid', descending: false, tree: false, collapsed: new Set(), filter: '', hideUserThreads: false, hideKernelThreads: false };
    const a = arrangeRows(rows, st);
    const b = arrangeRows(rows, { ...st, descending: true });
    expect(b[1]).toBe(a[0]);
    expect(a[0]).toEqual({ row: rows[0], prefix: '', depth: 0, hasChildren: false, collapsed: false });
  });
});
