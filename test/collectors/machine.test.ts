// One MachineSample per tick (src/collectors/machine.ts): each machine-wide
// /proc file is read at most once per tick, whoever asks, and read again at
// the next tick.
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { MACHINE_FILES, MACHINE_PARTS, MachineSampler } from '../../src/collectors/machine.js';
import { CountingReader } from '../../src/collectors/procfs/read.js';
import { systemSample } from '../../src/collectors/system.js';
import { vmstatSample } from '../../src/collectors/vmstat.js';
import { diskstatsSample } from '../../src/collectors/diskstats.js';
import { netDevSample } from '../../src/collectors/netdev.js';

const ROOT = fileURLToPath(new URL('../fixtures/sys-k6.18/proc', import.meta.url));
const path = (p: keyof typeof MACHINE_FILES) => `${ROOT}/${MACHINE_FILES[p]}`;

describe('MachineSampler', () => {
  it('reads each file once per tick, whoever asks, and again at the next tick', () => {
    const r = new CountingReader();
    const m = new MachineSampler({ procRoot: ROOT, reader: r, isPartition: () => false });
    const a = systemSample(m, 1);
    const v = vmstatSample(m, 1, 4096);
    diskstatsSample(m, 1);
    netDevSample(m, 1, { linkFacts: false });
    m.sample(1);
    for (const p of MACHINE_PARTS) expect(r.of(path(p)), p).toBe(1);
    expect(v.stat).toBe(a.stat); // the very same parse
    m.sample(2);
    for (const p of MACHINE_PARTS) expect(r.of(path(p)), p).toBe(2);
  });
  it('reads only the parts asked for', () => {
    const r = new CountingReader();
    const m = new MachineSampler({ procRoot: ROOT, reader: r, isPartition: () => false });
    systemSample(m, 7);
    expect(r.of(path('stat'))).toBe(1);
    expect(r.of(path('meminfo'))).toBe(1);
    expect(r.of(path('diskstats'))).toBe(0);
    expect(r.of(path('netdev'))).toBe(0);
    expect(m.last()!.tick).toBe(7);
  });
  it('parses what it reads: the fixture machine', () => {
    const m = new MachineSampler({ procRoot: ROOT, isPartition: () => false });
    const s = m.sample(1);
    expect(s.stat!.cpusOnline).toBeGreaterThan(0);
    expect(s.meminfo!.values.MemTotal).toBeGreaterThan(0);
    expect(s.vmstat!.pgfault).toBeGreaterThan(0);
    expect(s.diskstats!.length).toBeGreaterThan(0);
    expect(s.netdev!.map((d) => d.name)).toContain('lo');
    // this fixture has no loadavg or uptime: named, and read as an empty file
    expect(s.unreadable).toEqual(expect.arrayContaining(['loadavg', 'uptime']));
    expect(s.loadavg).toEqual({ load: [0, 0, 0], running: 0, total: 0 });
  });
  it('a missing diskstats or net/dev is an error for their views, as a failed read was', () => {
    const m = new MachineSampler({ procRoot: '/nonexistent-proc' });
    expect(() => diskstatsSample(m, 1)).toThrow('cannot read /nonexistent-proc/diskstats');
    expect(() => netDevSample(m, 1)).toThrow('cannot read /nonexistent-proc/net/dev');
  });
});
