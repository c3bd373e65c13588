// Privileged: after `ostop trace` ends normally, by SIGINT/SIGTERM/SIGHUP, or
// by SIGKILL, none of its BPF programs stays loaded (fd-based links, no
// pinning); a process that exits without stopping its tracers leaves nothing
// either. Runs the compiled CLI (dist/), built here with tsc.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { nativeAddonPath } from '../../src/native.js';
import { rootSkipReason } from '../helpers/native.js';
import { waitUnloaded } from './bpf-helpers.js';

const root = join(import.meta.dirname, '..', '..');
const skip = rootSkipReason('native lifecycle');

interface Child { ids: number[]; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>; kill: (s: NodeJS.Signals) => void }

function startTrace(args: string[]): Promise<Child> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [join(root, 'bin', 'ostop.js'), 'trace', ...args], { env: { ...process.env, OSTOP_DEBUG: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((res) => c.on('exit', (code, signal) => res({ code, signal, stdout, stderr })));
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => {
      stderr += d;
      const m = /attached prog ids ([\d,]+)/.exec(stderr);
      if (m) resolve({ ids: m[1].split(',').map(Number), done, kill: (s) => c.kill(s) });
    });
    done.then((r) => reject(new Error(`ostop trace ended before attaching: ${r.code} ${r.stderr}`)));
    setTimeout(() => reject(new Error('ostop trace did not attach in time')), 15_000);
  });
}

describe.skipIf(skip !== null)('no ostop program outlives its process (root)', () => {
  beforeAll(() => {
    try {
      execFileSync('npm', ['run', '-s', 'build:ts'], { cwd: root, stdio: 'ignore' });
    } catch {
      /* errors elsewhere in the tree still emit JS */
    }
    expect(existsSync(join(root, 'dist', 'src', 'tracers', 'trace-cmd.js'))).toBe(true);
  }, 120_000);

  it('normal end (--duration)', async () => {
    const c = await startTrace(['exit', '--duration', '0.3', '--summary']);
    const r = await c.done;
    expect(c.ids.length).toBe(3);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/drops: ring 0, map 0, native 0/);
    expect(await waitUnloaded(c.ids)).toEqual([]);
  });

  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`${sig}: ends cleanly, prints the summary, detaches`, async () => {
      const c = await startTrace(['opens', '--summary']);
      c.kill(sig); // first, so a failed assertion cannot leave the child running
      expect(c.ids.length).toBeGreaterThanOrEqual(1);
      const r = await c.done;
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/opens per path/);
      expect(await waitUnloaded(c.ids)).toEqual([]);
    });
  }

  it('SIGKILL: the kernel unloads everything', async () => {
    const c = await startTrace(['exec']);
    c.kill('SIGKILL');
    const r = await c.done;
    expect(r.signal).toBe('SIGKILL');
    expect(await waitUnloaded(c.ids)).toEqual([]);
  });

  it('process.exit() with tracers still running leaves nothing loaded', async () => {
    const script = `
      const n = require(${JSON.stringify(nativeAddonPath())});
      const ids = []; let attached = 0;
      for (const t of ['opens', 'exec', 'exit']) { const r = n.start(t, {}); attached += r.attached.length; ids.push(...n.programs(r.id).map((p) => p.id)); }
      process.stdout.write(JSON.stringify({ ids, attached }));
      process.exit(0);`;
    const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    const { ids, attached } = JSON.parse(out) as { ids: number[]; attached: number };
    expect(ids.length).toBe(attached);
    expect(attached).toBeGreaterThanOrEqual(9);
    expect(await waitUnloaded(ids)).toEqual([]);
  });
});

describe.skipIf(skip !== null)('without privilege', () => {
  it('ostop trace says what is missing and how to get it (exit 1)', async () => {
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const c = spawn(process.execPath, [join(root, 'bin', 'ostop.js'), 'trace', 'opens', '--duration', '1'], { uid: 65534, gid: 65534, cwd: '/', stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      c.stderr.on('data', (d) => (stderr += d));
      c.on('exit', (code) => resolve({ code, stderr }));
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/opens: tracing needs root or CAP_BPF\+CAP_PERFMON: run ostop with sudo/);
  });
});
