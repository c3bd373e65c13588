import { describe, expect, it } from 'vitest';
import { parseKernelPageSize } from '../../../src/collectors/procfs/smaps.js';
import { pageSize } from '../../../src/collectors/page-size.js';

describe('/proc/PID/smaps: the kernel page size', () => {
  it('reads the first KernelPageSize line', () => {
    expect(parseKernelPageSize('55d0-55d1 r--p 0 08:01 1 /bin/x\nSize:  4 kB\nKernelPageSize:  16 kB\nKernelPageSize: 4 kB\n')).toBe(16384);
    expect(parseKernelPageSize('Size: 4 kB\n')).toBeUndefined();
  });
  it('the live page size agrees with RSS in pages (statm) times it', async () => {
    const fs = await import('node:fs');
    const resident = Number(fs.readFileSync('/proc/self/statm', 'utf8').split(' ')[1]);
    const ratio = process.memoryUsage.rss() / resident;
    expect(Math.abs(ratio - pageSize()) / pageSize()).toBeLessThan(0.25);
  });
});
