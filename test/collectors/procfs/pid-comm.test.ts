import { describe, expect, it } from 'vitest';
import { parseComm } from '../../../src/collectors/procfs/pid-comm.js';

describe('/proc/PID/comm', () => {
  it('drops the one newline the kernel ends it with, keeps the rest raw', () => {
    expect(parseComm('bash\n')).toBe('bash');
    expect(parseComm('a b\n\n')).toBe('a b\n'); // a comm may end with a newline of its own
    expect(parseComm('kworker/0:1-events')).toBe('kworker/0:1-events');
    expect(parseComm('')).toBe('');
  });
});
