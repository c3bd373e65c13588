import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseMountinfo, unescapeMount } from '../../../src/collectors/procfs/mountinfo.js';

const fx = (p: string) => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));
const read = (p: string) => fs.readFileSync(fx(p), 'latin1');

describe('/proc/PID/mountinfo', () => {
  const mounts = parseMountinfo(read('sys-k6.18/proc/self/mountinfo'));
  it('decodes octal escapes, UTF-8 and sanitizes', () => {
    expect(mounts.some((m) => m.mountPoint === '/mnt/with space')).toBe(true);
    expect(mounts.some((m) => m.mountPoint === '/mnt/中文')).toBe(true);
    const evil = mounts.find((m) => m.mountPoint.startsWith('/evil'))!;
    expect(evil.mountPoint).not.toMatch(/\x1b/);
    expect(evil.rawMountPoint!.includes(0x1b)).toBe(true);
    expect(mounts.find((m) => m.mountPoint === '/mnt/with space')!.fsType).toBe('ext3');
  });
  it('skips short lines and lines without the separator', () => {
    expect(parseMountinfo('garbage\n1 2 3\n')).toEqual([]);
    expect(unescapeMount('a\\040b')).toBe('a b');
  });
});
