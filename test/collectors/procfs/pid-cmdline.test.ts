import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { commandLine, parseCmdline } from '../../../src/collectors/procfs/pid-cmdline.js';

const fx = (p: string) => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));
const read = (p: string) => fs.readFileSync(fx(p), 'latin1');
const file = (p: string) => fs.readFileSync(fx(`proc-detail/tree/${p}`));

describe('/proc/PID/cmdline', () => {
  it('the command line joins NUL-separated argv and drops the trailing NUL', () => {
    expect(commandLine(Buffer.from('ls\0-l\0/tmp\0'))).toBe('ls -l /tmp');
    expect(commandLine(Buffer.from(''))).toBe('');
    expect(commandLine(Buffer.from('a\0\0\0'))).toBe('a'); // NUL padding is no argument
    expect(commandLine(Buffer.from('a\0\0b\0'))).toBe('a  b'); // an empty argument in the middle is kept
  });
  it('parses cmdline argv (spaces, newline, CJK; trailing NUL)', () => {
    expect(parseCmdline(file('4242/cmdline'))).toEqual(['/usr/bin/evil', '--name=hello world', 'line\nbreak', '中文']);
    expect(parseCmdline(Buffer.from(''))).toEqual([]);
    // setproctitle() style: one string, no NULs
    expect(parseCmdline(Buffer.from('nginx: worker process'))).toEqual(['nginx: worker process']);
  });

});
