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

  it('the command line is argv joined by spaces, trailing empty args left out, for any bytes', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const alphabet = ['a', 'b', ' ', '\0', '\0', '中', '\n'];
    for (let n = 0; n < 500; n++) {
      const s = Array.from({ length: Math.floor(rnd() * 12) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
      const argv = parseCmdline(Buffer.from(s));
      while (argv.length > 0 && argv[argv.length - 1] === '') argv.pop();
      expect(commandLine(Buffer.from(s)), JSON.stringify(s)).toBe(argv.join(' '));
    }
  });
});

