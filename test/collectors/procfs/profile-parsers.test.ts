// The /proc parsers the profiler's symbolisation and the drill-in's D-state
// section rest on: maps (hostile paths), kallsyms (modules, kptr_restrict),
// stack + wchan, and JIT perf maps.
import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { parseMaps, findMapping, fileOffset, isFileMapping, mapFilesName } from '../../../src/collectors/procfs/pid-maps.js';
import { parseKallsyms, parseKallsymsSliced, lookupKernel, kernelOffset, kernelHex } from '../../../src/collectors/procfs/kallsyms.js';
import { parseKernelStack, parseWchan, formatKernelFrame } from '../../../src/collectors/procfs/pid-stack.js';
import { parsePerfMap, lookupPerfMap } from '../../../src/collectors/procfs/perf-map.js';

const fx = (n: string) => readFileSync(new URL(`../../fixtures/profile/${n}`, import.meta.url), 'utf8');

describe('parseMaps', () => {
  const maps = parseMaps(fx('maps-hostile'));

  it('keeps the mappings that parse, sorted, and skips garbage and bad ranges', () => {
    expect(maps.map((m) => m.path)).toEqual([
      '/usr/bin/hot', '/usr/bin/hot', '[heap]', '', '/home/u/my lib/libwith space.so',
      '/tmp/evil\\012[vdso]', '/opt/app/libgone.so', '[anon:v8 code]', '[vdso]',
    ]);
    expect(maps.some((m) => m.path === '/bad/range')).toBe(false);
    // The vsyscall page is above 2^53: not exact as a number, left out rather than misplaced.
    expect(maps.some((m) => m.path === '[vsyscall]')).toBe(false);
  });

  it('reads fields, spaces in paths and the deleted suffix', () => {
    const text = maps[1];
    expect(text).toMatchObject({ start: 0x55d4c2a28000, end: 0x55d4c2a9b000, perms: 'r-xp', offset: 0x28000, dev: 'fd:01', inode: 1048601, deleted: false });
    expect(maps[4]).toMatchObject({ path: '/home/u/my lib/libwith space.so', inode: 77, deleted: false });
    expect(maps[5]).toMatchObject({ path: '/tmp/evil\\012[vdso]', deleted: true });
    expect(maps[6]).toMatchObject({ path: '/opt/app/libgone.so', deleted: true });
    expect(maps[3]).toMatchObject({ path: '', inode: 0 });
    expect(isFileMapping(maps[1])).toBe(true);
    expect(isFileMapping(maps[2])).toBe(false);
    expect(isFileMapping(maps[3])).toBe(false);
  });

  it('finds the mapping of an address and its file offset', () => {
    const m = findMapping(maps, 0x55d4c2a28000 + 0x1234)!;
    expect(m.perms).toBe('r-xp');
    expect(fileOffset(m, 0x55d4c2a28000 + 0x1234)).toBe(0x28000 + 0x1234);
    expect(findMapping(maps, 0x55d4c2a9b000)).toBeUndefined();
    expect(findMapping(maps, 0x1000)).toBeUndefined();
    expect(findMapping(maps, 0x7f0a1c000010)!.path).toBe('');
    expect(mapFilesName(m)).toBe('55d4c2a28000-55d4c2a9b000');
  });

  it('reads this process\'s own maps', () => {
    const own = parseMaps(readFileSync('/proc/self/maps', 'utf8'));
    expect(own.length).toBeGreaterThan(5);
    expect(own.some((m) => m.path === process.execPath || m.path.endsWith('/node'))).toBe(true);
  });
});

