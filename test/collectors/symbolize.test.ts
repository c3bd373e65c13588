// The symboliser on a fixture /proc tree and a fake elfSymbolize: file
// offsets from maps, one lookup per module, build-id keyed caching, JIT
// frames from the perf map, module+0xoff for what does not resolve, maps kept
// after the process exits, kernel frames from kallsyms (and the
// kptr_restrict note). The real addon is exercised by test/tracers/profile/live.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Symbolizer, type ElfSymbolize } from '../../src/collectors/symbolize.js';
import { kernelOffset } from '../../src/collectors/procfs/kallsyms.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-sym-'));
const proc = path.join(root, 'proc');
const tmp = path.join(root, 'tmp');
fs.mkdirSync(tmp);
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function fakeProcess(pid: number, maps: string, uid = process.geteuid?.() ?? 0): void {
  const d = path.join(proc, String(pid));
  fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(d, 'maps'), maps);
  fs.writeFileSync(path.join(d, 'stat'), `${pid} (hot) R 1 ${pid} ${pid} 0 -1 4194304 0 0 0 0 5 1 0 0 20 0 1 0 4242 1000 10 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n`);
  fs.writeFileSync(path.join(d, 'status'), `Name:\thot\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\nNSpid:\t${pid}\n`);
}

const MAPS = [
  '555500000000-555500001000 r--p 00000000 fd:01 11                         /usr/bin/hot',
  '555500001000-555500005000 r-xp 00001000 fd:01 11                         /usr/bin/hot',
  '7f0000000000-7f0000010000 r-xp 00002000 fd:01 22                         /usr/lib/libm y.so',
  '7f1000000000-7f1000010000 r-xp 00000000 00:00 0 ',
  '7f2000000000-7f2000010000 r-xp 00002000 fd:09 99                         /other/root/libm y.so',
  '7f3000000000-7f3000010000 r-xp 00002000 fd:0a 55                         /lib/copy/libm y.so',
].join('\n') + '\n';

/** A fake libdwfl: symbols every 0x100 bytes of file offset, per inode of the path opened. */
function fakeElf(calls: Array<{ path: string; offs: number[] }>): ElfSymbolize {
  return async (p, offs) => {
    calls.push({ path: p, offs: [...offs] });
    if (!fs.existsSync(path.dirname(p))) return { buildId: null, names: [], symOffsets: [], error: `${p}: ENOENT` };
    const lib = /libm|\/7f[023]0/.test(p);
    return {
      buildId: lib ? 'abcd' : 'ef01',
      // The copy at 7f20... is a user's file claiming libm's build id, with other names.
      rootOwned: !/\/7f20/.test(p),
      names: offs.map((o) => (o < 0x1000 ? null : `${/\/7f20/.test(p) ? 'evil' : lib ? 'lib' : 'main'}_fn_${(o >> 8).toString(16)}`)),
      symOffsets: offs.map((o) => o & 0xff),
    };
  };
}

