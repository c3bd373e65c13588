import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parsePsi, psiReason } from '../../../src/collectors/procfs/pressure.js';

const fx = (p: string) => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));
const read = (p: string) => fs.readFileSync(fx(p), 'latin1');
const file = (p: string) => fs.readFileSync(fx(`proc-detail/tree/${p}`));

describe('/proc/pressure/*', () => {
  it('some and full lines', () => {
    expect(parsePsi(read('sys-k5.4/proc/pressure/io'))).toEqual({ some: { avg10: 12, avg60: 8, avg300: 2, total: 5555 }, full: { avg10: 10, avg60: 6, avg300: 1.5, total: 4444 } });
    expect(parsePsi(read('sys-k5.4/proc/pressure/cpu')).full).toBeUndefined();
  });
  it('disabled (EOPNOTSUPP) reason names psi=1', () => {
    expect(psiReason('EOPNOTSUPP')).toMatch(/psi=1/);
  });
  it('ignores junk lines', () => {
    expect(parsePsi('junk\nsome avg10=x\n')).toEqual({});
  });
});
