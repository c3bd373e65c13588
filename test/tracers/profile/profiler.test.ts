// The profilers' core on canned map contents: counts diffed between reads,
// stacks fetched and symbolised once, folded stacks (and parsed back as a
// flame-graph tool reads them), the decaying table, the flame tree, the
// text and JSON reports, truncated stacks and lost ones, full maps cleared.
import { afterAll, describe, expect, it } from 'vitest';
import { Profiler, decodeStats, dropTraceGlue, isTruncated, MARK } from '../../../src/tracers/profile/profiler.js';
import { flameTree, foldedLines, functionTable, parseFoldedLine } from '../../../src/tracers/profile/views.js';
import { jsonReport, textReport, truncationAdvice } from '../../../src/tracers/profile/report.js';
import { FakeKernel, K, U, fixtureProc, fixtureSymbolizer } from './fake.js';

const PID = 4321;
const fx = fixtureProc(PID);
afterAll(() => fx.cleanup());

function setup(kind: 'profile' | 'offcpu' = 'profile') {
  const k = new FakeKernel(kind);
  // Stack 1: burn_a <- main <- __libc_start_call_main; 2: burn_b <- main <- libc; 3: lonely (no frame pointers: ends in hot).
  k.stacks.set(1, [U.burnA, U.main + 1n, U.libcStart]);
  k.stacks.set(2, [U.burnB, U.main + 1n, U.libcStart]);
  k.stacks.set(3, [U.lonely]);
  k.stacks.set(10, [K.schedule, K.syscall + 1n]);
  let now = 1_000_000;
  const p = new Profiler({ kind, symbolizer: fixtureSymbolizer(fx.procRoot), clock: () => now, halfLifeSec: 5 });
  return { k, p, advance: (s: number) => (now += s * 1000) };
}

