import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseNetDev } from '../../../src/collectors/procfs/net-dev.js';

const fx = (p: string) => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));
const read = (p: string) => fs.readFileSync(fx(p), 'latin1');
const file = (p: string) => fs.readFileSync(fx(`proc-detail/tree/${p}`));

describe('/proc/net/dev', () => {
  it('parses glued name:number and large counters', () => {
    const d = parseNetDev(read('sys-k3.10/proc/net/dev'));
    expect(d.map((x) => x.name)).toEqual(['lo', 'eth0']);
    expect(d[1]).toMatchObject({ rxBytes: 12345678901, rxPackets: 100000, rxErrs: 2, rxDrop: 3, rxMulticast: 5, txBytes: 987654321, txErrs: 1, txDrop: 4 });
  });
});
