import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseUptime } from '../../../src/collectors/procfs/uptime.js';

const fx = (p: string) => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));
const read = (p: string) => fs.readFileSync(fx(p), 'latin1');
const file = (p: string) => fs.readFileSync(fx(`proc-detail/tree/${p}`));

describe('/proc/uptime', () => {
  it('seconds since boot', () => {
    expect(parseUptime('12345.67 54321.00\n')).toBe(12345.67);
    expect(parseUptime(read('proc-hostile/proc/uptime'))).toBeGreaterThan(0);
    expect(parseUptime('junk')).toBe(0);
  });
});