describe('Profiler', () => {
  it('counts, symbolises and folds stacks root first', async () => {
    const { k, p } = setup();
    k.counts = [
      { pid: PID, tid: PID, comm: 'hot', kstack: -14, ustack: 1, value: 70 },
      { pid: PID, tid: PID + 1, comm: 'hot', kstack: -14, ustack: 2, value: 20 },
      { pid: PID, tid: PID, comm: 'hot', kstack: 10, ustack: 2, value: 10 },
    ];
    k.stats.samples = 100;
    const info = await p.collect(k);
    expect(info).toMatchObject({ delta: 100, resolved: 3 });
    expect(p.totalValue).toBe(100);
    expect(p.stats.samples).toBe(100);
    expect(foldedLines(p.all(), 'profile')).toEqual([
      'hot;__libc_start_call_main;main;burn_a 70',
      'hot;__libc_start_call_main;main;burn_b 20',
      'hot;__libc_start_call_main;main;burn_b;do_syscall_64_[k];schedule_[k] 10',
    ]);
    expect(p.all()[0].truncated).toBe(false);
  });

  it('adds only what the cumulative counts grew by, and decays the window', async () => {
    const { k, p, advance } = setup();
    k.counts = [{ pid: PID, comm: 'hot', kstack: -14, ustack: 1, value: 70 }];
    await p.collect(k);
    advance(5);
    k.counts = [{ pid: PID, comm: 'hot', kstack: -14, ustack: 1, value: 100 }, { pid: PID, comm: 'hot', kstack: -14, ustack: 2, value: 30 }];
    await p.collect(k);
    const [a, b] = p.all();
    expect(a.total).toBe(100);
    expect(b.total).toBe(30);
    // One half-life later the first 70 weigh 35, then +30.
    expect(a.recent).toBeCloseTo(65, 5);
    expect(b.recent).toBeCloseTo(30, 5);
    const rows = functionTable(p.all(), 'all', 'recent');
    expect(rows[0]).toMatchObject({ name: 'burn_a', module: 'hot', self: a.recent });
    expect(rows.find((r) => r.name === 'main')).toMatchObject({ self: 0, total: a.recent + b.recent });
  });

  it('marks user stacks cut short by missing frame pointers, and says what to do', async () => {
    const { k, p } = setup();
    k.counts = [{ pid: PID, comm: 'hot', kstack: -14, ustack: 3, value: 50 }, { pid: PID, comm: 'hot', kstack: -14, ustack: 1, value: 50 }];
    await p.collect(k);
    const lonely = p.all().find((s) => s.folded.includes('lonely'))!;
    expect(lonely.truncated).toBe(true);
    expect(lonely.folded).toBe(`hot;${MARK.truncated};lonely`);
    expect(truncationAdvice(p)).toMatch(/50% of samples have.*hot.*-fno-omit-frame-pointer/);
    expect(isTruncated([], 127)).toBe(false);
  });

  it('shows collisions and missing stacks as marker frames, and counts the losses', async () => {
    const { k, p } = setup();
    k.counts = [{ pid: PID, comm: 'hot', kstack: -17, ustack: 1, value: 3 }, { pid: 0, comm: 'swapper/0', kstack: -14, ustack: -14, value: 2 }];
    k.stats = { ...k.stats, samples: 5, collisions: 3, no_ustack: 1 };
    await p.collect(k);
    const folded = foldedLines(p.all(), 'profile');
    expect(folded).toContain(`hot;${MARK.collision};__libc_start_call_main;main;burn_a 3`);
    expect(folded).toContain(`swapper/0;${MARK.noStack} 2`);
    expect(p.stats).toMatchObject({ collisions: 3, noUstack: 1 });
  });

  it('clears both kernel maps when one fills up, and keeps the totals', async () => {
    const { k, p } = setup();
    k.counts = [{ pid: PID, comm: 'hot', kstack: -14, ustack: 1, value: 10 }];
    await p.collect(k);
    k.stats.stacks_full = 1;
    k.counts = [{ pid: PID, comm: 'hot', kstack: -14, ustack: 1, value: 15 }];
    await p.collect(k);
    expect(k.cleared).toEqual(['counts', 'stacks']);
    expect(p.totalValue).toBe(15);
    // The ids start over: the same stack counted from zero again is added, not diffed against the old read.
    k.stacks.set(1, [U.burnA, U.main + 1n, U.libcStart]);
    k.counts = [{ pid: PID, comm: 'hot', kstack: -14, ustack: 1, value: 4 }];
    await p.collect(k);
    expect(p.all()[0].total).toBe(19);
  });

  it('after restarted() (the pane\'s PID changed in place) the old scope\'s counts are cleared, not counted', async () => {
    const { k, p } = setup();
    k.counts = [{ pid: PID, comm: 'hot', kstack: -14, ustack: 1, value: 10 }];
    await p.collect(k);
    k.counts = [{ pid: PID, comm: 'hot', kstack: -14, ustack: 1, value: 50 }];
    k.stats.samples = 50;
    p.restarted();
    await p.collect(k);
    expect(k.cleared).toEqual(['counts', 'stacks']);
    expect(p.totalValue).toBe(0);
    k.stacks.set(2, [U.burnB, U.main + 1n, U.libcStart]);
    k.counts = [{ pid: PID, comm: 'hot', kstack: -14, ustack: 2, value: 7 }];
    k.stats.samples = 57;
    await p.collect(k);
    expect(p.totalValue).toBe(7);
    expect(p.stats.samples).toBe(7);
  });

  it('deferred (trace mode): addresses and maps while sampling, symbols and totals in the final collect, across a map clear', async () => {
    const k = new FakeKernel();
    k.stacks.set(1, [U.burnA, U.main + 1n, U.libcStart]);
    k.stacks.set(2, [U.burnB, U.main + 1n, U.libcStart]);
    const sym = fixtureSymbolizer(fx.procRoot);
    const p = new Profiler({ kind: 'profile', symbolizer: sym, defer: true });
    k.counts = [{ pid: PID, comm: 'hot', kstack: -14, ustack: 1, value: 30 }];
    await p.collect(k);
    expect(p.size).toBe(0);
    expect(p.totalValue).toBe(0);
    expect(sym.has(PID)).toBe(true);
    k.counts = [{ pid: PID, comm: 'hot', kstack: -14, ustack: 1, value: 50 }];
    k.stats.counts_full = 1;
    await p.collect(k);
    expect(k.cleared).toEqual(['counts', 'stacks']);
    // Id 1 now names another stack: the deferred one keeps its own addresses.
    k.stacks.set(1, [U.burnB, U.main + 1n, U.libcStart]);
    k.counts = [{ pid: PID, comm: 'hot', kstack: -14, ustack: 1, value: 20 }];
    k.stats.counts_full = 1;
    const info = await p.collect(k, { final: true });
    expect(info?.resolved).toBe(2);
    expect(foldedLines(p.all(), 'profile')).toEqual([
      'hot;__libc_start_call_main;main;burn_a 50',
      'hot;__libc_start_call_main;main;burn_b 20',
    ]);
    expect(p.totalValue).toBe(70);
  });

  it('deferred with the kernel\'s new-pid queue: a tick drains new_pids and never reads counts until it nears full', async () => {
    const k = new FakeKernel();
    k.newPids = [];
    k.stacks.set(1, [U.burnA, U.main + 1n, U.libcStart]);
    const sym = fixtureSymbolizer(fx.procRoot);
    const p = new Profiler({ kind: 'profile', symbolizer: sym, defer: true, mapEntries: 100 });
    k.counts = [{ pid: PID, comm: 'hot', kstack: -14, ustack: 1, value: 30 }];
    k.inserts = 1;
    await p.collect(k);
    // Not queued yet: nothing captured, counts not read.
    expect(sym.has(PID)).toBe(false);
    expect(k.reads).not.toContain('counts');
    k.newPids = [PID];
    await p.collect(k);
    expect(sym.has(PID)).toBe(true);
    expect(k.newPids).toEqual([]);
    expect(k.reads).not.toContain('counts');
    expect(k.cleared).toEqual([]);
    // 91 of 100 entries inserted since the last clear: a full pass fetches the stacks and clears both maps.
    k.inserts = 92;
    k.counts.push(...Array.from({ length: 91 }, (_, i) => ({ pid: PID, tid: PID + 1 + i, comm: 'hot', kstack: -14, ustack: 1, value: 0 })));
    await p.collect(k);
    expect(k.reads).toContain('counts');
    expect(k.cleared).toEqual(['counts', 'stacks']);
    // Counted from the clear on: 92 - 92 + 50 entries is not nearly full.
    k.reads = [];
    k.stacks.set(1, [U.burnA, U.main + 1n, U.libcStart]);
    k.inserts = 142;
    k.counts = [{ pid: PID, comm: 'hot', kstack: -14, ustack: 1, value: 5 }];
    await p.collect(k);
    expect(k.reads).not.toContain('counts');
    const info = await p.collect(k, { final: true });
    // The stack fetched before the clear (detached) and the one counted since: one folded line.
    expect(info?.resolved).toBe(2);
    expect(foldedLines(p.all(), 'profile')).toEqual(['hot;__libc_start_call_main;main;burn_a 35']);
  });

  it('drops the tracing machinery a sched_switch stack starts with (the BPF program, its trampolines)', () => {
    const k = (name: string, module = 'kernel') => ({ name, module, kernel: true, resolved: true });
    const stack = [k('bpf_prog_8f55_ostop_offcpu_switch', 'bpf'), k('bpf_trace_run4'), k('__bpf_trace_sched_switch'), k('__schedule'), k('schedule'), k('do_nanosleep')];
    expect(dropTraceGlue(stack).map((f) => f.name)).toEqual(['__schedule', 'schedule', 'do_nanosleep']);
    const clean = [k('__schedule'), k('schedule')];
    expect(dropTraceGlue(clean)).toBe(clean);
  });

  it('keeps hostile process names from breaking a folded line (no ;, no controls, one line)', async () => {
    const { k, p } = setup();
    k.counts = [{ pid: PID, comm: 'a;b\n2 \x1b[31m', kstack: -14, ustack: 1, value: 4 }];
    await p.collect(k);
    const [l] = foldedLines(p.all(), 'profile');
    expect(l.split('\n')).toHaveLength(1);
    expect(l).not.toMatch(/[\x00-\x1f\x7f]/);
    const r = parseFoldedLine(l)!;
    expect(r.count).toBe(4);
    expect(r.frames[0]).toBe('a:b 2 ?');
    expect(r.frames.slice(1)).toEqual(['__libc_start_call_main', 'main', 'burn_a']);
  });

  it('sums the per-CPU stats', () => {
    const k = new FakeKernel('profile', 4);
    k.stats = { samples: 10, no_ustack: 2, no_kstack: 1, collisions: 3, stacks_full: 0, counts_full: 4, start_lost: 0, idle: 7 };
    expect(decodeStats(k.mapDump('stats'))).toEqual({ samples: 10, noUstack: 2, noKstack: 1, collisions: 3, stacksFull: 0, countsFull: 4, startLost: 0, idle: 7 });
  });

  it('off-CPU: blocked time by stack, folded in microseconds', async () => {
    const { k, p } = setup('offcpu');
    k.counts = [{ pid: PID, comm: 'hot', kstack: 10, ustack: 2, value: 250_000_000, count: 5 }];
    await p.collect(k);
    expect(p.totalValue).toBe(250_000_000);
    expect(p.totalCount).toBe(5);
    expect(foldedLines(p.all(), 'offcpu')).toEqual(['hot;__libc_start_call_main;main;burn_b;do_syscall_64_[k];schedule_[k] 250000']);
    const j = JSON.parse(jsonReport(p, { kind: 'offcpu', freq: 0, seconds: 1 }));
    expect(j).toMatchObject({ tracer: 'offcpu', blocked_us: 250000, blocks: 5 });
    expect(j.stacks[0]).toMatchObject({ pid: PID, comm: 'hot', blocked_us: 250000, blocks: 5, truncated: false });
    const text = textReport(p, { kind: 'offcpu', freq: 0, seconds: 1 });
    // By total (every off-CPU stack ends in the scheduler), in ms.
    expect(text).toMatch(/Total\(ms\)/);
    expect(text).toMatch(/100\.00%\s+0\.00%\s+250\.000 .*\[\.\] main/);
  });
});

