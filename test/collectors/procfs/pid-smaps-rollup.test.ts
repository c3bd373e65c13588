import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseSmapsRollup } from '../../../src/collectors/procfs/pid-smaps-rollup.js';

const fx = (p: string) => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));
const read = (p: string) => fs.readFileSync(fx(p), 'latin1');
const file = (p: string) => fs.readFileSync(fx(`proc-detail/tree/${p}`));

describe('/proc/PID/smaps_rollup', () => {
  it('parses kB fields', () => {
    const sm = parseSmapsRollup(file('4242/smaps_rollup').toString())!;
    expect(sm).toMatchObject({ Rss: 10240, Pss: 8000, Pss_Anon: 6144, Pss_File: 1500, Pss_Shmem: 356, Swap: 512, SwapPss: 500 });
    expect(parseSmapsRollup('')).toBeUndefined();
  });
});
