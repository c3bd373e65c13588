import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseMeminfo, parseMeminfoChecked } from '../../../src/collectors/procfs/meminfo.js';

const fx = (p: string) => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));
const read = (p: string) => fs.readFileSync(fx(p), 'latin1');
const file = (p: string) => fs.readFileSync(fx(`proc-detail/tree/${p}`));

describe('/proc/meminfo', () => {
  it('parses kB values; MemAvailable may be absent (pre-3.14)', () => {
    const m = parseMeminfo(read('sys-k3.10/proc/meminfo'));
    expect(m.MemTotal).toBe(2048000);
    expect(m.SReclaimable).toBe(30000);
    expect(m.MemAvailable).toBeUndefined();
  });
  it('leaves malformed lines out and names them', () => {
    expect(parseMeminfo('MemTotal: 100 kB\nHugePages_Total: 0\nbad line\n')).toEqual({ MemTotal: 100, HugePages_Total: 0 });
    expect(parseMeminfoChecked('MemTotal: 100 kB\nMemFree: -5 kB\nCached: 1e3 kB\n')).toEqual({ values: { MemTotal: 100 }, malformed: ['MemFree', 'Cached'] });
  });
});
