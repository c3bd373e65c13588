// Privileged: exec and exit tracers against real short-lived children,
// including one that dies by SIGSEGV with a core dump (RLIMIT_CORE raised
// for that child only, core_pattern untouched, cwd in a temp dir that is
// removed afterwards).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { TracerManager } from '../../src/tracers/manager.js';
import type { ExecEvent } from '../../src/tracers/exec/tracer.js';
import type { ExitEvent, ProcessExitEvent, SignalEvent } from '../../src/tracers/exit/tracer.js';
import { waitFor } from '../native/bpf-helpers.js';
import { rootSkipReason } from '../helpers/native.js';

// Through the one gate: as root or in CI, not being root fails instead of skipping.
const notRoot = rootSkipReason('exec/exit integration');
if (notRoot) it.skip(`exec/exit integration: ${notRoot}`, () => {});

function run(cmd: string, args: string[], cwd: string): Promise<{ pid: number; code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { cwd, stdio: 'ignore' });
    c.on('error', (e) => resolve({ pid: c.pid ?? -1, code: (e as NodeJS.ErrnoException).code === 'ENOENT' ? -2 : -1, signal: null }));
    c.on('exit', (code, signal) => resolve({ pid: c.pid!, code, signal }));
    setTimeout(() => reject(new Error('child timed out')), 10_000);
  });
}

describe.skipIf(notRoot !== null)('exec + exit tracers (root)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ostop-exec-'));
  const m = new TracerManager();
  afterEach(() => m.stopAll());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('sees a millisecond-lived process, its args, its parent and a failed exec', async () => {
    const execs: ExecEvent[] = [];
    const off = m.onEvents<ExecEvent>('exec', (b) => execs.push(...b));
    m.start('exec', { pid: process.pid }); // the process or its children
    const marker = `ostop-marker-${Date.now()}`;
    const ok = await run('/bin/sh', ['-c', 'exit 0', marker, 'two words'], dir);
    const bad = await run('/nonexistent/ostop-prog', ['x'], dir);
    await waitFor(() => execs.some((e) => e.pid === ok.pid) && execs.some((e) => e.ret !== 0 && e.filename === '/nonexistent/ostop-prog'));
    const e = execs.filter((x) => x.pid === ok.pid);
    expect(e).toEqual([expect.objectContaining({ pid: ok.pid, ppid: process.pid, ret: 0, filename: '/bin/sh', comm: 'sh', args: ['/bin/sh', '-c', 'exit 0', marker, 'two words'], argsTruncated: false })]);
    const f = execs.filter((x) => x.filename === '/nonexistent/ostop-prog');
    expect(f.length).toBeGreaterThanOrEqual(1);
    expect(f[0]).toMatchObject({ ret: -2, ppid: process.pid, args: [] });
    if (bad.pid > 0) expect(f[0].pid).toBe(bad.pid);
    off();
  });

  it('reports exit code, age, a death by SIGSEGV with core dump and who sent it', async () => {
    const evs: ExitEvent[] = [];
    const off = m.onEvents<ExitEvent>('exit', (b) => evs.push(...b));
    m.start('exit', {});
    const t0 = Date.now();
    const normal = await run('/bin/sh', ['-c', 'exit 7'], dir);
    const segv = await run('/bin/sh', ['-c', 'ulimit -c unlimited; kill -SEGV $$'], dir);
    const term = await run('/bin/sh', ['-c', 'sleep 5 & sleep 0.2; kill -TERM $!; wait $!; exit 0'], dir);
    expect(normal.code).toBe(7);
    expect(segv.signal).toBe('SIGSEGV');
    await waitFor(() => evs.some((e) => e.kind === 'exit' && e.pid === segv.pid) && evs.some((e) => e.kind === 'exit' && e.pid === normal.pid) && evs.some((e) => e.kind === 'exit' && e.comm === 'sleep' && e.signal === 15));
    const exitOf = (pid: number) => evs.filter((e): e is ProcessExitEvent => e.kind === 'exit' && e.pid === pid);

    expect(exitOf(normal.pid)).toEqual([expect.objectContaining({ pid: normal.pid, ppid: process.pid, comm: 'sh', exitCode: 7, signal: 0, coreDumped: false, sender: null })]);
    const n = exitOf(normal.pid)[0];
    expect(n.ageMs).toBeGreaterThan(0);
    expect(n.ageMs).toBeLessThan(Date.now() - t0 + 1000);

    expect(exitOf(segv.pid)).toEqual([expect.objectContaining({ pid: segv.pid, ppid: process.pid, comm: 'sh', exitCode: null, signal: 11, coreDumped: true, sender: { pid: segv.pid, comm: 'sh' } })]);
    const sig = evs.filter((e): e is SignalEvent => e.kind === 'signal' && e.pid === segv.pid);
    expect(sig).toEqual([expect.objectContaining({ signal: 11, code: 0, sender: { pid: segv.pid, comm: 'sh' } })]);

    const sleeper = evs.find((e): e is ProcessExitEvent => e.kind === 'exit' && e.comm === 'sleep' && e.signal === 15)!;
    expect(sleeper).toMatchObject({ ppid: term.pid, coreDumped: false, sender: { pid: term.pid, comm: 'sh' } });
    off();
    // The core file landed in the temp cwd (core_pattern "core") or was handed to the system's handler.
    for (const f of readdirSync(dir)) if (f.startsWith('core')) rmSync(join(dir, f), { force: true });
  });
});
