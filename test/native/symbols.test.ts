// Privileged: the addon's elfSymbolize (native/addon/symbols.cc, elfutils
// libdwfl) on programs this test compiles with cc/c++ (-O1 -fno-inline
// -fno-omit-frame-pointer): addresses taken inside running processes (a
// return address, as in a sampled stack) are turned into file offsets from
// /proc/PID/maps, as the profiler does, and resolved through
// /proc/PID/map_files/... and the plain path: non-PIE, PIE, a function in a
// shared library, a C++ method demangled, a stripped library through
// .dynsym; never debuginfod; the module cache follows a changed file; bad
// files are clear errors. Root: map_files needs CAP_SYS_ADMIN.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNative, nativeAddonPath, type NativeAddon } from '../../src/native.js';
import { gate, missingProgram, rootSkipReason } from '../helpers/native.js';

const skip = rootSkipReason('elfSymbolize') ?? gate('elfSymbolize', missingProgram('cc', 'c++', 'strip', 'readelf', 'mkfifo'));

function addon(): NativeAddon {
  const n = loadNative();
  if (!n.ok) throw n.error;
  return n.addon;
}

const FLAGS = ['-O1', '-fno-inline', '-fno-omit-frame-pointer'];

// where() returns its return address: an address inside its caller, after the call (as in a sampled stack).
const MAIN_C = `
#include <stdio.h>
#include <unistd.h>
extern void *gamma_where(void);
__attribute__((noinline)) void *where(void) { return __builtin_return_address(0); }
__attribute__((noinline)) void *alpha(void) { void *r = where(); __asm__ volatile("" ::: "memory"); return r; }
__attribute__((noinline)) void *beta(void) { void *r = where(); __asm__ volatile("" ::: "memory"); return r; }
int main(void) {
  void *a = alpha(), *b = beta(), *g = gamma_where();
  printf("alpha %p\\nbeta %p\\ngamma_where %p\\n", a, b, g);
  fflush(stdout);
  char c;
  return read(0, &c, 1) < 0;
}
`;
const LIB_C = `
__attribute__((noinline)) static void *lwhere(void) { return __builtin_return_address(0); }
__attribute__((noinline)) void *gamma_where(void) { void *r = lwhere(); __asm__ volatile("" ::: "memory"); return r; }
`;
const MAIN_CC = `
#include <cstdio>
#include <unistd.h>
__attribute__((noinline)) void *where() { return __builtin_return_address(0); }
namespace ns {
struct Widget { void *spin(int n); };
__attribute__((noinline)) void *Widget::spin(int n) { void *r = where(); __asm__ volatile("" ::: "memory"); return n ? r : nullptr; }
}
int main() {
  ns::Widget w;
  std::printf("spin %p\\n", w.spin(1));
  std::fflush(stdout);
  char c;
  return read(0, &c, 1) < 0;
}
`;

interface Located { path: string; mapFile: string; rootPath: string; offset: number }

