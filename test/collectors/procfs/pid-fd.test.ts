import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { accessMode, classifyFdTarget, openFlagNames, parseFdinfo, socketInode } from '../../../src/collectors/procfs/pid-fd.js';

const fx = (p: string) => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));
const read = (p: string) => fs.readFileSync(fx(p), 'latin1');
const file = (p: string) => fs.readFileSync(fx(`proc-detail/tree/${p}`));

describe('/proc/PID/fd links and fdinfo', () => {
  it('classifies fd targets and parses fdinfo', () => {
    expect(classifyFdTarget('socket:[1001]')).toEqual({ kind: 'socket', target: 'socket:[1001]', inode: 1001 });
    expect(classifyFdTarget('pipe:[77]')).toMatchObject({ kind: 'pipe', inode: 77 });
    expect(classifyFdTarget('anon_inode:[eventfd]')).toMatchObject({ kind: 'anon', anonType: 'eventfd' });
    expect(classifyFdTarget('anon_inode:inotify')).toMatchObject({ kind: 'anon', anonType: 'inotify' });
    expect(classifyFdTarget('/dev/pts/3').kind).toBe('device');
    expect(classifyFdTarget('/tmp/x (deleted)')).toMatchObject({ kind: 'file', deleted: true });
    expect(classifyFdTarget('net:[4026531840]').kind).toBe('other');
    const fi = parseFdinfo(file('4242/fdinfo/6').toString());
    expect(fi).toEqual({ pos: 600, flags: 0o2004002, mntId: 25, ino: 1006 });
    expect(accessMode(fi.flags)).toBe('rw');
    expect(openFlagNames(fi.flags)).toEqual(['nonblock', 'cloexec']);
  });
  it('a socket link gives its inode; anything else -1', () => {
    expect(socketInode('socket:[12345]')).toBe(12345);
    for (const t of ['socket:[]', 'socket:[12a]', 'socket:[1', 'pipe:[77]', '/tmp/socket:[1]', 'socket:12345']) expect(socketInode(t), t).toBe(-1);
    expect(classifyFdTarget('socket:[x]').kind).toBe('other');
  });
});

