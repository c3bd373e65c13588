// A fake profiler kernel side for the tests: canned `counts`, `stats` and
// `stacks` map contents in the wire layout (native/bpf/profile.h), a /proc
// fixture tree with one process's maps, a kallsyms fixture and a fake
// elfSymbolize. No root, no BPF.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Symbolizer, type ElfSymbolize } from '../../../src/collectors/symbolize.js';
import type { MapDump, TracerHandle } from '../../../src/tracers/types.js';

export const DEPTH = 127;

export interface FakeCount { pid: number; tid?: number; comm: string; kstack: number; ustack: number; value: number; count?: number }

export class FakeKernel implements TracerHandle {
  counts: FakeCount[] = [];
  stats = { samples: 0, no_ustack: 0, no_kstack: 0, collisions: 0, stacks_full: 0, counts_full: 0, start_lost: 0, idle: 0 };
  stacks = new Map<number, bigint[]>();
  cleared: string[] = [];
  /** Maps read, in order. */
  reads: string[] = [];
  /** The kernel's queue of new pids (profile's `new_pids`); null: the tracer has none (offcpu), its dump throws as the addon's. */
  newPids: number[] | null = null;
  /** profile's `inserts` counter (entries ever inserted into `counts`). */
  inserts = 0;
  constructor(readonly kind: 'profile' | 'offcpu' = 'profile', readonly ncpu = 2) {}

  mapDump(map: string, clear?: boolean): MapDump {
    this.reads.push(map);
    if (map === 'new_pids' || map === 'inserts') {
      if (this.newPids === null) throw new Error(`tracer ${this.kind} has no map ${map}`);
      if (map === 'inserts') {
        const buf = new ArrayBuffer(12);
        new DataView(buf).setBigUint64(4, BigInt(this.inserts), true);
        return { keySize: 4, valueSize: 8, count: 1, data: buf };
      }
      const buf = new ArrayBuffer(5 * this.newPids.length);
      const dv = new DataView(buf);
      this.newPids.forEach((pid, i) => { dv.setUint32(i * 5, pid, true); dv.setUint8(i * 5 + 4, 1); });
      const out = { keySize: 4, valueSize: 1, count: this.newPids.length, data: buf };
      if (clear) this.newPids = [];
      return out;
    }
    if (clear) this.cleared.push(map);
    if (map === 'counts') {
      const vs = this.kind === 'offcpu' ? 16 : 8;
      const rec = 32 + vs;
      const buf = new ArrayBuffer(rec * this.counts.length);
      const dv = new DataView(buf);
      this.counts.forEach((c, i) => {
        const o = i * rec;
        dv.setUint32(o, c.pid, true);
        dv.setUint32(o + 4, c.tid ?? c.pid, true);
        dv.setInt32(o + 8, c.kstack, true);
        dv.setInt32(o + 12, c.ustack, true);
        new Uint8Array(buf, o + 16, 16).set(Buffer.from(c.comm.slice(0, 15)));
        dv.setBigUint64(o + 32, BigInt(c.value), true);
        if (vs === 16) dv.setBigUint64(o + 40, BigInt(c.count ?? 1), true);
      });
      const out = { keySize: 32, valueSize: vs, count: this.counts.length, data: buf };
      if (clear) this.counts = [];
      return out;
    }
    if (map === 'stats') {
      const buf = new ArrayBuffer(4 + 64 * this.ncpu);
      const dv = new DataView(buf, 4);
      const order = ['samples', 'no_ustack', 'no_kstack', 'collisions', 'stacks_full', 'counts_full', 'start_lost', 'idle'] as const;
      // Everything on CPU 0 but `samples`, split over the CPUs.
      order.forEach((k, i) => {
        const v = this.stats[k];
        if (k === 'samples') {
          for (let c = 0; c < this.ncpu; c++) dv.setBigUint64(c * 64 + i * 8, BigInt(Math.floor(v / this.ncpu) + (c === 0 ? v % this.ncpu : 0)), true);
        } else dv.setBigUint64(i * 8, BigInt(v), true);
      });
      return { keySize: 4, valueSize: 64 * this.ncpu, count: 1, data: buf };
    }
    if (map === 'stacks' && clear) this.stacks.clear();
    return { keySize: 4, valueSize: 0, count: 0, data: new ArrayBuffer(0) };
  }

