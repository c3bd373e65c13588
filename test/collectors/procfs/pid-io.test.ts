import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseIo } from '../../../src/collectors/procfs/pid-io.js';

const fx = (p: string) => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));
const read = (p: string) => fs.readFileSync(fx(p), 'latin1');
const file = (p: string) => fs.readFileSync(fx(`proc-detail/tree/${p}`));

describe('/proc/PID/io', () => {
  it('parses the counters', () => {
    expect(parseIo(file('4242/io').toString())).toEqual({ rchar: 1000000, wchar: 2000000, syscr: 100, syscw: 200, readBytes: 409600, writeBytes: 819200, cancelledWriteBytes: 0 });
    expect(parseIo(read('sys-k6.18/proc/4242/io'))).toMatchObject({ readBytes: 4096, writeBytes: 8192, rchar: 1000 });
  });
  it('is undefined for a file without counters', () => {
    expect(parseIo('')).toBeUndefined();
    expect(parseIo('garbage\n')).toBeUndefined();
  });
});
