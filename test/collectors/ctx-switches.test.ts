// Context switches of a multi-threaded process: the kernel counts them per
// thread, /proc/PID/status shows the main thread's alone, and the drill-in
// (and `ostop dump process`) must show the sum over /proc/PID/task/*/status
// with each thread's own values in the thread list.
//
// Live part: a small pthreads program whose workers sleep in a loop (each
// usleep is a voluntary switch) and then block, while its main thread only
// waits; once the counters stop moving, ostop's sums must equal the sums
// read here from task/*/status, before and after ostop's read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readProcDetail, realProcFs, type ProcFs } from '../../src/collectors/proc-detail-read.js';
import { parseCtxtSwitches } from '../../src/collectors/procfs/pid-status.js';
import { deriveProcessDetail } from '../../src/model/process-detail.js';
import { ProcessSource } from '../../src/views/process-source.js';
import { createProcessDump, formatProcessText } from '../../src/views/process-dump.js';
import { gate, missingProgram } from '../helpers/native.js';

const TREE = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/proc-detail/tree');
const sys = { btimeSec: 1_700_000_000, clkTck: 100, memTotalKb: 16_000_000, ncpu: 2, userName: (u: number) => String(u) };

/** The test's own reading of task/*\/status: { tid -> [voluntary, nonvoluntary] } (independent of ostop's parser). */
function perThread(root: string, pid: number): Map<number, [number, number]> {
  const out = new Map<number, [number, number]>();
  for (const t of fs.readdirSync(`${root}/${pid}/task`)) {
    let text: string;
    try { text = fs.readFileSync(`${root}/${pid}/task/${t}/status`, 'utf8'); } catch { continue; }
    const v = /^voluntary_ctxt_switches:\s*(\d+)$/m.exec(text);
    const n = /^nonvoluntary_ctxt_switches:\s*(\d+)$/m.exec(text);
    if (v && n) out.set(Number(t), [Number(v[1]), Number(n[1])]);
  }
  return out;
}

function sums(m: Map<number, [number, number]>): [number, number] {
  let v = 0, n = 0;
  for (const [a, b] of m.values()) { v += a; n += b; }
  return [v, n];
}

describe('context switches on the fixture tree', () => {
  it('sums the threads, not the main thread alone, and lists each thread\'s own counts', () => {
    const s = readProcDetail(4242, { fs: realProcFs(TREE), now: 1000, readSockets: () => [] });
    const m = deriveProcessDetail(undefined, s, sys);
    const want = perThread(TREE, 4242);
    expect(want.size).toBe(2);
    const [v, n] = sums(want);
    expect(m.ctxSwitches).toMatchObject({ voluntary: v, nonvoluntary: n, threadsCounted: 2, note: null });
    // The process's own status holds the main thread's counts only: not what is shown.
    expect(m.ctxSwitches.voluntary).not.toBe(s.status!.voluntaryCtxt);
    for (const t of m.threads) expect([t.voluntaryCtxt, t.nonvoluntaryCtxt]).toEqual(want.get(t.tid));
    expect(formatProcessText(m)).toMatch(new RegExp(`Ctx sw  voluntary ${v}  involuntary ${n}  \\(sum of 2 threads\\)`));
  });

  it('a malformed or missing counter in one thread\'s status: a clear note, the other threads still summed', () => {
    const base = realProcFs(TREE);
    const hostile = (text: string): ProcFs => ({
      ...base,
      readFile: (rel) => (rel === '4242/task/4243/status' ? Buffer.from(text) : base.readFile(rel)),
    });
    for (const [text, why] of [
      ['voluntary_ctxt_switches:\t-5\nnonvoluntary_ctxt_switches:\t1\n', /malformed status line "voluntary_ctxt_switches:\\t-5"/],
      ['voluntary_ctxt_switches:\t12abc\nnonvoluntary_ctxt_switches:\t1\n', /malformed status line/],
      ['Name:\tworker\n', /no voluntary_ctxt_switches line/],
      ['', /no voluntary_ctxt_switches line/],
    ] as const) {
      expect(() => parseCtxtSwitches(text)).toThrow(why);
      const s = readProcDetail(4242, { fs: hostile(text), readSockets: () => [] });
      const m = deriveProcessDetail(undefined, s, sys);
      const main = perThread(TREE, 4242).get(4242)!;
      expect(m.ctxSwitches.voluntary).toBe(main[0]);
      expect(m.ctxSwitches.threadsCounted).toBe(1);
      expect(m.ctxSwitches.note).toMatch(/^thread 4243 status: /);
      expect(m.ctxSwitches.note).toMatch(why);
      expect(m.threads.find((t) => t.tid === 4243)).toMatchObject({ voluntaryCtxt: null, nonvoluntaryCtxt: null });
    }
  });

  it('a refused task list falls back to the main thread\'s counts and says so', () => {
    const base = realProcFs(TREE);
    const refused: ProcFs = { ...base, readdir: (rel) => { if (rel.endsWith('/task')) throw Object.assign(new Error('x'), { code: 'EACCES' }); return base.readdir(rel); } };
    const s = readProcDetail(4242, { fs: refused, readSockets: () => [] });
    const m = deriveProcessDetail(undefined, s, sys);
    expect(m.ctxSwitches).toMatchObject({ voluntary: s.status!.voluntaryCtxt, threadsCounted: null, note: 'main thread only: task list unreadable (EACCES)' });
  });
});

