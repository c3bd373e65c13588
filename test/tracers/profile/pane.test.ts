// The profile pane on a fake kernel: the table (self/total, modules, user /
// kernel toggle), the flame graph (cursor, zoom in and out), the notes
// (truncated stacks, losses), the border; and `ostop trace profile`'s
// arguments. No root, no BPF.
import { afterAll, describe, expect, it } from 'vitest';
import { ProfilePane } from '../../../src/tracers/profile/pane.js';
import { OffcpuPane } from '../../../src/tracers/offcpu/pane.js';
import { Profiler } from '../../../src/tracers/profile/profiler.js';
import { lineText, type PaneUi } from '../../../src/tracers/pane.js';
import { runTrace } from '../../../src/tracers/trace-cmd.js';
import { FakeKernel, K, U, fixtureProc, fixtureSymbolizer } from './fake.js';

const PID = 5555;
const fx = fixtureProc(PID);
afterAll(() => fx.cleanup());

const ui: PaneUi = { prompt: () => {}, status: () => {}, reconfigure: () => {} };

async function paneWithData(): Promise<{ pane: ProfilePane; k: FakeKernel }> {
  const pane = new ProfilePane(ui, (kind) => new Profiler({ kind, symbolizer: fixtureSymbolizer(fx.procRoot) }));
  const k = new FakeKernel();
  k.stacks.set(1, [U.burnA, U.main + 1n, U.libcStart]);
  k.stacks.set(2, [U.burnB, U.main + 1n, U.libcStart]);
  k.stacks.set(3, [U.lonely]);
  k.stacks.set(10, [K.schedule, K.syscall + 1n]);
  const prof = (pane as unknown as { prof: Profiler }).prof;
  pane.started();
  // The first collect after a (re)start empties the kernel maps (they may hold another scope's counts).
  pane.collect(k);
  for (let i = 0; i < 100 && prof.running; i++) await new Promise((r) => setTimeout(r, 5));
  expect(k.cleared).toEqual(['counts', 'stacks']);
  k.stacks.set(1, [U.burnA, U.main + 1n, U.libcStart]);
  k.stacks.set(2, [U.burnB, U.main + 1n, U.libcStart]);
  k.stacks.set(3, [U.lonely]);
  k.stacks.set(10, [K.schedule, K.syscall + 1n]);
  k.counts = [
    { pid: PID, comm: 'hot', kstack: -14, ustack: 1, value: 60 },
    { pid: PID, comm: 'hot', kstack: 10, ustack: 2, value: 25 },
    { pid: PID, comm: 'hot', kstack: -14, ustack: 3, value: 15 },
  ];
  k.stats.samples = 100;
  k.stats.collisions = 2;
  pane.collect(k);
  // collect() is asynchronous (symbolisation in slices): wait for it.
  for (let i = 0; i < 100 && !(pane as unknown as { prof: Profiler }).prof.totalValue; i++) await new Promise((r) => setTimeout(r, 5));
  return { pane, k };
}

const text = (lines: ReturnType<ProfilePane['draw']>) => lines.map(lineText);

