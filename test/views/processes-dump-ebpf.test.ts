// `ostop dump processes --columns pid,opens_rate` as root: the eBPF-fed
// column's tracer runs for the length of the dump and the column prints real
// rates (a child opening a file in a loop), travelling through the model
// like every other column. Without privilege the column is '-' and stderr
// says why. Root (and CI) must run it: see test/helpers/native.ts.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DumpOptions } from '../../src/model/dump-view.js';
import { processesDump } from '../../src/views/processes-dump.js';
import { liveTracerSkipReason } from '../helpers/native.js';
import { loadedOstopProgs } from '../native/bpf-helpers.js';
import { OSTOP_BIN } from '../helpers/pty.js';

const skip = liveTracerSkipReason('opens');

async function dump(format: 'json' | 'csv' | 'text', n: number, flags: Record<string, string | boolean>) {
  let out = '';
  let err = '';
  const opts: DumpOptions = { n, delaySec: 0.5, format, flags, out: (t) => (out += t), err: (t) => (err += t), signal: new AbortController().signal };
  const rc = await processesDump.run(opts);
  return { rc, out, err };
}

describe.skipIf(!!skip)('eBPF-fed columns in dump processes (root)', () => {
  let child: ChildProcess;
  let idle: ChildProcess;
  beforeAll(async () => {
    // 20 opens every 10 ms: about 2,000 opens/s whatever the machine's speed within an order of magnitude.
    child = spawn(process.execPath, ['-e', "const fs=require('fs');setInterval(()=>{for(let i=0;i<20;i++)fs.closeSync(fs.openSync('/proc/self/stat','r'))},10)"], { stdio: 'ignore' });
    idle = spawn('sleep', ['60'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 300));
  });
  afterAll(() => {
    child?.kill('SIGKILL');
    idle?.kill('SIGKILL');
  });

  it('--columns pid,opens_rate attaches the opens tracer for the run and prints the child\'s rate; nothing stays loaded', async () => {
    const before = new Set(loadedOstopProgs().map((p) => p.id));
    const r = await dump('json', 2, { pid: `${child.pid},${idle.pid}`, columns: 'pid,opens_rate' });
    expect(r.err).toBe('');
    expect(r.rc).toBe(0);
    const samples = r.out.trim().split('\n').map((l) => JSON.parse(l) as { processes: Array<{ pid: number; opens_rate: number | null }> });
    expect(samples).toHaveLength(2);
    for (const s of samples) {
      const c = s.processes.find((p) => p.pid === child.pid)!;
      const i = s.processes.find((p) => p.pid === idle.pid)!;
      expect(c.opens_rate).toBeGreaterThan(200);
      expect(c.opens_rate).toBeLessThan(20000);
      expect(i.opens_rate).toBeNull(); // opened nothing in the window
    }
    // Freed shortly after the last fd closes.
    let left: unknown[] = [];
    for (let k = 0; k < 50; k++) {
      left = loadedOstopProgs().filter((p) => !before.has(p.id) && p.name.startsWith('ostop_open'));
      if (!left.length) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(left).toEqual([]);
  }, 30000);

  it('text and CSV print the rate under OPEN/s / opens_rate', async () => {
    const t = await dump('text', 1, { pid: String(child.pid), columns: 'pid,opens_rate' });
    const row = t.out.trim().split('\n').pop()!.trim().split(/\s+/);
    expect(t.out).toMatch(/PID\s+OPEN\/s/);
    expect(Number(row[0])).toBe(child.pid);
    expect(Number(row[1])).toBeGreaterThan(200);
    const c = await dump('csv', 1, { pid: String(child.pid), columns: 'pid,opens_rate' });
    const [head, line] = c.out.trim().split('\n');
    expect(head).toBe('sample_time,pid,opens_rate');
    expect(Number(line.split(',')[2])).toBeGreaterThan(200);
  }, 30000);

  it('the command line (bin/ostop.js, the built CLI) prints the same rates', async () => {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [OSTOP_BIN, 'dump', 'processes', '--columns', 'pid,opens_rate', '--pid', String(child.pid), '-n', '1', '-d', '1', '--format', 'csv'], { timeout: 20000 });
    expect(stderr).toBe('');
    const [head, line] = stdout.trim().split('\n');
    expect(head).toBe('sample_time,pid,opens_rate');
    expect(Number(line.split(',')[1])).toBe(child.pid);
    expect(Number(line.split(',')[2])).toBeGreaterThan(200);
  }, 30000);
});