const haveCc = gate('test/collectors/ctx-switches live', missingProgram('cc')) === null;

const PROG = `
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
static int gate[2];
static pthread_barrier_t done;
static void *worker(void *arg) {
  long n = (long)arg;
  for (long i = 0; i < n; i++) usleep(100);   /* each sleep: one voluntary switch of this thread */
  pthread_barrier_wait(&done);
  char c;
  if (read(gate[0], &c, 1) < 0) return 0;     /* block until the test ends */
  return 0;
}
int main(int argc, char **argv) {
  int nt = atoi(argv[1]);
  if (pipe(gate)) return 2;
  pthread_barrier_init(&done, 0, nt + 1);
  pthread_t t;
  for (int i = 0; i < nt; i++) pthread_create(&t, 0, worker, (void *)(long)(200 * (i + 1)));
  pthread_barrier_wait(&done);
  printf("ready\\n");
  fflush(stdout);
  char c;
  if (read(gate[0], &c, 1) < 0) return 0;
  return 0;
}
`;

describe.skipIf(!haveCc)('context switches of a live multi-threaded process', () => {
  let dir = '';
  let child: ChildProcess;
  const NT = 4;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-ctx-'));
    fs.writeFileSync(path.join(dir, 'mt.c'), PROG);
    execFileSync('cc', ['-O0', '-pthread', '-o', path.join(dir, 'mt'), path.join(dir, 'mt.c')]);
    child = spawn(path.join(dir, 'mt'), [String(NT)], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('ready')) resolve(); });
      child.on('exit', (c) => reject(new Error(`threads program exited early (${c})`)));
    });
  }, 30_000);

  afterAll(() => {
    child?.kill('SIGKILL');
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Wait until no thread's counters move for 200 ms (all blocked in read()); returns that reading. */
  async function settled(): Promise<Map<number, [number, number]>> {
    let last = JSON.stringify([...perThread('/proc', child.pid!)]);
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 200));
      const now = JSON.stringify([...perThread('/proc', child.pid!)]);
      if (now === last) return perThread('/proc', child.pid!);
      last = now;
    }
    throw new Error('the threads never settled');
  }

  it('drill-in: the sum over /proc/PID/task/*/status, per-thread values in the thread list', async () => {
    const before = await settled();
    expect(before.size).toBe(NT + 1);
    const [v, n] = sums(before);
    const main = before.get(child.pid!)!;
    // The workers slept 200+400+600+800 times; the main thread barely ran.
    expect(v - main[0]).toBeGreaterThanOrEqual(2000);

    const src = new ProcessSource();
    src.collect(0, { pid: child.pid! });
    await new Promise((r) => setTimeout(r, 100));
    src.collect(0, { pid: child.pid! });
    const m = src.model()!;
    const after = perThread('/proc', child.pid!);
    expect(after).toEqual(before); // nothing moved while ostop read: the comparison is exact
    expect(m.ctxSwitches).toMatchObject({ voluntary: v, nonvoluntary: n, threadsCounted: NT + 1, note: null, voluntaryPerSec: 0 });
    expect(m.threads.map((t) => [t.tid, [t.voluntaryCtxt, t.nonvoluntaryCtxt]])).toEqual([...before].sort((a, b) => a[0] - b[0]));
  });

  it('ostop dump process --format json and text: the same sums and per-thread values', async () => {
    const before = await settled();
    const [v, n] = sums(before);
    for (const format of ['json', 'text'] as const) {
      const out: string[] = [];
      const code = await createProcessDump().run({
        n: 1, delaySec: 0.1, format, flags: { pid: String(child.pid) }, out: (s) => out.push(s), err: (s) => out.push(s), signal: new AbortController().signal,
      });
      expect(code).toBe(0);
      if (format === 'json') {
        const doc = JSON.parse(out.join(''));
        expect(doc.ctxSwitches).toMatchObject({ voluntary: v, nonvoluntary: n, threadsCounted: NT + 1 });
        for (const t of doc.threads) expect([t.voluntaryCtxt, t.nonvoluntaryCtxt]).toEqual(before.get(t.tid));
      } else {
        const text = out.join('');
        expect(text).toContain(`Ctx sw  voluntary ${v}  involuntary ${n}  (sum of ${NT + 1} threads)`);
        const main = before.get(child.pid!)!;
        expect(text).toMatch(new RegExp(`^\\s*${child.pid}\\s+\\S\\s+\\S+\\s+\\d+\\s+${main[0]}\\s+${main[1]}\\s`, 'm'));
      }
    }
    expect(perThread('/proc', child.pid!)).toEqual(before);
  });
});