/** Runs `exe`, reads the "name 0xaddr" lines it prints, and locates each address in its /proc/PID/maps. */
async function runAndLocate(exe: string, children: ChildProcess[]): Promise<Record<string, Located>> {
  const c = spawn(exe, [], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(c);
  let out = '';
  c.stdout!.on('data', (d) => (out += d));
  const want = exe.endsWith('cxx') ? 1 : 3;
  const deadline = Date.now() + 10_000;
  while (out.split('\n').filter(Boolean).length < want) {
    if (Date.now() > deadline || c.exitCode !== null) throw new Error(`${exe} printed ${JSON.stringify(out)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const maps = readFileSync(`/proc/${c.pid}/maps`, 'utf8').trim().split('\n').map((l) => {
    const m = /^([0-9a-f]+)-([0-9a-f]+) \S+ ([0-9a-f]+) \S+ \d+\s*(.*)$/.exec(l)!;
    const start = BigInt('0x' + m[1]), end = BigInt('0x' + m[2]);
    // map_files names are unpadded hex (maps pads to 8 digits: 00400000)
    return { start, end, range: `${start.toString(16)}-${end.toString(16)}`, pgoff: BigInt('0x' + m[3]), path: m[4] };
  });
  const res: Record<string, Located> = {};
  for (const line of out.trim().split('\n')) {
    const [name, hex] = line.split(' ');
    const addr = BigInt(hex);
    const m = maps.find((x) => addr >= x.start && addr < x.end);
    if (!m) throw new Error(`${name} ${hex} not in the maps of ${exe}`);
    res[name] = { path: m.path, mapFile: `/proc/${c.pid}/map_files/${m.range}`, rootPath: `/proc/${c.pid}/root${m.path}`, offset: Number(addr - m.start + m.pgoff) };
  }
  return res;
}

describe.skipIf(skip !== null)('elfSymbolize (root)', () => {
  let dir = '';
  const children: ChildProcess[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ostop-syms-'));
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'main.c'), MAIN_C);
    writeFileSync(join(dir, 'g.c'), LIB_C);
    writeFileSync(join(dir, 'main.cc'), MAIN_CC);
    execFileSync('cc', [...FLAGS, '-fPIC', '-shared', '-o', join(dir, 'libg.so'), join(dir, 'g.c')]);
    const link = ['-L', dir, '-lg', `-Wl,-rpath,${dir}`];
    execFileSync('cc', [...FLAGS, '-no-pie', '-fno-pie', '-o', join(dir, 'nopie'), join(dir, 'main.c'), ...link]);
    execFileSync('cc', [...FLAGS, '-pie', '-fPIE', '-o', join(dir, 'pie'), join(dir, 'main.c'), ...link]);
    execFileSync('c++', [...FLAGS, '-o', join(dir, 'cxx'), join(dir, 'main.cc')]);
    expect(readFileSync(join(dir, 'nopie')).readUInt16LE(16)).toBe(2); // ET_EXEC
    expect(readFileSync(join(dir, 'pie')).readUInt16LE(16)).toBe(3); // ET_DYN
  });
  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const kind of ['nopie', 'pie'] as const) {
    it(`${kind}: two functions of the program and one of its shared library, through map_files, /proc/PID/root and the path`, async () => {
      const a = addon();
      const loc = await runAndLocate(join(dir, kind), children);
      expect(loc.alpha.path).toBe(join(dir, kind));
      expect(loc.gamma_where.path).toBe(join(dir, 'libg.so'));
      for (const via of ['mapFile', 'rootPath', 'path'] as const) {
        const r = await a.elfSymbolize(loc.alpha[via], [loc.alpha.offset, loc.beta.offset]);
        expect(r.error).toBeUndefined();
        expect(r.names).toEqual(['alpha', 'beta']);
        for (const o of r.symOffsets) {
          expect(o).toBeGreaterThan(0); // a return address: past the call, inside the function
          expect(o).toBeLessThan(64);
        }
        expect(r.buildId).toMatch(/^[0-9a-f]{40}$/);
        const g = await a.elfSymbolize(loc.gamma_where[via], Float64Array.of(loc.gamma_where.offset));
        expect(g.names).toEqual(['gamma_where']);
        expect(g.buildId).toMatch(/^[0-9a-f]{40}$/);
        expect(g.buildId).not.toBe(r.buildId);
      }
    });
  }

  it('the build-id is the one readelf shows', async () => {
    const note = execFileSync('readelf', ['-n', join(dir, 'pie')], { encoding: 'utf8' });
    const id = /Build ID: ([0-9a-f]+)/.exec(note)![1];
    const r = await addon().elfSymbolize(join(dir, 'pie'), []);
    expect(r).toEqual({ buildId: id, rootOwned: true, names: [], symOffsets: [] });
  });

  it('a file a user could modify is read, not mapped, with the same answers', async () => {
    const a = addon();
    const loc = await runAndLocate(join(dir, 'pie'), children);
    const copy = join(dir, 'pie-user');
    copyFileSync(join(dir, 'pie'), copy);
    chownSync(copy, 65534, 65534);
    const r = await a.elfSymbolize(copy, [loc.alpha.offset, loc.beta.offset]);
    expect(r.names).toEqual(['alpha', 'beta']);
    expect(r.rootOwned).toBe(false);
    chownSync(copy, 0, 0);
    chmodSync(copy, 0o775); // group-writable: not root's alone either
    expect((await a.elfSymbolize(copy, [])).rootOwned).toBe(false);
  });

  it('C++: the method name demangled', async () => {
    const loc = await runAndLocate(join(dir, 'cxx'), children);
    const r = await addon().elfSymbolize(loc.spin.mapFile, [loc.spin.offset]);
    expect(r.names).toEqual(['ns::Widget::spin(int)']);
  });

  it('a stripped library falls back to .dynsym (exported names only), and never asks debuginfod', async () => {
    const loc = await runAndLocate(join(dir, 'pie'), children);
    const stripped = join(dir, 'libg-stripped.so');
    copyFileSync(join(dir, 'libg.so'), stripped);
    execFileSync('strip', ['--strip-all', stripped]);
    expect(execFileSync('readelf', ['-S', '-W', stripped], { encoding: 'utf8' })).not.toMatch(/\.symtab/);
    // lwhere (static) is in .symtab only: resolved in the unstripped library, not in the stripped one
    const lwhereOff = parseInt(/([0-9a-f]+) t lwhere/.exec(execFileSync('nm', [join(dir, 'libg.so')], { encoding: 'utf8' }))![1], 16);
    const full = await addon().elfSymbolize(join(dir, 'libg.so'), [loc.gamma_where.offset, lwhereOff + 1]);
    expect(full.names).toEqual(['gamma_where', 'lwhere']);

    // in a child whose environment names a debuginfod server (a local socket that counts connections)
    let connections = 0;
    const server = createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const script = `
        const n = require(${JSON.stringify(nativeAddonPath())});
        n.elfSymbolize(${JSON.stringify(stripped)}, [${loc.gamma_where.offset}, ${lwhereOff + 1}]).then((r) => process.stdout.write(JSON.stringify(r)));`;
      const out = await new Promise<string>((res, rej) => {
        const c = spawn(process.execPath, ['-e', script], {
          env: { ...process.env, DEBUGINFOD_URLS: `http://127.0.0.1:${port}/`, DEBUGINFOD_TIMEOUT: '5' },
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        children.push(c);
        let o = '';
        c.stdout!.on('data', (d) => (o += d));
        c.on('exit', (code) => (code === 0 ? res(o) : rej(new Error(`child exited ${code}`))));
      });
      const r = JSON.parse(out) as { names: (string | null)[]; error?: string };
      expect(r.error).toBeUndefined();
      expect(r.names[0]).toBe('gamma_where');
      expect(r.names[1]).not.toBe('lwhere');
    } finally {
      server.close();
    }
    expect(connections).toBe(0);
  });

  it('the module cache follows a file rewritten in place; concurrent calls agree', async () => {
    const a = addon();
    const loc = await runAndLocate(join(dir, 'pie'), children);
    const f = join(dir, 'swap');
    copyFileSync(join(dir, 'pie'), f);
    const first = await a.elfSymbolize(f, [loc.alpha.offset]);
    expect(first.names).toEqual(['alpha']);
    const all = await Promise.all(Array.from({ length: 8 }, () => a.elfSymbolize(f, [loc.alpha.offset, loc.beta.offset])));
    for (const r of all) expect(r.names).toEqual(['alpha', 'beta']);
    writeFileSync(f, readFileSync(join(dir, 'libg.so'))); // same inode, new contents
    const after = await a.elfSymbolize(f, [loc.alpha.offset]);
    expect(after.buildId).not.toBe(first.buildId);
    expect(after.names[0]).not.toBe('alpha');
  });

  it('bad files: clear errors, no crash, no hang', async () => {
    const a = addon();
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    writeFileSync(join(dir, 'text'), 'not an ELF file at all, just some text\n'.repeat(4));
    writeFileSync(join(dir, 'truncated'), readFileSync(join(dir, 'pie')).subarray(0, 200));
    writeFileSync(join(dir, 'tiny'), '\x7fELF');
    const cases: [string, RegExp][] = [
      [fifo, /not a regular file \(a FIFO\)/],
      [dir, /not a regular file \(a directory\)/],
      ['/dev/null', /not a regular file \(a character device\)/],
      [join(dir, 'missing'), /cannot open the file: No such file or directory/],
      [join(dir, 'text'), /not an ELF file/],
      [join(dir, 'tiny'), /not an ELF file/],
      [join(dir, 'truncated'), /ELF/],
    ];
    for (const [p, re] of cases) {
      const r = await a.elfSymbolize(p, [0, 100]);
      expect(r.error, p).toMatch(re);
      expect(r.names).toEqual([null, null]);
      expect(r.buildId).toBeNull();
    }
    // offsets that are not file offsets of a loaded segment are simply unresolved
    const r = await a.elfSymbolize(join(dir, 'pie'), [-1, 1.5, Number.NaN, 2 ** 60]);
    expect(r.error).toBeUndefined();
    expect(r.names).toEqual([null, null, null, null]);
    // bad arguments throw at once
    expect(() => a.elfSymbolize(join(dir, 'pie'), 'x' as unknown as number[])).toThrow(/fileOffsets/);
    expect(() => a.elfSymbolize(join(dir, 'pie'), ['1'] as unknown as number[])).toThrow(/not a number/);
    expect(() => a.elfSymbolize(42 as unknown as string, [])).toThrow(/path/);
  });
});
