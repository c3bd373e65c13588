// A process in D state: its threads' kernel stacks (/proc/PID/task/TID/stack,
// root only) and wait channels, read into the drill-in sample, carried by the
// model and printed by `dump process` (fixtures from
// test/fixtures/profile/stack-d, wchan-d). A process stuck in D state is hard
// to make on purpose, so this is on an in-memory /proc.
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readProcDetail, type ProcFs } from '../../src/collectors/proc-detail-read.js';
import { deriveProcessDetail } from '../../src/model/process-detail.js';
import { formatProcessText } from '../../src/views/process-dump.js';

const fx = (n: string) => fs.readFileSync(new URL(`../fixtures/profile/${n}`, import.meta.url));

const stat = (pid: number, comm: string, state: string) => Buffer.from(`${pid} (${comm}) ${state} 1 ${pid} ${pid} 0 -1 4194560 0 0 0 0 5 1 0 0 20 0 2 0 4242 1000 10 0 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n`);

function memFs(files: Record<string, Buffer | string | NodeJS.ErrnoException>): ProcFs {
  const get = (rel: string) => {
    const v = files[rel];
    if (v === undefined) throw Object.assign(new Error(`ENOENT ${rel}`), { code: 'ENOENT' });
    if (v instanceof Error) throw v;
    return Buffer.from(v);
  };
  return {
    readFile: get,
    readlink: (rel) => get(rel).toString(),
    readdir: (rel) => [...new Set(Object.keys(files).filter((k) => k.startsWith(rel + '/')).map((k) => k.slice(rel.length + 1).split('/')[0]))],
    exists: (rel) => Object.keys(files).some((k) => k === rel || k.startsWith(rel + '/')),
  };
}

const eacces = () => Object.assign(new Error('EACCES'), { code: 'EACCES' });

function tree(stackOf: Buffer | NodeJS.ErrnoException): Record<string, Buffer | string | NodeJS.ErrnoException> {
  return {
    '77/stat': stat(77, 'stuck', 'D'),
    '77/status': 'Name:\tstuck\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n',
    '77/wchan': fx('wchan-d'),
    '77/task/77/stat': stat(77, 'stuck', 'D'),
    '77/task/77/status': 'voluntary_ctxt_switches:\t1\nnonvoluntary_ctxt_switches:\t2\n',
    '77/task/77/wchan': fx('wchan-d'),
    '77/task/77/stack': stackOf,
    '77/task/78/stat': stat(78, 'worker', 'S'),
    '77/task/78/status': 'voluntary_ctxt_switches:\t1\nnonvoluntary_ctxt_switches:\t2\n',
    '77/task/78/wchan': '0',
    '77/task/78/stack': fx('stack-d'),
  };
}

const sys = { btimeSec: 0, clkTck: 100, memTotalKb: 1000, ncpu: 1, userName: () => 'root' };

describe('D state in the drill-in', () => {
  it('reads the kernel stack and wchan of the threads in D state only', () => {
    const s = readProcDetail(77, { fs: memFs(tree(fx('stack-d'))), sections: ['stat', 'status', 'threads', 'wchan', 'kstack'] });
    expect(s.wchan).toBe('folio_wait_bit_common');
    expect(s.blocked).toHaveLength(1);
    expect(s.blocked![0]).toMatchObject({ tid: 77, comm: 'stuck', wchan: 'folio_wait_bit_common' });
    expect(s.blocked![0].frames.map((f) => f.name)).toEqual(['io_schedule', 'folio_wait_bit_common', 'nfs_wait_bit_killable', 'do_syscall_64', 'entry_SYSCALL_64_after_hwframe']);
    expect(s.errors.kstack).toBeUndefined();
    const m = deriveProcessDetail(undefined, s, sys);
    expect(m.wchan).toBe('folio_wait_bit_common');
    expect(m.blocked[0].stack[2]).toBe('nfs_wait_bit_killable+0x1a/0x60 [nfs]');
    const text = formatProcessText(m);
    expect(text).toMatch(/state D \(.*\)  wchan folio_wait_bit_common/);
    expect(text).toMatch(/Kernel stack \(D state, 1 thread\)\n  tid 77 stuck: D \(uninterruptible\), waiting in folio_wait_bit_common\n    io_schedule\+0x12\/0x40\n    folio_wait_bit_common/);
  });

  it('says the stack needs root when it is refused, and keeps the rest', () => {
    const s = readProcDetail(77, { fs: memFs(tree(eacces())), sections: ['stat', 'status', 'threads', 'wchan', 'kstack'] });
    expect(s.errors.kstack).toBe('EACCES');
    expect(s.blocked![0].frames).toEqual([]);
    expect(s.blocked![0].wchan).toBe('folio_wait_bit_common');
    const text = formatProcessText(deriveProcessDetail(undefined, s, sys));
    expect(text).toMatch(/Kernel stack \(D state, 1 thread\) \(.*EACCES\)/);
    expect(text).toMatch(/kernel stack not readable: \/proc\/PID\/stack needs root/);
  });

  it('has nothing to say for a process that is not in D state', () => {
    const t = tree(fx('stack-d'));
    t['77/stat'] = stat(77, 'stuck', 'S');
    t['77/task/77/stat'] = stat(77, 'stuck', 'S');
    const s = readProcDetail(77, { fs: memFs(t), sections: ['stat', 'status', 'threads', 'wchan', 'kstack'] });
    expect(s.blocked).toEqual([]);
    expect(formatProcessText(deriveProcessDetail(undefined, s, sys))).not.toMatch(/Kernel stack/);
  });

  it('reads this (running) process: wchan of a running task is null or a name', () => {
    const s = readProcDetail(process.pid, { sections: ['stat', 'wchan', 'kstack'] });
    expect(s.wchan === null || /^\w+$/.test(s.wchan!)).toBe(true);
    expect(s.blocked).toEqual([]);
  });
});