describe('ProfilePane', () => {
  it('draws the top table: self and total, modules, kernel frames marked', async () => {
    const { pane } = await paneWithData();
    const out = text(pane.draw(100, 14));
    expect(out.some((l) => /SELF%\s+TOTAL%\s+SELF\s+TOTAL\s+MODULE\s+SYMBOL/.test(l))).toBe(true);
    const a = out.find((l) => l.includes('burn_a'))!;
    expect(a).toMatch(/^\s*60\.0\s+60\.0\s+60\s+60\s+hot\s+\[\.\] burn_a/);
    expect(out.find((l) => l.includes('schedule'))).toMatch(/kernel\s+\[k\] schedule/);
    // The truncated stack's note says what to do; losses are listed.
    expect(out.join(' ')).toMatch(/15% of samples have user stacks cut short.*-fno-omit-frame-pointer/);
    expect(out.some((l) => /lost: stack-map collisions 2/.test(l))).toBe(true);
    expect(pane.countLabel()).toMatch(/lost 2 · cost \d+\.\d% CPU/);
    expect(pane.modeLabel()).toEqual(['49 Hz', 'top (5 s half-life)', 'system-wide']);
  });

  it('k cycles all / user / kernel frames', async () => {
    const { pane } = await paneWithData();
    pane.handleKey('k', 'k', 'k');
    expect(pane.mode).toBe('user');
    expect(text(pane.draw(100, 14)).some((l) => l.includes('schedule'))).toBe(false);
    pane.handleKey('k', 'k', 'k');
    expect(pane.mode).toBe('kernel');
    const k = text(pane.draw(100, 14));
    expect(k.find((l) => l.includes('[user space]'))).toMatch(/^\s*75\.0/);
    expect(k.some((l) => l.includes('burn_a'))).toBe(false);
    pane.handleKey('k', 'k', 'k');
    expect(pane.mode).toBe('all');
  });

  it('f shows the icicle flame graph; arrows move, Enter zooms in, Backspace out', async () => {
    const { pane } = await paneWithData();
    pane.handleKey('f', 'f', 'f');
    expect(pane.view).toBe('flame');
    const flame = () => {
      const o = text(pane.draw(100, 16));
      return o.slice(o.findIndex((l) => /all stacks|zoomed:/.test(l)));
    };
    let out = flame();
    // root "all" across the width, then the comm, then the frames
    expect(out[1]).toMatch(/^all\s+▏$/);
    expect(out[2]).toMatch(/^hot\s+▏$/);
    expect(out.some((l) => /main/.test(l))).toBe(true);
    expect(out.some((l) => /burn_a.*burn_b/.test(l))).toBe(true);
    // Down the heaviest path: all > hot > __libc_start_call_main > main
    for (let i = 0; i < 3; i++) pane.handleKey(undefined, 'down', 'down');
    expect(flame()[0]).toMatch(/^main \[hot\]: 85 \(85\.0%\)/);
    pane.handleKey(undefined, 'down', 'down');
    expect(flame()[0]).toMatch(/^burn_a \[hot\]: 60/);
    pane.handleKey(undefined, 'right', 'right');
    expect(flame()[0]).toMatch(/^burn_b \[hot\]: 25/);
    pane.handleKey('\r', 'enter', 'enter');
    out = flame();
    expect(out[0]).toMatch(/zoomed: hot › __libc_start_call_main › main › burn_b/);
    // Zoomed: burn_b is the full width, its kernel callee below.
    expect(out[1]).toMatch(/^burn_b\s+▏$/);
    expect(out[2]).toMatch(/^do_syscall_64\s+▏$/);
    pane.handleKey('\x7f', 'backspace', 'backspace');
    expect(flame()[0]).toMatch(/zoomed: hot › __libc_start_call_main › main\b/);
    for (let i = 0; i < 5; i++) pane.handleKey('-', '-', '-');
    expect(flame()[0]).toMatch(/all stacks/);
    pane.handleKey('f', 'f', 'f');
    expect(pane.view).toBe('table');
  });

  it('fits any size, and says when nothing was counted', async () => {
    const { pane } = await paneWithData();
    for (const [w, h] of [[10, 1], [20, 3], [200, 40]]) {
      for (const v of ['table', 'flame'] as const) {
        pane.view = v;
        const out = pane.draw(w, h);
        expect(out.length).toBeLessThanOrEqual(h);
        for (const l of out) expect(lineText(l).length).toBeLessThanOrEqual(w);
      }
    }
    const empty = new OffcpuPane(ui, (kind) => new Profiler({ kind, symbolizer: fixtureSymbolizer(fx.procRoot) }));
    expect(text(empty.draw(80, 5)).join('\n')).toMatch(/no blocked time counted yet/);
    expect(empty.traceOptions()).toEqual({ pid: undefined, flags: { 'min-us': '1' } });
    expect(empty.modeLabel()[0]).toBe('blocked time');
  });
});

async function run(args: string[]) {
  let out = '', err = '';
  const code = await runTrace(args, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

describe('ostop trace profile arguments', () => {
  it('documents its flags and the folded format', async () => {
    const r = await run(['--help']);
    expect(r.out).toMatch(/--format text\|json\|folded/);
    expect(r.out).toMatch(/profile: --freq HZ/);
    expect(r.out).toMatch(/--off-cpu/);
  });
  it('rejects bad values and mismatched flags with exit 2', async () => {
    expect((await run(['profile', '--freq', 'abc'])).code).toBe(2);
    expect((await run(['profile', '--freq', '0x10'])).code).toBe(2);
    expect((await run(['profile', '--off-cpu', '--freq', '99'])).err).toMatch(/--freq applies to on-CPU sampling/);
    expect((await run(['profile', '--min-us', '5'])).err).toMatch(/--min-us applies to --off-cpu/);
    expect((await run(['opens', '--format', 'folded'])).err).toMatch(/--format: 'folded' is not one of text, json$/m);
    expect((await run(['profile', '--format', 'svg'])).err).toMatch(/not one of text, json, folded/);
  });
});
