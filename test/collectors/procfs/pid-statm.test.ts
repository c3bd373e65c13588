import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseStatm } from '../../../src/collectors/procfs/pid-statm.js';

const fx = (p: string) => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));
const read = (p: string) => fs.readFileSync(fx(p), 'latin1');
const file = (p: string) => fs.readFileSync(fx(`proc-detail/tree/${p}`));

describe('/proc/PID/statm', () => {
  it('statm', () => {
    expect(parseStatm('100 50 20 1 0 30 0')).toEqual({ sizePages: 100, residentPages: 50, sharedPages: 20 });
    expect(parseStatm('x')).toBeUndefined();
  });
  it('the fixture process', () => {
    const t = read('proc-hostile/proc/1/statm');
    const f = t.trim().split(/\s+/).map(Number);
    expect(parseStatm(t)).toEqual({ sizePages: f[0], residentPages: f[1], sharedPages: f[2] });
  });
});

