// `ostop dump processes` output: every sample says when it was taken, in
// every format (JSON `time`, CSV `sample_time` on each row, a top -b style
// clock in the text header).
import { describe, expect, it, vi } from 'vitest';
import type { DumpOptions } from '../../src/model/dump-view.js';
import { JSON_COLUMN_IDS, processesDump } from '../../src/views/processes-dump.js';
import { columnById } from '../../src/model/columns.js';
import { TopSource } from '../../src/views/top.js';

async function dump(format: 'json' | 'csv' | 'text', n: number, flags: Record<string, string | boolean> = {}) {
  let out = '';
  const opts: DumpOptions = { n, delaySec: 0.3, format, flags, out: (t) => (out += t), err: () => {}, signal: new AbortController().signal };
  const rc = await processesDump.run(opts);
  return { rc, out };
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe.skipIf(process.platform !== 'linux')('dump processes sample times', () => {
  it('CSV: a sample_time column on every row, one value per sample, as JSON would give', async () => {
    const before = Date.now();
    const r = await dump('csv', 2, { pid: `${process.pid},${process.ppid}`, columns: 'pid,time' });
    const after = Date.now();
    expect(r.rc).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toBe('sample_time,pid,time'); // the TIME+ column keeps its id
    const rows = lines.slice(1).map((l) => l.split(','));
    expect(rows).toHaveLength(4); // two processes, two samples; one header
    for (const row of rows) {
      expect(row[0]).toMatch(ISO);
      const t = Date.parse(row[0]);
      expect(t).toBeGreaterThanOrEqual(before);
      expect(t).toBeLessThanOrEqual(after);
    }
    const times = [...new Set(rows.map((row) => row[0]))];
    expect(times).toHaveLength(2); // rows of one sample share its time; the two samples differ
    expect(Date.parse(times[1]) - Date.parse(times[0])).toBeGreaterThanOrEqual(250);
    expect(rows.map((row) => Number(row[1])).sort()).toEqual([process.pid, process.pid, process.ppid, process.ppid].sort());
  });

  it('text: each sample starts with a top -b style line carrying the clock time', async () => {
    const r = await dump('text', 2, { pid: String(process.pid) });
    expect(r.rc).toBe(0);
    const heads = r.out.split('\n').filter((l) => l.startsWith('ostop - '));
    expect(heads).toHaveLength(2);
    for (const h of heads) expect(h).toMatch(/^ostop - \d\d:\d\d:\d\d up .*, load average: /);
    const secs = heads.map((h) => h.slice(8, 16));
    const now = new Date();
    const p = (n: number) => String(n).padStart(2, '0');
    // local time, within a few seconds of now (hh:mm:ss compared as seconds of the day, across midnight too)
    const sod = (s: string) => { const [a, b, c] = s.split(':').map(Number); return a * 3600 + b * 60 + c; };
    const nowSod = sod(`${p(now.getHours())}:${p(now.getMinutes())}:${p(now.getSeconds())}`);
    for (const s of secs) expect(Math.min(Math.abs(nowSod - sod(s)), 86400 - Math.abs(nowSod - sod(s)))).toBeLessThanOrEqual(5);
  });

  it('JSON: the same ISO time per sample', async () => {
    const r = await dump('json', 1, { pid: String(process.pid) });
    const o = JSON.parse(r.out.trim());
    expect(o.time).toMatch(ISO);
  });

  it('JSON: every key of a process record is a column id, the same as CSV headers and --columns', async () => {
    const r = await dump('json', 1, { pid: String(process.pid), columns: 'pid,io_read,cgroup' });
    const p = (JSON.parse(r.out.trim()) as { processes: Array<Record<string, unknown>> }).processes[0];
    expect(Object.keys(p)).toEqual([...JSON_COLUMN_IDS, 'io_read', 'cgroup']);
    for (const k of Object.keys(p)) expect(columnById(k), k).toBeDefined();
    expect(p).toMatchObject({ pid: process.pid, is_thread: false, is_kernel_thread: false });
    expect(typeof p.cpu).toBe('number');
    expect(p.command).toContain('node');
    const c = await dump('csv', 1, { pid: String(process.pid), columns: 'pid,command,cpu,res,is_thread' });
    expect(c.out.split('\n')[0]).toBe('sample_time,pid,command,cpu,res,is_thread');
  });

  it('takes its samples through the top view\'s Source, with the request of a screen that shows every row of the asked columns', async () => {
    const spy = vi.spyOn(TopSource.prototype, 'collect');
    try {
      const r = await dump('csv', 1, { pid: String(process.pid), columns: 'pid,comm', sort: 'mem', threads: true });
      expect(r.out.trimEnd().split('\n')[1]).toMatch(new RegExp(`,${process.pid},`));
      expect(spy).toHaveBeenCalledTimes(2); // rates need two samples
      expect(spy.mock.calls[1][1]).toEqual({ columns: ['pid', 'comm'], sort: 'mem', hideUserThreads: false, strip: false, allCommandLines: false, everyRow: true });
    } finally {
      spy.mockRestore();
    }
  });
});