describe('parseKallsyms', () => {
  it('keeps text symbols (modules too), sorted, and finds the symbol of an address', () => {
    const k = parseKallsyms(fx('kallsyms'));
    expect(k.restricted).toBe(false);
    expect(k.names).not.toContain('some_data');
    expect(k.names).toContain('weak_fn');
    for (let i = 1; i < k.addrs.length; i++) expect(k.addrs[i]).toBeGreaterThanOrEqual(k.addrs[i - 1]);
    const at = (hex: string) => kernelOffset(parseInt(hex.slice(0, 8), 16), parseInt(hex.slice(8), 16));
    expect(lookupKernel(k, at('ffffffff81001010'))).toEqual({ name: 'do_syscall_64', module: '', offset: 0x10 });
    expect(lookupKernel(k, at('ffffffff81004900'))).toMatchObject({ name: 'weak_fn' });
    expect(lookupKernel(k, at('ffffffffc0a01234'))).toEqual({ name: 'ext4_fill_super', module: 'ext4', offset: 0x234 });
    expect(lookupKernel(k, at('ffffffffc0a00004'))).toMatchObject({ name: 'ext4_init', module: 'ext4' });
    // Below the first symbol, or far beyond the last: unknown.
    expect(lookupKernel(k, at('ffffffff80000000'))).toBeUndefined();
    expect(lookupKernel(k, at('ffffffffd0000000'))).toBeUndefined();
    expect(kernelHex(at('ffffffffc0a01234'))).toBe('ffffffffc0a01234');
  });

  it('says when kptr_restrict hides the addresses', () => {
    const k = parseKallsyms(fx('kallsyms-restricted'));
    expect(k.restricted).toBe(true);
    expect(k.addrs.length).toBe(0);
  });

  it('parses in slices to the same result, yielding between them', async () => {
    const text = readFileSync('/proc/kallsyms', 'utf8');
    let pauses = 0;
    const sliced = await parseKallsymsSliced(text, async () => { pauses++; }, 4096);
    const whole = parseKallsyms(text);
    expect(sliced.names.length).toBe(whole.names.length);
    expect(sliced.names.slice(0, 50)).toEqual(whole.names.slice(0, 50));
    expect(Array.from(sliced.addrs.slice(-50))).toEqual(Array.from(whole.addrs.slice(-50)));
    expect(pauses).toBeGreaterThanOrEqual(Math.floor(text.split('\n').length / 4096));
    const fx2 = await parseKallsymsSliced(fx('kallsyms'), async () => {}, 2);
    expect(fx2).toEqual(parseKallsyms(fx('kallsyms')));
  });

  it('parses the live /proc/kallsyms', () => {
    const k = parseKallsyms(readFileSync('/proc/kallsyms', 'utf8'));
    if (process.geteuid?.() === 0 && !k.restricted) expect(k.names).toContain('schedule');
    expect(k.addrs.length > 1000 || k.restricted).toBe(true);
  });
});

describe('parseKernelStack and parseWchan', () => {
  it('reads the frames of a task in D state, modules included', () => {
    const frames = parseKernelStack(fx('stack-d'));
    expect(frames.map((f) => f.name)).toEqual(['io_schedule', 'folio_wait_bit_common', 'nfs_wait_bit_killable', 'do_syscall_64', 'entry_SYSCALL_64_after_hwframe']);
    expect(frames[2]).toEqual({ name: 'nfs_wait_bit_killable', offset: 0x1a, size: 0x60, module: 'nfs' });
    expect(formatKernelFrame(frames[2])).toBe('nfs_wait_bit_killable+0x1a/0x60 [nfs]');
    expect(formatKernelFrame(frames[0])).toBe('io_schedule+0x12/0x40');
  });

  it('skips what is no frame and keeps frames without offsets', () => {
    expect(parseKernelStack('garbage\n[<0>] bare_symbol\n[<0>] two words here\n\n')).toEqual([
      { name: 'bare_symbol', offset: null, size: null, module: '' },
      { name: '?', offset: null, size: null, module: '' },
    ]);
    expect(parseKernelStack('')).toEqual([]);
  });

  it('reads wchan: a name, or null when running', () => {
    expect(parseWchan(fx('wchan-d'))).toBe('folio_wait_bit_common');
    expect(parseWchan(fx('wchan-running'))).toBeNull();
    expect(parseWchan('')).toBeNull();
    expect(parseWchan('\x1b[31mx y')).toBeNull();
  });
});

describe('parsePerfMap', () => {
  it('reads START SIZE name lines (hex, 0x optional), newest wins, garbage skipped', () => {
    const m = parsePerfMap(fx('perf-map'));
    expect(lookupPerfMap(m, 0x3ef4c2a1c0a4)).toEqual({ name: 'LazyCompile:*hotA_recompiled /home/u/x.js:3', offset: 4 });
    expect(lookupPerfMap(m, 0x3ef4c2a1c310)!.name).toBe('LazyCompile:*hotB /home/u/x.js:9');
    expect(lookupPerfMap(m, 0x3ef4c2a1c400)).toBeUndefined();
    expect(lookupPerfMap(m, 0x3ef4c2a1d000)).toBeUndefined();
    // Hostile bytes are kept as data (cut at PERF_MAP_NAME_MAX); whoever shows them sanitizes.
    expect(lookupPerfMap(m, 0x3ef4c2a1e001)!.name).toContain('name;with;semis');
    expect(m.names.some((n) => n === 'bad')).toBe(false);
  });

  it('caps the length of a name', () => {
    const m = parsePerfMap(`1000 10 ${'x'.repeat(10000)}\n`);
    expect(m.names[0].length).toBe(512);
  });
});
