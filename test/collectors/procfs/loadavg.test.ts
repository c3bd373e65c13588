import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseLoadavg } from '../../../src/collectors/procfs/loadavg.js';

const fx = (p: string) => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));
const read = (p: string) => fs.readFileSync(fx(p), 'latin1');
const file = (p: string) => fs.readFileSync(fx(`proc-detail/tree/${p}`));

describe('/proc/loadavg', () => {
  it('load averages and running/total entities', () => {
    expect(parseLoadavg('0.1 0.2 0.3 4/500 99')).toEqual({ load: [0.1, 0.2, 0.3], running: 4, total: 500 });
    expect(parseLoadavg(read('proc-hostile/proc/loadavg')).load).toHaveLength(3);
    expect(parseLoadavg('')).toEqual({ load: [0, 0, 0], running: 0, total: 0 });
  });
});
