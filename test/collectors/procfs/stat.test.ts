import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseProcStat } from '../../../src/collectors/procfs/stat.js';

const fx = (p: string) => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));
const read = (p: string) => fs.readFileSync(fx(p), 'latin1');
const file = (p: string) => fs.readFileSync(fx(`proc-detail/tree/${p}`));

describe('/proc/stat', () => {
  it('old 8-column cpu line reads missing guest fields as 0', () => {
    const s = parseProcStat(read('sys-k3.10/proc/stat'));
    expect(s.total).toMatchObject({ user: 1000, nice: 20, system: 300, idle: 50000, iowait: 40, irq: 5, softirq: 6, steal: 0, guest: 0, guestNice: 0 });
    expect(s).toMatchObject({ intr: 123456, ctxt: 654321, processes: 4242, procsRunning: 3, procsBlocked: 1 });
  });
  it('current kernel layout', () => {
    const s = parseProcStat(read('sys-k6.18/proc/stat'));
    expect(s.total.idle).toBeGreaterThan(0);
    expect(s.intr).toBeGreaterThan(0);
    expect(s.procsRunning).toBeGreaterThanOrEqual(1);
  });
});

describe('/proc/stat per CPU', () => {
  it('keeps offline CPUs as holes filled with zeros', () => {
    const st = parseProcStat('cpu  1 2 3 4 5 6 7 8 9 10\ncpu0 1 2 3 4 5 6 7 8 9 10\ncpu2 1 1 1 1 1 1 1 1 0 0\nctxt 5\nbtime 77\nprocesses 9\n');
    expect(st.total.steal).toBe(8);
    expect(st.cpus).toHaveLength(3);
    expect(st.cpus[1].user).toBe(0); // offline cpu1 is a hole filled with zeros
    expect(st.ctxt).toBe(5);
    expect(st.btime).toBe(77);
    expect(st.cpusOnline).toBe(2);
  });
  it('reads malformed numbers as 0, never NaN', () => {
    const st = parseProcStat('cpu  x 2\nctxt y\nintr\n');
    expect(st.total.user).toBe(0);
    expect(st.total.nice).toBe(2);
    expect(st.ctxt).toBe(0);
    expect(st.intr).toBe(0);
  });
});