describe('Symbolizer: user frames', () => {
  it('resolves through file offsets, one lookup per module, cached; JIT and unresolved frames', async () => {
    fakeProcess(100, MAPS);
    fs.mkdirSync(path.join(proc, '100', 'map_files'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'perf-100.map'), '7f1000000100 80 LazyCompile:*hotJs x.js:1\n');
    const calls: Array<{ path: string; offs: number[] }> = [];
    const s = new Symbolizer({ procRoot: proc, tmpDir: tmp, elf: fakeElf(calls), mapFiles: true, kallsyms: () => '' });
    // Innermost first: a leaf in main, a return address into the lib, a JIT frame, an unknown address.
    const [frames] = await s.userStacks([{ pid: 100, comm: 'hot', ips: [0x555500001234, 0x7f0000000501, 0x7f1000000121, 0x7f1000009000, 0x10] }]);
    expect(frames.map((f) => f.name)).toEqual([
      'main_fn_12', // 0x1234 - 0x1000 + 0x1000
      'lib_fn_25', // return address: 0x500 - 0x1000 ... 0x7f0000000500 - start + 0x2000 = 0x2500
      'LazyCompile:*hotJs x.js:1',
      '[anon]+0x9000',
      '0x10',
    ]);
    expect(frames.map((f) => f.module)).toEqual(['hot', 'libm y.so', '[jit]', '[anon]', '[unknown]']);
    expect(frames.map((f) => f.resolved)).toEqual([true, true, true, false, false]);
    expect(calls.map((c) => c.path).sort()).toEqual([
      `${proc}/100/map_files/555500001000-555500005000`,
      `${proc}/100/map_files/7f0000000000-7f0000010000`,
    ]);
    // Cached: the same addresses again need no lookup.
    await s.userStacks([{ pid: 100, comm: 'hot', ips: [0x555500001234] }]);
    expect(calls.length).toBe(2);
    // The same build id in a root-owned copy elsewhere (another device:inode): after its first lookup (which tells its build id)
    // it shares the table: what either module learns, the other does not look up again.
    await s.userStacks([{ pid: 100, comm: 'hot', ips: [0x7f3000000501] }]);
    await s.userStacks([{ pid: 100, comm: 'hot', ips: [0x7f0000000901] }]);
    const before = calls.length;
    const [copy] = await s.userStacks([{ pid: 100, comm: 'hot', ips: [0x7f3000000901, 0x7f3000000501] }]);
    expect(copy.map((f) => f.name)).toEqual(['lib_fn_29', 'lib_fn_25']);
    expect(calls.length).toBe(before);
    // A user's file claiming that build id neither uses nor changes the shared table.
    const [evil] = await s.userStacks([{ pid: 100, comm: 'hot', ips: [0x7f2000000501] }]);
    expect(evil[0].name).toBe('evil_fn_25');
    const [still] = await s.userStacks([{ pid: 100, comm: 'hot', ips: [0x7f0000000501, 0x7f3000000901] }]);
    expect(still.map((f) => f.name)).toEqual(['lib_fn_25', 'lib_fn_29']);
    expect(s.moduleBuildIds().get('fd:09:99')).toBe('abcd');
  });

  it('needs no lookup for an offset inside a function between its start and an offset known in it', async () => {
    fakeProcess(105, MAPS);
    fs.mkdirSync(path.join(proc, '105', 'map_files'), { recursive: true });
    const calls: Array<{ path: string; offs: number[] }> = [];
    const s = new Symbolizer({ procRoot: proc, tmpDir: tmp, elf: fakeElf(calls), mapFiles: true, kallsyms: () => '' });
    // 0x1234 and 0x12f0 are in main_fn_12 (starts at 0x1200 in the fake).
    await s.userStacks([{ pid: 105, comm: 'hot', ips: [0x555500001234] }, { pid: 105, comm: 'hot', ips: [0x5555000012f0] }]);
    expect(calls.length).toBe(1);
    const [f] = await s.userStacks([{ pid: 105, comm: 'hot', ips: [0x555500001260] }]);
    expect(f[0].name).toBe('main_fn_12');
    expect(calls.length).toBe(1);
    // Past the largest offset known in it: not assumed, looked up.
    await s.userStacks([{ pid: 105, comm: 'hot', ips: [0x5555000012f8] }]);
    expect(calls.length).toBe(2);
  });

  it('falls back to /proc/PID/root/PATH, and shows module+0xoff where a file has no symbol', async () => {
    fakeProcess(101, MAPS);
    fs.mkdirSync(path.join(proc, '101', 'root', 'usr', 'bin'), { recursive: true });
    const calls: Array<{ path: string; offs: number[] }> = [];
    const s = new Symbolizer({ procRoot: proc, tmpDir: tmp, elf: fakeElf(calls), mapFiles: true, kallsyms: () => '' });
    const [f] = await s.userStacks([{ pid: 101, comm: 'hot', ips: [0x555500001234, 0x555500000010] }]);
    expect(calls[0].path).toBe(`${proc}/101/map_files/555500001000-555500005000`);
    expect(calls.some((c) => c.path === `${proc}/101/root/usr/bin/hot`)).toBe(true);
    expect(f[0].name).toBe('main_fn_12');
    expect(f[1]).toMatchObject({ name: 'hot+0x10', module: 'hot', resolved: false });
  });

  it('keeps the maps of a process after it exits, and forgets them when told', async () => {
    fakeProcess(102, MAPS);
    const s = new Symbolizer({ procRoot: proc, tmpDir: tmp, kallsyms: () => '' });
    expect(s.capture(102, 'hot')).toBe(true);
    fs.rmSync(path.join(proc, '102'), { recursive: true });
    expect(s.exited()).toEqual([102]);
    // Without an ELF reader frames still land in the right module.
    const [f] = await s.userStacks([{ pid: 102, comm: 'hot', ips: [0x555500001234] }]);
    expect(f[0]).toMatchObject({ name: 'hot+0x1234', module: 'hot', resolved: false });
    s.forget(102);
    expect(s.has(102)).toBe(false);
    const [g] = await s.userStacks([{ pid: 102, comm: 'hot', ips: [0x555500001234] }]);
    expect(g[0]).toMatchObject({ name: '0x555500001234', module: '[unknown]' });
  });

  it('re-reads the maps for new stacks (a library loaded later)', async () => {
    fakeProcess(103, MAPS.split('\n').slice(0, 2).join('\n') + '\n');
    const s = new Symbolizer({ procRoot: proc, tmpDir: tmp, kallsyms: () => '' });
    const [a] = await s.userStacks([{ pid: 103, comm: 'hot', ips: [0x7f0000000500] }]);
    expect(a[0].module).toBe('[unknown]');
    fakeProcess(103, MAPS);
    const [b] = await s.userStacks([{ pid: 103, comm: 'hot', ips: [0x7f0000000500] }]);
    expect(b[0].module).toBe('libm y.so');
  });

  it('yields to the event loop while it works', async () => {
    fakeProcess(104, MAPS);
    const s = new Symbolizer({ procRoot: proc, tmpDir: tmp, kallsyms: () => '', sliceMs: 0 });
    let ticks = 0;
    const t = setInterval(() => ticks++, 0);
    const reqs = Array.from({ length: 2000 }, (_, i) => ({ pid: 104, comm: 'hot', ips: [0x555500001000 + i, 0x555500002000 + i] }));
    const out = await s.userStacks(reqs);
    clearInterval(t);
    expect(out.length).toBe(2000);
    expect(ticks).toBeGreaterThan(0);
  });
});

