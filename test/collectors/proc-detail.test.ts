import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  accessMode, classifyFdTarget, openFlagNames, parseCgroup, parseCmdline, parseEnviron, parseFdinfo, parseIo, parseLimits,
  parseNsLink, parseSmapsRollup, parseStat, parseStatus, primaryCgroup,
} from '../../src/collectors/proc-detail.js';
import { readProcDetail, readSystemInfo, realProcFs, type ProcFs } from '../../src/collectors/proc-detail-read.js';
import { sanitize } from '../../src/util/text.js';

const TREE = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/proc-detail/tree');
const file = (rel: string) => fs.readFileSync(path.join(TREE, rel));

describe('proc-detail parsers on fixture files', () => {
  it('parses stat with a comm holding parens, spaces and an escape', () => {
    const st = parseStat(file('4242/stat').toString())!;
    expect(st.comm).toBe('a) S 1 (\x1b[31mb');
    expect(st).toMatchObject({ pid: 4242, state: 'S', ppid: 1, utime: 250, stime: 50, numThreads: 2, starttime: 500000, processor: 1, nice: 0 });
    expect(sanitize(st.comm)).not.toContain('\x1b');
  });

  it('parses a thread stat whose comm has a newline and CJK', () => {
    const st = parseStat(file('4242/task/4243/stat').toString())!;
    expect(st.comm).toBe('worker\n日本');
    expect(st.state).toBe('R');
  });

  it('returns undefined for garbage stat', () => {
    expect(parseStat('')).toBeUndefined();
    expect(parseStat('12 (x) S 1')).toBeUndefined();
  });

  it('parses status and undoes the Name escaping', () => {
    const s = parseStatus(file('4242/status').toString());
    expect(s.name).toBe('a) S 1 (\x1bb');
    expect(s.uids).toEqual([1000, 1000, 1000, 1000]);
    expect(s).toMatchObject({ ppid: 1, threads: 2, vmRssKb: 10240, rssAnonKb: 6144, rssFileKb: 3072, rssShmemKb: 1024, vmSwapKb: 512, voluntaryCtxt: 150, nonvoluntaryCtxt: 7 });
    expect(parseStatus('Name:\tx\\ny\\\\z\n').name).toBe('x\ny\\z');
  });

  it('parses io, smaps_rollup and limits', () => {
    expect(parseIo(file('4242/io').toString())).toEqual({ rchar: 1000000, wchar: 2000000, syscr: 100, syscw: 200, readBytes: 409600, writeBytes: 819200, cancelledWriteBytes: 0 });
    const sm = parseSmapsRollup(file('4242/smaps_rollup').toString())!;
    expect(sm).toMatchObject({ Rss: 10240, Pss: 8000, Pss_Anon: 6144, Pss_File: 1500, Pss_Shmem: 356, Swap: 512, SwapPss: 500 });
    expect(parseSmapsRollup('')).toBeUndefined();
    const lim = parseLimits(file('4242/limits').toString());
    expect(lim).toEqual([
      { name: 'Max cpu time', soft: 'unlimited', hard: 'unlimited', units: 'seconds' },
      { name: 'Max open files', soft: 1024, hard: 524288, units: 'files' },
      { name: 'Max stack size', soft: 8388608, hard: 'unlimited', units: 'bytes' },
      { name: 'Max nice priority', soft: 0, hard: 0, units: '' },
      { name: 'Max realtime timeout', soft: 'unlimited', hard: 'unlimited', units: 'us' },
    ]);
  });

  it('parses limits without a header by splitting on runs of spaces', () => {
    expect(parseLimits('Max open files            1024                 4096                 files     \n')).toEqual([
      { name: 'Max open files', soft: 1024, hard: 4096, units: 'files' },
    ]);
  });

  it('parses a hostile environ: escapes, newlines, CJK, long, invalid UTF-8, no "="', () => {
    const env = parseEnviron(file('4242/environ'));
    const by = Object.fromEntries(env.map((e) => [e.name, e.value]));
    expect(env.map((e) => e.name)).toEqual(['PATH', 'EVIL', 'MULTI', 'LANG', 'LONG', 'NOEQUALS', 'BAD', 'EMPTY', 'A']);
    expect(by.EVIL).toBe('\x1b]0;pwned\x07\x1b[2J');
    expect(by.MULTI).toBe('line1\nline2');
    expect(by.LANG).toBe('日本語_JP.UTF-8');
    expect(by.LONG.length).toBe(10000);
    expect(by.BAD).toBe('\ufffd\ufffd');
    expect(by.A).toBe('b=c');
    for (const e of env) expect(sanitize(e.value)).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
  });

  it('parses cmdline argv (spaces, newline, CJK; trailing NUL)', () => {
    expect(parseCmdline(file('4242/cmdline'))).toEqual(['/usr/bin/evil', '--name=hello world', 'line\nbreak', '中文']);
    expect(parseCmdline(Buffer.from(''))).toEqual([]);
    // setproctitle() style: one string, no NULs
    expect(parseCmdline(Buffer.from('nginx: worker process'))).toEqual(['nginx: worker process']);
  });

  it('parses cgroup v1 and v2', () => {
    const v2 = parseCgroup(file('4242/cgroup').toString());
    expect(primaryCgroup(v2)).toBe('/user.slice/user-1000.slice/app 服务.scope');
    const v1 = parseCgroup('4:memory:/docker/abc\n1:cpu,cpuacct:/\n0::/\n');
    expect(v1[1].controllers).toEqual(['cpu', 'cpuacct']);
    expect(primaryCgroup(v1)).toBe('/docker/abc');
  });

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
    expect(parseNsLink('net:[4026531840]')).toEqual({ type: 'net', inode: 4026531840 });
    expect(parseNsLink('garbage')).toBeUndefined();
  });
});

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
