// The views' histories stay bounded however long a view stays open, and
// follow what exists (src/store behind each): the vmstat graphs and table,
// iostat's per-device graphs, the drill-in's sparklines.
import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SAMPLES_KEPT, VmstatSource } from '../../src/views/vmstat.js';
import { IostatSource } from '../../src/views/iostat.js';
import { ProcessSource } from '../../src/views/process-source.js';
import { MachineSampler } from '../../src/collectors/machine.js';
import { realProcFs } from '../../src/collectors/proc-detail-read.js';
import { SERIES_LEN } from '../../src/store/series.js';

const FIX = fileURLToPath(new URL('../fixtures', import.meta.url));
let tmp: string | undefined;
afterEach(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
});

describe('view histories are bounded', () => {
  it('vmstat: the table keeps SAMPLES_KEPT rows and each graph SERIES_LEN points, newest last', () => {
    const src = new VmstatSource(`${FIX}/sys-k6.18/proc`);
    const ticks = SERIES_LEN + 50;
    for (let i = 1; i <= ticks + 1; i++) src.collect(i);
    const m = src.model()!;
    expect(m.samples).toHaveLength(SAMPLES_KEPT);
    expect(m.samples.at(-1)).toBe(m.cur);
    for (let i = 1; i < m.samples.length; i++) expect(m.samples[i].time).toBeGreaterThanOrEqual(m.samples[i - 1].time);
    const { cores, ...graphs } = m.hist;
    for (const s of Object.values(graphs)) expect(s.values()).toHaveLength(SERIES_LEN);
    // One graph per CPU of the fixture's /proc/stat, as long as the others.
    expect(cores.length).toBeGreaterThan(0);
    for (const s of cores) expect(s.values()).toHaveLength(SERIES_LEN);
    src.reset();
    src.collect(ticks + 2);
    src.collect(ticks + 3);
    expect(src.model()!.samples).toHaveLength(1);
    expect(src.model()!.hist.us.values()).toHaveLength(1);
  });

  it('iostat: a graph per device, SERIES_LEN points each; a device that goes away loses its graph', async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-hist-'));
    const line = (minor: number, name: string, i: number) => `   8       ${minor} ${name} ${10 * i} 0 ${80 * i} ${i} ${5 * i} 0 ${40 * i} ${i} 0 ${2 * i} ${2 * i}`;
    const write = (i: number, names: string[]) => fs.writeFileSync(path.join(tmp!, 'diskstats'), names.map((n, k) => line(16 * k, n, i)).join('\n') + '\n');
    const src = new IostatSource(new MachineSampler({ procRoot: tmp, isPartition: () => false }));
    // The filesystem pane: statfs of this machine's mounts, cheaper per tick than every /proc/PID/io.
    const req = { pane: 'fs' as const, procSort: 'total' as const };
    let i = 1;
    for (; i <= SERIES_LEN + 20; i++) {
      write(i, ['sda', 'sdb']);
      await src.collect(i, req);
    }
    let m = src.model()!;
    expect([...m.hist.keys()].sort()).toEqual(['sda', 'sdb']);
    expect(m.hist.get('sda')!.util.values()).toHaveLength(SERIES_LEN);
    write(i, ['sda']);
    await src.collect(i, req);
    m = src.model()!;
    expect([...m.hist.keys()]).toEqual(['sda']);
  });

  it('drill-in: the sparklines keep historySize points; the first sample has no rates', () => {
    let now = 1_000_000;
    const src = new ProcessSource({ fs: realProcFs(`${FIX}/proc-detail/tree`), historySize: 5, clock: () => (now += 1000) });
    src.collect(0, { pid: 4242 });
    expect(src.model()!.history.cpuPercent).toEqual([]);
    expect(src.model()!.history.rssKb).toHaveLength(1);
    for (let k = 0; k < 12; k++) src.collect(0, { pid: 4242 });
    const h = src.model()!.history;
    expect(h.cpuPercent).toHaveLength(5);
    expect(h.rssKb).toHaveLength(5);
    expect(h.readBps).toHaveLength(5);
    expect(h.writeBps).toHaveLength(5);
  });
});
