import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readProcDetail, readSystemInfo, realProcFs, type ProcFs } from '../../src/collectors/proc-detail-read.js';
import { sanitize } from '../../src/util/text.js';

const TREE = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/proc-detail/tree');
const file = (rel: string) => fs.readFileSync(path.join(TREE, rel));

describe('readProcDetail on the fixture tree', () => {
  const pfs = realProcFs(TREE);

  it('reads every section, fds with their link targets and sockets joined by inode', () => {
    const s = readProcDetail(4242, { fs: pfs, now: 1000 });
    expect(s.gone).toBe(false);
    expect(s.errors).toEqual({});
    expect(s.exe).toBe('/usr/bin/evil');
    expect(s.cwd).toBe('/nonexistent/home/user/项目');
    expect(s.namespaces).toEqual([
      { type: 'mnt', inode: 4026531841 }, { type: 'net', inode: 4026531840 }, { type: 'pid', inode: 4026531836 },
    ]);
    expect(s.threads!.map((t) => t.tid)).toEqual([4242, 4243]);
    expect(s.fdTotal).toBe(9);
    expect(s.fds!.map((f) => f.target.kind)).toEqual(['device', 'file', 'file', 'socket', 'socket', 'pipe', 'anon', 'socket', 'socket']);
    expect(s.fds![1].target.target).toBe('/tmp/日本語 file\nname.txt (deleted)');
    expect(s.fds![1].target.deleted).toBe(true);
    expect(s.fds![2].info).toMatchObject({ pos: 200 });
    const socks = s.sockets!.map((x) => `${x.proto} ${x.local} ${x.remote} ${x.state} ${x.inode}`).sort();
    expect(socks).toEqual([
      'tcp 127.0.0.1:8080 127.0.0.1:45678 ESTABLISHED 1001',
      'udp 0.0.0.0:5353 0.0.0.0:0 UNCONN 1003',
      expect.stringMatching(/^unix .*1002$/),
    ]);
    // the listener on :22 (inode 5555) is not this process's
    expect(s.sockets!.some((x) => x.inode === 5555)).toBe(false);
  });

  it('caps the fd and thread lists but keeps the totals', () => {
    const s = readProcDetail(4242, { fs: pfs, fdLimit: 3, threadLimit: 1, fdinfoLimit: 1 });
    expect(s.fds!.length).toBe(3);
    expect(s.fdTotal).toBe(9);
    expect(s.fds![0].info).toBeDefined();
    expect(s.fds![1].info).toBeUndefined();
    expect(s.threads!.length).toBe(1);
    expect(s.threadTotal).toBe(2);
  });

  it('reads only the sections asked for', () => {
    const s = readProcDetail(4242, { fs: pfs, sections: ['stat', 'status'] });
    expect(s.stat).toBeDefined();
    expect(s.fds).toBeUndefined();
    expect(s.environ).toBeUndefined();
    expect(s.sockets).toBeUndefined();
  });

  it('reports a missing pid as gone', () => {
    const s = readProcDetail(999999, { fs: pfs });
    expect(s.gone).toBe(true);
    expect(s.errors.stat).toBe('ENOENT');
  });

  it('keeps partial data when files are refused, and notices a process vanishing mid-read', () => {
    const err = (c: string) => Object.assign(new Error(c), { code: c });
    let vanished = false;
    const flaky: ProcFs = {
      readFile: (rel) => {
        if (rel.endsWith('/environ') || rel.endsWith('/io')) throw err('EACCES');
        if (vanished) throw err('ESRCH');
        if (rel.endsWith('/limits')) vanished = true; // exits half way through
        return pfs.readFile(rel);
      },
      readlink: (rel) => {
        if (vanished) throw err('ENOENT');
        if (rel.endsWith('/exe')) throw err('EACCES');
        return pfs.readlink(rel);
      },
      readdir: (rel) => {
        if (vanished) throw err('ENOENT');
        return pfs.readdir(rel);
      },
      exists: (rel) => (vanished ? false : pfs.exists(rel)),
    };
    const s = readProcDetail(4242, { fs: flaky, readSockets: () => [] });
    expect(s.stat?.pid).toBe(4242);
    expect(s.errors.environ).toBe('EACCES');
    expect(s.errors.io).toBe('EACCES');
    expect(s.errors.exe).toBe('EACCES');
    expect(s.limits).toBeDefined();
    expect(s.errors.threads).toBe('ENOENT');
    expect(s.gone).toBe(true);
  });

  it('does not count a missing exe link of a live process (kernel thread) as partial data', () => {
    const kthread: ProcFs = { ...pfs, readlink: (rel) => { if (rel.endsWith('/exe')) throw Object.assign(new Error('x'), { code: 'ENOENT' }); return pfs.readlink(rel); } };
    const s = readProcDetail(4242, { fs: kthread });
    expect(s.gone).toBe(false);
    expect(s.exe).toBeUndefined();
    expect(s.errors).toEqual({});
  });

  it('reads system info (btime, cpus, MemTotal)', () => {
    const sys = readSystemInfo(pfs);
    expect(sys.btimeSec).toBe(1700000000);
    expect(sys.ncpu).toBe(2);
    expect(sys.memTotalKb).toBe(16000000);
    expect(sys.userName(0)).toBe('root');
    expect(sys.userName(4000000)).toBe('4000000');
  });
});