describe('Symbolizer: kernel frames', () => {
  const ks = fs.readFileSync(new URL('../fixtures/profile/kallsyms', import.meta.url), 'utf8');
  const at = (hex: string) => kernelOffset(parseInt(hex.slice(0, 8), 16), parseInt(hex.slice(8), 16));

  it('resolves from kallsyms; return addresses one byte back', () => {
    const s = new Symbolizer({ kallsyms: () => ks });
    const f = s.kernelFrames([at('ffffffff81004010'), at('ffffffff81001000'), at('ffffffffc0a01100')]);
    // The second is a return address right at a symbol's start: it belongs to the function before it (the call).
    expect(f.map((x) => x.name)).toEqual(['schedule', '_text', 'ext4_fill_super']);
    expect(f.map((x) => x.module)).toEqual(['kernel', 'kernel', 'ext4']);
    expect(s.kernelProblem()).toBeUndefined();
  });

  it('says why under kptr_restrict and shows addresses', () => {
    const restricted = fs.readFileSync(new URL('../fixtures/profile/kallsyms-restricted', import.meta.url), 'utf8');
    const s = new Symbolizer({ kallsyms: () => restricted });
    const f = s.kernelFrames([at('ffffffff81004010')]);
    expect(f[0]).toMatchObject({ name: '0xffffffff81004010', resolved: false, kernel: true });
    expect(s.kernelProblem()).toMatch(/kptr_restrict/);
  });
});
