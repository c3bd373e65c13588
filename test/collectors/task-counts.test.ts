// The header's "Tasks:" line counted as htop (3.3+) counts it, over the
// whole system whatever -p / --pid, -u / --user or the filter text show:
//   processes  thread groups that are not kernel threads
//   thr        tasks in /proc/PID/task beyond the main one, kernel threads aside
//   kthr       kernel threads (PF_KTHREAD)
//   running    procs_running of /proc/stat, shown at most as the online CPU count
// The expected numbers come from htopCounts() (test/helpers), which walks
// /proc/PID/task/* the way htop's LinuxProcessTable_recurseProcTree does,
// independently of ostop's collector (which uses stat's num_threads, or the
// BPF task iterator as root).
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ProcessCollector } from '../../src/collectors/processes.js';
import { buildProcessModel } from '../../src/model/process-model.js';
import { arrangeRows } from '../../src/model/process-view.js';
import { processesDump } from '../../src/views/processes-dump.js';
import type { DumpOptions } from '../../src/model/dump-view.js';
import { htopCounts } from '../helpers/htop-counts.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/tasks-htop/proc', import.meta.url));
function modelOf(c: ProcessCollector) {
  const a = c.collect(0);
  const b = c.collect(1000);
  return buildProcessModel(a, b, () => 'root');
}

describe('Tasks: counted as htop does, on a fixture tree', () => {
  const want = htopCounts(FIXTURE);

  it('processes without kernel threads, threads beyond each main thread, kernel threads, procs_running capped at the CPUs', () => {
    // the fixture's own facts, so this test is about something: kernel threads and threads exist, procs_running > CPUs
    expect(want.kernelThreads).toBeGreaterThan(0);
    expect(want.threads).toBeGreaterThan(0);
    expect(Number(/procs_running (\d+)/.exec(fs.readFileSync(`${FIXTURE}/stat`, 'utf8'))![1])).toBeGreaterThan(want.running);
    const m = modelOf(new ProcessCollector({ procRoot: FIXTURE }));
    expect(m.tasks).toMatchObject(want);
    // the rest of the line, by main-thread state, adds up to the processes
    expect(m.tasks.sleeping + m.tasks.stopped + m.tasks.zombie + m.rows.filter((r) => !r.isKernelThread && r.state === 'R').length).toBe(want.total);
    expect(m.tasks.zombie).toBe(1);
    expect(m.tasks.stopped).toBe(1);
  });

  it('the same totals with -p (only some rows read), with thread rows, and whatever -u or the filter text hide', () => {
    for (const pids of [new Set([100]), new Set([2, 400]), new Set([999999])]) {
      const m = modelOf(new ProcessCollector({ procRoot: FIXTURE, pids }));
      expect(m.tasks, `-p ${[...pids]}`).toMatchObject(want);
      expect(m.rows.map((r) => r.pid).sort()).toEqual([...pids].filter((p) => fs.existsSync(`${FIXTURE}/${p}`)).sort());
    }
    const withThreads = modelOf(new ProcessCollector({ procRoot: FIXTURE, threads: true }));
    expect(withThreads.tasks).toMatchObject(want);
    expect(withThreads.rows.some((r) => r.isThread)).toBe(true);
    // -u and the filter text only choose rows; the counts are the model's, untouched
    const shown = arrangeRows(withThreads.rows, { sort: 'pid', descending: false, tree: false, collapsed: new Set(), filter: 'server', uid: 4242, hideUserThreads: false, hideKernelThreads: true });
    expect(shown.length).toBe(0);
    expect(withThreads.tasks).toMatchObject(want);
  });

  it('a malformed stat is counted as malformed, not as a process', () => {
    const s = new ProcessCollector({ procRoot: FIXTURE }).collect(0);
    expect(s.counts.malformed).toBe(1);
    const filtered = new ProcessCollector({ procRoot: FIXTURE, pids: new Set([1]) }).collect(0);
    expect(filtered.counts).toEqual(s.counts);
  });
});

async function dumpJson(flags: Record<string, string | boolean>): Promise<any> {
  let text = '';
  const o: DumpOptions = { n: 1, delaySec: 0.05, format: 'json', flags, out: (t) => (text += t), err: () => undefined, signal: new AbortController().signal };
  expect(await processesDump.run(o)).toBe(0);
  return JSON.parse(text);
}

describe.skipIf(process.platform !== 'linux')('Tasks: on the live system', () => {
  // Processes come and go (other tests, the shell): the live counts must lie
  // between two htop-style walks made right before and right after, widened
  // by the few tasks this test's own dump may start or end meanwhile.
  const within = (what: string, ours: number, a: number, b: number, slack: number) => {
    const lo = Math.min(a, b) - slack, hi = Math.max(a, b) + slack;
    expect(ours >= lo && ours <= hi, `${what}: ostop ${ours}, htop-style walk ${a} then ${b}`).toBe(true);
  };

  it('ostop dump processes --pid SELF --user root: tasks are the system\'s', async () => {
    const before = htopCounts('/proc');
    const doc = await dumpJson({ pid: String(process.pid), user: 'root', columns: 'pid' });
    const after = htopCounts('/proc');
    expect(doc.processes.map((p: { pid: number }) => p.pid)).toEqual(process.getuid?.() === 0 ? [process.pid] : []);
    within('total', doc.tasks.total, before.total, after.total, 3);
    within('thr', doc.tasks.threads, before.threads, after.threads, 12);
    within('kthr', doc.tasks.kernelThreads, before.kernelThreads, after.kernelThreads, 2);
    // far more than the one row shown: the old per-filter counts would be 1 process
    expect(doc.tasks.total).toBeGreaterThan(5);
    expect(doc.tasks.running).toBeGreaterThanOrEqual(1);
    expect(doc.tasks.running).toBeLessThanOrEqual(Math.min(doc.tasks.runnable, (fs.readFileSync('/proc/stat', 'utf8').match(/^cpu\d+\s/gm) ?? []).length));
  }, 20_000);
});