describe('views and reports', () => {
  async function loaded() {
    const { k, p } = setup();
    k.counts = [
      { pid: PID, comm: 'hot', kstack: -14, ustack: 1, value: 70 },
      { pid: PID, comm: 'hot', kstack: -14, ustack: 2, value: 25 },
      { pid: PID, comm: 'hot', kstack: 10, ustack: 2, value: 5 },
    ];
    k.stats.samples = 100;
    await p.collect(k);
    return p;
  }

  it('folded output parses back as flamegraph.pl reads it: one stack a line, frames by ;, then a count', async () => {
    const p = await loaded();
    const lines = foldedLines(p.all(), 'profile');
    let sum = 0;
    for (const l of lines) {
      const r = parseFoldedLine(l);
      expect(r, l).not.toBeNull();
      expect(r!.frames[0]).toBe('hot');
      sum += r!.count;
    }
    expect(sum).toBe(100);
    expect(parseFoldedLine('a;;b 1')).toBeNull();
    expect(parseFoldedLine('a;b x')).toBeNull();
  });

  it('the table by self and total, in all / user / kernel frames', async () => {
    const p = await loaded();
    const all = functionTable(p.all(), 'all', 'total');
    expect(all.slice(0, 3).map((r) => [r.name, r.self, r.total])).toEqual([['burn_a', 70, 70], ['burn_b', 25, 30], ['schedule', 5, 5]]);
    const user = functionTable(p.all(), 'user', 'total');
    expect(user.find((r) => r.name === 'burn_b')).toMatchObject({ self: 30 });
    const kernel = functionTable(p.all(), 'kernel', 'total');
    expect(kernel.map((r) => [r.name, r.self])).toEqual([['[user space]', 95], ['schedule', 5], ['do_syscall_64', 0]]);
  });

  it('the flame tree: all > comm > frames, heaviest first', async () => {
    const p = await loaded();
    const t = flameTree(p.all(), 'all');
    expect(t.value).toBe(100);
    expect(t.children.map((c) => c.name)).toEqual(['hot']);
    const main = t.children[0].children[0].children[0];
    expect(main.name).toBe('main');
    expect(main.children.map((c) => [c.name, c.value])).toEqual([['burn_a', 70], ['burn_b', 30]]);
  });

  it('text report: perf-report-like lines; json: every function and stack', async () => {
    const p = await loaded();
    const text = textReport(p, { kind: 'profile', freq: 99, seconds: 2 });
    expect(text).toMatch(/^# Samples: 100 of event 'cpu-clock' at 99 Hz, all CPUs, 2\.0 s/);
    expect(text).toMatch(/\n\s+70\.00%\s+70\.00%\s+70\s+hot\s+hot\s+\[\.\] burn_a\n/);
    expect(text).toMatch(/\[k\] schedule/);
    const j = JSON.parse(jsonReport(p, { kind: 'profile', freq: 99, seconds: 2 }));
    expect(j).toMatchObject({ tracer: 'profile', frequency_hz: 99, samples: 100, lost: { collisions: 0 } });
    expect(j.functions[0]).toEqual({ name: 'burn_a', module: 'hot', kernel: false, self: 70, total: 70, self_pct: 70, total_pct: 70 });
    expect(j.stacks[0]).toEqual({ pid: PID, comm: 'hot', stack: '__libc_start_call_main;main;burn_a', samples: 70, truncated: false });
  });
});
