import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCorePattern, parseCoreUsesPid } from '../../../src/collectors/procfs/core-pattern.js';
import { readCorePattern } from '../../../src/collectors/coredump.js';
import { sanitize } from '../../../src/util/text.js';

const fx = (p: string) => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));
const read = (p: string) => fs.readFileSync(fx(p), 'utf8');

describe('/proc/sys/kernel/core_pattern', () => {
  it('a pipe to a known handler: systemd-coredump (6.18), apport (5.4)', () => {
    expect(parseCorePattern(read('sys-k6.18/proc/sys/kernel/core_pattern'))).toEqual({
      pattern: '|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h %d %F', kind: 'pipe',
      handler: '/usr/lib/systemd/systemd-coredump', handlerName: 'systemd-coredump', relative: false, usesPid: false,
    });
    expect(parseCorePattern(read('sys-k5.4/proc/sys/kernel/core_pattern'))).toMatchObject({ kind: 'pipe', handler: '/usr/share/apport/apport', handlerName: 'apport' });
    expect(parseCorePattern('|/usr/libexec/abrt-hook-ccpp %s %c %p %u %g %t e %P %I %h')).toMatchObject({ handlerName: 'abrt' });
    expect(parseCorePattern('|  /opt/my-handler   %p')).toMatchObject({ kind: 'pipe', handler: '/opt/my-handler', handlerName: null });
  });
  it('file patterns: relative to the crashing process unless absolute; core_uses_pid carried', () => {
    expect(parseCorePattern('core\n')).toEqual({ pattern: 'core', kind: 'file', handler: null, handlerName: null, relative: true, usesPid: false });
    expect(parseCorePattern('/var/cores/core.%e.%p.%t', true)).toMatchObject({ kind: 'file', relative: false, usesPid: true });
  });
  it('a hostile pattern is kept raw (sanitized where shown); an empty one is a relative file pattern', () => {
    const h = parseCorePattern(read('proc-hostile/proc/sys/kernel/core_pattern'));
    expect(h).toMatchObject({ kind: 'file', relative: true, pattern: 'core\x1b[2J \u202e%e.%p' });
    expect(sanitize(h.pattern)).not.toMatch(/[\x1b\u202e]/);
    expect(parseCorePattern('')).toMatchObject({ kind: 'file', pattern: '', relative: true });
    expect(parseCorePattern('|')).toMatchObject({ kind: 'pipe', handler: '', handlerName: null });
  });
});

describe('/proc/sys/kernel/core_uses_pid', () => {
  it('"1" is yes (whitespace around it ignored), anything else no', () => {
    expect(parseCoreUsesPid(read('sys-k6.18/proc/sys/kernel/core_uses_pid'))).toBe(false);
    expect(parseCoreUsesPid(read('proc-hostile/proc/sys/kernel/core_uses_pid'))).toBe(true);
    expect(parseCoreUsesPid('')).toBe(false);
    expect(parseCoreUsesPid('10\n')).toBe(false);
  });
});

describe('readCorePattern (collectors/coredump.ts) on fixture trees', () => {
  it('reads both files; core_uses_pid absent is no', () => {
    expect(readCorePattern(fx('sys-k6.18/proc'))).toMatchObject({ handlerName: 'systemd-coredump', usesPid: false });
    expect(readCorePattern(fx('proc-hostile/proc'))).toMatchObject({ kind: 'file', usesPid: true });
    expect(readCorePattern(fx('sys-k5.4/proc'))).toMatchObject({ handlerName: 'apport', usesPid: false });
  });
  it('an unreadable core_pattern throws with the reason (the failures view says it)', () => {
    expect(() => readCorePattern(fx('proc-detail/tree'))).toThrow(/ENOENT/);
  });
});
