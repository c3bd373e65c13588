import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { coreSizeLimit, parseLimits } from '../../../src/collectors/procfs/pid-limits.js';
import { readCoreLimit } from '../../../src/collectors/coredump.js';

const fx = (p: string) => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));
const read = (p: string) => fs.readFileSync(fx(p), 'latin1');
const file = (p: string) => fs.readFileSync(fx(`proc-detail/tree/${p}`));

describe('/proc/PID/limits', () => {
  it('parses the table by its header columns', () => {
    const lim = parseLimits(file('4242/limits').toString());
    expect(lim).toEqual([
      { name: 'Max cpu time', soft: 'unlimited', hard: 'unlimited', units: 'seconds' },
      { name: 'Max open files', soft: 1024, hard: 524288, units: 'files' },
      { name: 'Max stack size', soft: 8388608, hard: 'unlimited', units: 'bytes' },
      { name: 'Max nice priority', soft: 0, hard: 0, units: '' },
      { name: 'Max realtime timeout', soft: 'unlimited', hard: 'unlimited', units: 'us' },
    ]);
  });

  it('parses limits without a header by splitting on runs of spaces', () => {
    expect(parseLimits('Max open files            1024                 4096                 files     \n')).toEqual([
      { name: 'Max open files', soft: 1024, hard: 4096, units: 'files' },
    ]);
  });

  it('parses limits without a header by splitting on runs of spaces', () => {
    expect(parseLimits('Max open files            1024                 4096                 files     \n')).toEqual([
      { name: 'Max open files', soft: 1024, hard: 4096, units: 'files' },
    ]);
  });


  it('the core dump size limit (failures view): soft and hard, null when absent or not a number', () => {
    expect(coreSizeLimit(parseLimits(read('sys-k6.18/proc/4242/limits')))).toEqual({ soft: 0, hard: 'unlimited' });
    expect(coreSizeLimit(parseLimits(read('proc-hostile/proc/42/limits')))).toBeNull();
    expect(coreSizeLimit(parseLimits(file('4242/limits').toString()))).toBeNull(); // no such row
    expect(readCoreLimit(4242, fx('sys-k6.18/proc'))).toEqual({ soft: 0, hard: 'unlimited' });
    expect(readCoreLimit(2 ** 22 + 1, fx('sys-k6.18/proc'))).toBeNull();
  });
});
