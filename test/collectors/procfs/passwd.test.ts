import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parsePasswd } from '../../../src/collectors/procfs/passwd.js';

const fx = (p: string) => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));
const read = (p: string) => fs.readFileSync(fx(p), 'latin1');
const file = (p: string) => fs.readFileSync(fx(`proc-detail/tree/${p}`));

describe('/etc/passwd', () => {
  it('uid -> the first name listed; comments and short lines skipped', () => {
    const pw = parsePasswd('root:x:0:0::/root:/bin/sh\n# c\nbob:x:1000:1000::/home/bob:/bin/sh\nshort\nbob2:x:1000:1000::/:/bin/sh\n');
    expect(pw.get(0)).toBe('root');
    expect(pw.get(1000)).toBe('bob');
    expect(pw.size).toBe(2);
  });
  it('a hostile file: escapes kept raw (sanitized where shown), the first name of a uid, junk skipped, no final newline', () => {
    const pw = parsePasswd(fs.readFileSync(fx('etc/passwd-hostile'), 'utf8')); // UserNames reads it as UTF-8
    expect(pw.get(0)).toBe('root'); // not alias-of-root
    expect(pw.get(1001)).toBe('\x1b[31mevil\x1b[0m');
    expect(pw.get(1002)).toBe('名前');
    expect(pw.get(1000)).toBe('bob');
    expect([...pw.keys()].sort((a, b) => a - b)).toEqual([0, 1000, 1001, 1002]);
  });
});

