import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseStatus, statusIds, statusKb, statusValue } from '../../../src/collectors/procfs/pid-status.js';

const fx = (p: string) => fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url));
const read = (p: string) => fs.readFileSync(fx(p), 'latin1');
const file = (p: string) => fs.readFileSync(fx(`proc-detail/tree/${p}`));

describe('/proc/PID/status', () => {
  it('parses status and undoes the Name escaping', () => {
    const s = parseStatus(file('4242/status').toString());
    expect(s.name).toBe('a) S 1 (\x1bb');
    expect(s.uids).toEqual([1000, 1000, 1000, 1000]);
    expect(s).toMatchObject({ ppid: 1, threads: 2, vmRssKb: 10240, rssAnonKb: 6144, rssFileKb: 3072, rssShmemKb: 1024, vmSwapKb: 512, voluntaryCtxt: 150, nonvoluntaryCtxt: 7 });
    expect(parseStatus('Name:\tx\\ny\\\\z\n').name).toBe('x\ny\\z');
  });

  it('gives the effective uid and the swap the process table shows', () => {
    const s = parseStatus('Name:\tx\nUid:\t1000\t1001\t1002\t1003\nVmSwap:\t     128 kB\n');
    expect(s.uids?.[1]).toBe(1001);
    expect(s.vmSwapKb).toBe(128);
    expect(parseStatus('Name:\tk\n').vmSwapKb).toBeUndefined(); // kernel threads have no VmSwap line
  });
  it('statusValue reads one key as parseStatus keeps it, whatever the line', () => {
    const texts = [
      file('4242/status').toString(),
      'Name:\tx\nUid:\t1000\t1001\t1002\t1003\nVmSwap:\t     128 kB\n',
      'Uid:\t5\t6\t7\t8', // first line, no newline at the end
      'Name:\tUid: 1 2\nUid:\t9\t9\t9\t9\nUid:\t0\t0\t0\t0\n', // a name that looks like a key; a key given twice
      'Name:\tk\n',
      '',
    ];
    for (const t of texts) {
      const all = parseStatus(t);
      for (const key of ['Name', 'Uid', 'Gid', 'VmSwap', 'VmRSS', 'Threads', 'NoSuchKey']) expect(statusValue(t, key), `${key} in ${JSON.stringify(t.slice(0, 40))}`).toBe(all.fields[key]);
      expect(statusIds(statusValue(t, 'Uid'))).toEqual(all.uids);
      expect(statusKb(statusValue(t, 'VmSwap'))).toBe(all.vmSwapKb);
    }
  });
});
