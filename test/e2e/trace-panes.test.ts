// e2e: a trace pane toggled by its key in a real pseudo-terminal, as a
// person uses it: 1 opens the opens pane over the process table, a file the
// test opens shows up in it with its path, the status line says which panes
// are on, and 1 again closes it and unloads its programs. Root only: as root
// or in CI a missing addon or privilege fails the file (liveTracerSkipReason
// throws, test/helpers/native.ts); elsewhere the suite is skipped with the
// reason, never passed by a test that asserts nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnOstop, delay, type PtyApp } from '../helpers/pty.js';
import { liveTracerSkipReason } from '../helpers/native.js';

const skip = liveTracerSkipReason('opens');

/** Kernel ids of loaded programs named ostop_open* (the opens tracer's). */
function opensProgramIds(): number[] {
  const out = JSON.parse(execFileSync('bpftool', ['-j', 'prog', 'show'], { encoding: 'utf8' })) as Array<{ id: number; name?: string }>;
  return out.filter((p) => p.name?.startsWith('ostop_open')).map((p) => p.id);
}

describe.skipIf(!!skip)('trace panes in a pty (root)', () => {
  let app: PtyApp;
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-pane-e2e-'));
    app = spawnOstop(['-d', '1'], { cols: 160, rows: 45 });
    await app.waitForText(/PID\s+USER/, 20000);
  });
  afterAll(async () => {
    await app?.dispose();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('1 shows the opens pane with a file the test opens; 1 again closes it and unloads its programs', async () => {
    const before = new Set(opensProgramIds());
    await app.press('1');
    await app.waitForText(/1 opens/, 10000);
    await app.waitForText(/trace: 1 opens/, 10000);
    const attached = opensProgramIds().filter((id) => !before.has(id));
    expect(attached.length).toBeGreaterThan(0);
    const file = path.join(dir, `unique-${process.pid}-e2e`);
    // The pane's path filter (focus with `, then /): the file shows whether the pane
    // streams or, when other processes open files in a storm, counts per path.
    await app.press('`');
    await app.press('/');
    await app.waitForText(/Path contains/, 10000);
    await app.type(`unique-${process.pid}-e2e`);
    await app.press('\r');
    await app.waitForText(new RegExp(`path ~ unique-${process.pid}-e2e`), 10000);
    await app.press('\x1b'); // leave the pane
    // A child opens it (the pane hides ostop's own opens, not the test's).
    for (let i = 0; i < 3; i++) {
      execFileSync('sh', ['-c', `cat ${file} 2>/dev/null; : > ${file}; cat ${file}`]);
      await delay(300);
    }
    await app.waitForText(new RegExp(`unique-${process.pid}-e2e`), 10000);
    // The table is still there above the pane.
    expect(app.screenText()).toMatch(/PID\s+USER/);
    await app.press('1');
    await app.waitFor((s) => !/trace: 1 opens/.test(s), 'the pane to close', 10000);
    // The kernel frees detached programs shortly after.
    let left: number[] = [];
    for (let i = 0; i < 20; i++) {
      const now = new Set(opensProgramIds());
      left = attached.filter((id) => now.has(id));
      if (!left.length) break;
      await delay(100);
    }
    expect(left).toEqual([]);
  }, 60000);
});