  mapClear(map: string): number {
    this.cleared.push(map);
    const n = map === 'counts' ? this.counts.length : this.stacks.size;
    if (map === 'counts') this.counts = [];
    else if (map === 'stacks') this.stacks.clear();
    return n;
  }

  stackTraces(_map: string, ids: number[]): ArrayBuffer {
    const buf = new ArrayBuffer(ids.length * DEPTH * 8);
    const dv = new DataView(buf);
    ids.forEach((id, j) => (this.stacks.get(id) ?? []).forEach((ip, k) => dv.setBigUint64((j * DEPTH + k) * 8, ip, true)));
    return buf;
  }

  stackDepth(): number {
    return DEPTH;
  }
}

/** A fixture /proc with process `pid` ("hot"): /usr/bin/hot text at 0x555500001000 (file offset 0x1000), libc at 0x7f0000000000. */
export function fixtureProc(pid: number): { procRoot: string; cleanup: () => void } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-prof-'));
  const d = path.join(root, String(pid));
  fs.mkdirSync(path.join(d, 'map_files'), { recursive: true });
  fs.writeFileSync(path.join(d, 'maps'), [
    '555500001000-555500005000 r-xp 00001000 fd:01 11                         /usr/bin/hot',
    '7f0000000000-7f0000100000 r-xp 00028000 fd:01 22                         /usr/lib/x86_64-linux-gnu/libc.so.6',
  ].join('\n') + '\n');
  fs.writeFileSync(path.join(d, 'stat'), `${pid} (hot) R 1 ${pid} ${pid} 0 -1 4194304 0 0 0 0 5 1 0 0 20 0 1 0 4242 1000 10 0 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n`);
  fs.writeFileSync(path.join(d, 'status'), `Name:\thot\nUid:\t0\t0\t0\t0\nNSpid:\t${pid}\n`);
  return { procRoot: root, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** Symbols of the fixture: in hot, main at 0x1000, burn_a at 0x1100, burn_b at 0x1200, lonely at 0x1300; in libc __libc_start_call_main at 0x29000. */
export const fakeElf: ElfSymbolize = async (p, offs) => {
  const libc = p.includes('7f0000000000');
  const name = (o: number) => {
    if (libc) return o >= 0x29000 && o < 0x29100 ? '__libc_start_call_main' : null;
    if (o >= 0x1000 && o < 0x1100) return 'main';
    if (o >= 0x1100 && o < 0x1200) return 'burn_a';
    if (o >= 0x1200 && o < 0x1300) return 'burn_b';
    if (o >= 0x1300 && o < 0x1400) return 'lonely';
    return null;
  };
  return { buildId: libc ? 'c0ffee' : 'beef', names: offs.map(name), symOffsets: offs.map((o) => o & 0xff) };
};

export const KALLSYMS = fs.readFileSync(new URL('../../fixtures/profile/kallsyms', import.meta.url), 'utf8');

export function fixtureSymbolizer(procRoot: string): Symbolizer {
  return new Symbolizer({ procRoot, elf: fakeElf, kallsyms: () => KALLSYMS, mapFiles: true, tmpDir: procRoot });
}

// User addresses (innermost first), 0x555500001000 <-> file offset 0x1000.
export const U = {
  burnA: 0x555500001110n, burnB: 0x555500001210n, main: 0x555500001050n, libcStart: 0x7f0000001100n, lonely: 0x555500001310n,
};
export const K = { schedule: 0xffffffff81004010n, syscall: 0xffffffff81001010n, nanosleep: 0xffffffff81005020n };
