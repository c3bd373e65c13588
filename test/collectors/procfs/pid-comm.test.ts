import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseComm } from '../../../src/collectors/procfs/pid-comm.js';

const file = (p: string) => fs.readFileSync(fileURLToPath(new URL(`../../fixtures/proc-detail/tree/${p}`, import.meta.url)), 'utf8');

describe('/proc/PID/comm', () => {
  it('drops the one newline the kernel ends it with, keeps the rest raw', () => {
    expect(parseComm('bash\n')).toBe('bash');
    expect(parseComm('a b\n\n')).toBe('a b\n'); // a comm may end with a newline of its own
    expect(parseComm('kworker/0:1-events')).toBe('kworker/0:1-events');
    expect(parseComm('')).toBe('');
  });
  it('a hostile comm (parens, spaces, an escape) is the same as stat shows it', () => {
    expect(parseComm(file('4242/comm'))).toBe('a) S 1 (\x1b[31mb');
  });
});

