// Agreement of ostop's memory numbers with free(1) (procps-ng 4: used =
// total - available) in the same second: `ostop dump processes` (JSON
// memory.* and the text header) and `ostop dump vmstat` (used, avail, free,
// buff, cache). free runs right before and right after ostop's read of
// /proc/meminfo; ostop's value must lie between the two readings, widened
// by 4 MiB for what moves in the milliseconds between the three reads (on
// an idle 2-CPU VM consecutive free runs differ by ~250 kB). procps 3's
// used (total - free - buffers - cache) differs from procps 4's by the
// part of buff/cache that is not available, hundreds of MiB on any machine
// that has run a while, far outside that window.
import { describe, expect, it } from 'vitest';
import type { DumpOptions, DumpView } from '../../src/model/dump-view.js';
import { processesDump } from '../../src/views/processes-dump.js';
import { vmstatDump } from '../../src/views/vmstat.js';
import { hasTool, run } from './load.js';

const SLACK_KB = 4096;

interface FreeK {
  mem: { total: number; used: number; free: number; shared: number; buffers: number; cache: number; available: number };
  swap: { total: number; used: number; free: number };
}

async function freeK(): Promise<FreeK> {
  const r = await run('free', ['-k', '-w']);
  expect(r.code, r.stderr).toBe(0);
  const lines = r.stdout.trim().split('\n');
  const head = lines[0].trim().split(/\s+/);
  expect(head).toEqual(['total', 'used', 'free', 'shared', 'buffers', 'cache', 'available']);
  const row = (name: string) => lines.find((l) => l.startsWith(name))!.trim().split(/\s+/).slice(1).map(Number);
  const [total, used, free, shared, buffers, cache, available] = row('Mem:');
  const [st, su, sf] = row('Swap:');
  return { mem: { total, used, free, shared, buffers, cache, available }, swap: { total: st, used: su, free: sf } };
}

async function dump(v: DumpView, format: 'json' | 'text', flags: Record<string, string | boolean> = {}): Promise<string> {
  let text = '';
  const opts: DumpOptions = { n: 1, delaySec: 0.05, format, flags, out: (t) => (text += t), err: () => undefined, signal: new AbortController().signal };
  expect(await v.run(opts)).toBe(0);
  return text;
}

/** ours within [min(a,b) - slack, max(a,b) + slack]. */
function between(what: string, ours: number, a: number, b: number, slack = SLACK_KB): void {
  const lo = Math.min(a, b) - slack, hi = Math.max(a, b) + slack;
  expect(ours >= lo && ours <= hi, `${what}: ostop ${ours} kB, free ${a} then ${b} kB (window ±${slack} kB)`).toBe(true);
}

describe.skipIf(!hasTool('free') || process.platform !== 'linux')('memory agrees with free(1) -k in the same second', () => {
  it('free is procps-ng 4 (used = total - available)', async () => {
    const v = await run('free', ['--version']);
    expect(v.stdout).toMatch(/procps-ng 4\./);
    const f = await freeK();
    // its own definition, checked on its own output: used = total - available
    expect(f.mem.used).toBe(f.mem.total - f.mem.available);
  });

  it('ostop dump processes --format json: memory.*Bytes', async () => {
    const f1 = await freeK();
    const doc = JSON.parse(await dump(processesDump, 'json', { columns: 'pid' }));
    const f2 = await freeK();
    const m = doc.memory;
    const kb = (b: number) => b / 1024;
    expect(kb(m.totalBytes)).toBe(f1.mem.total);
    between('used', kb(m.usedBytes), f1.mem.used, f2.mem.used);
    between('free', kb(m.freeBytes), f1.mem.free, f2.mem.free);
    between('available', kb(m.availableBytes), f1.mem.available, f2.mem.available);
    between('buffers', kb(m.buffersBytes), f1.mem.buffers, f2.mem.buffers);
    between('cache', kb(m.cacheBytes), f1.mem.cache, f2.mem.cache);
    between('shared', kb(m.sharedBytes), f1.mem.shared, f2.mem.shared);
    expect(kb(m.swapTotalBytes)).toBe(f1.swap.total);
    between('swap used', kb(m.swapUsedBytes), f1.swap.used, f2.swap.used);
    expect(m.problem).toBeNull();
    // used is total - available in ostop too, exactly (same read)
    expect(m.usedBytes).toBe(m.totalBytes - m.availableBytes);
  }, 20_000);

  it('ostop dump processes (text header): MiB Mem ... used', async () => {
    const f1 = await freeK();
    const text = await dump(processesDump, 'text', { columns: 'pid' });
    const f2 = await freeK();
    const m = /^MiB Mem: ([\d.]+) total, ([\d.]+) free, ([\d.]+) used, ([\d.]+) buff\/cache$/m.exec(text);
    expect(m, text.slice(0, 400)).not.toBeNull();
    const mib = (i: number) => Number(m![i]) * 1024;
    // printed with one decimal of MiB: ±52 kB of rounding on top of the window
    between('text used', mib(3), f1.mem.used, f2.mem.used, SLACK_KB + 52);
    between('text free', mib(2), f1.mem.free, f2.mem.free, SLACK_KB + 52);
    between('text buff/cache', mib(4), f1.mem.buffers + f1.mem.cache, f2.mem.buffers + f2.mem.cache, SLACK_KB + 52);
  }, 20_000);

  it('ostop dump vmstat --format json: used and avail as free prints them', async () => {
    const f1 = await freeK();
    const row = JSON.parse((await dump(vmstatDump, 'json')).trim().split('\n')[0]);
    const f2 = await freeK();
    between('vmstat used', row.used, f1.mem.used, f2.mem.used);
    between('vmstat avail', row.avail, f1.mem.available, f2.mem.available);
    between('vmstat free', row.free, f1.mem.free, f2.mem.free);
    between('vmstat cache', row.cache, f1.mem.cache, f2.mem.cache);
  }, 20_000);
});
