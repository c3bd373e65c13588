import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { looksLikePartition, parseDiskstats } from '../../../src/collectors/procfs/diskstats.js';

const fx = (p: string) => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));
const read = (p: string) => fs.readFileSync(fx(p), 'latin1');
const file = (p: string) => fs.readFileSync(fx(`proc-detail/tree/${p}`));

describe('diskstats across kernels', () => {
  it('14 fields (4.4): no discard or flush', () => {
    const d = parseDiskstats(read('disk-k4.4/proc/diskstats'));
    expect(d).toHaveLength(4);
    expect(d[0]).toMatchObject({ name: 'sda', rdIos: 48390, rdSectors: 3091232, wrTicks: 901234, ioTicks: 140120, timeInQueue: 961200, partition: false });
    expect(d[0].dcIos).toBeUndefined();
    expect(d[0].flIos).toBeUndefined();
    expect(d[1].partition).toBe(true);
    expect(d[2].partition).toBe(false);
  });
  it('18 fields (4.18+): discards', () => {
    const d = parseDiskstats(read('disk-k5.4/proc/diskstats'));
    expect(d[0]).toMatchObject({ name: 'nvme0n1', dcIos: 50, dcSectors: 409600, dcTicks: 10, partition: false });
    expect(d[0].flIos).toBeUndefined();
    expect(d[1].partition).toBe(true);
  });
  it('20 fields (5.5+): flushes', () => {
    const d = parseDiskstats(read('disk-k6.18/proc/diskstats'));
    expect(d.length).toBeGreaterThan(0);
    for (const x of d) { expect(x.flIos).toBeDefined(); expect(x.dcIos).toBeDefined(); }
  });
  it('partition heuristics', () => {
    expect(looksLikePartition('sda1')).toBe(true);
    expect(looksLikePartition('nvme0n1p2')).toBe(true);
    expect(looksLikePartition('nvme0n1')).toBe(false);
    expect(looksLikePartition('vda')).toBe(false);
    expect(looksLikePartition('mmcblk0p1')).toBe(true);
  });
});
