import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseVmstat } from '../../../src/collectors/procfs/vmstat.js';

const fx = (p: string) => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));
const read = (p: string) => fs.readFileSync(fx(p), 'latin1');
const file = (p: string) => fs.readFileSync(fx(`proc-detail/tree/${p}`));

describe('/proc/vmstat', () => {
  it('counters by name', () => {
    const v = parseVmstat(read('sys-k6.18/proc/vmstat'));
    expect(v.pgpgin).toBeGreaterThanOrEqual(0);
    expect(v.pgfault).toBeGreaterThan(0);
    expect(parseVmstat('a 1\nb x\n\n')).toEqual({ a: 1 });
  });
});
