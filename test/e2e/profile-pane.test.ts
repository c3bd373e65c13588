// e2e: the CPU profile pane (key 8) in a real pseudo-terminal, drilled into
// a C program that burns CPU in burn_a / burn_b (built here with frame
// pointers, -O0: gcc drops the frame of a leaf function even with
// -mno-omit-leaf-frame-pointer, and main would be skipped): the pane follows that PID, its table names both functions, `f`
// shows the flame graph, arrows and Enter zoom into a frame, Backspace zooms
// out; 8 again closes the pane and unloads the program; 9 opens and closes
// the off-CPU pane. Root only (through
// the gate of test/helpers/native.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnOstop, delay, KEYS, type PtyApp } from '../helpers/pty.js';
import { gate, liveTracerSkipReason, missingProgram } from '../helpers/native.js';

const skip = liveTracerSkipReason('profile') ?? gate('profile pane', missingProgram('cc', 'bpftool'));

function profileProgramIds(): number[] {
  const out = JSON.parse(execFileSync('bpftool', ['-j', 'prog', 'show'], { encoding: 'utf8' })) as Array<{ id: number; name?: string }>;
  return out.filter((p) => p.name === 'ostop_profile').map((p) => p.id);
}

const SRC = `
#include <stdlib.h>
static volatile unsigned long sink;
__attribute__((noinline)) void burn_a(unsigned long n) { for (unsigned long i = 0; i < n; i++) sink += i ^ 7; }
__attribute__((noinline)) void burn_b(unsigned long n) { for (unsigned long i = 0; i < n; i++) sink += i ^ 3; }
int main(void) { for (;;) { burn_a(700000); burn_b(300000); } }`;

describe.skipIf(!!skip)('the CPU profile pane in a pty (root)', () => {
  let app: PtyApp;
  let dir: string;
  let hot: ChildProcess;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-prof-e2e-'));
    fs.writeFileSync(path.join(dir, 'hot.c'), SRC);
    execFileSync('cc', ['-O0', '-fno-omit-frame-pointer', '-o', path.join(dir, 'hot'), path.join(dir, 'hot.c')]);
    hot = spawn(path.join(dir, 'hot'), [], { stdio: 'ignore' });
    app = spawnOstop(['-d', '1', '-p', String(hot.pid)], { cols: 160, rows: 50 });
    await app.waitForText(new RegExp(`PID ${hot.pid}`), 20000);
  });
  afterAll(async () => {
    await app?.dispose();
    hot?.kill('SIGKILL');
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('8 profiles the drilled-in process: table, flame graph, zoom in and out; 8 again unloads it', async () => {
    const before = new Set(profileProgramIds());
    await app.press('8');
    await app.waitForText(/8 CPU profile/, 10000);
    await app.waitForText(new RegExp(`pid ${hot.pid} \\(drill-in\\)`), 10000);
    expect(profileProgramIds().filter((id) => !before.has(id)).length).toBeGreaterThan(0);
    // The table: both burners, in the program's module, and the sample rate on the border.
    await app.waitForText(/hot\s+\[\.\] burn_a/, 20000);
    await app.waitForText(/hot\s+\[\.\] burn_b/, 10000);
    await app.waitForText(/\d+ samples\/s · lost \d+ · cost/, 10000);
    // Focus the pane, then the flame graph.
    await app.press('`');
    await app.press('f');
    await app.waitForText(/all stacks\s+\(Enter zooms into the selected frame\)/, 10000);
    await app.waitForText(/flame graph/, 5000);
    await app.waitForText(/▏burn_b|burn_a\s+▏/, 10000);
    // all > hot > __libc_start_call_main > main > burn_a: select main, zoom in, then out.
    for (let i = 0; i < 3; i++) await app.press(KEYS.down);
    await app.waitForText(/│main \[hot\]:/, 5000);
    await app.press(KEYS.enter);
    await app.waitForText(/zoomed: hot › .*main/, 5000);
    await app.press(KEYS.down);
    await app.waitForText(/│burn_a \[hot\]:/, 5000);
    await app.press(KEYS.right);
    await app.waitForText(/│burn_b \[hot\]:/, 5000);
    await app.press(KEYS.backspace);
    await app.waitFor((s) => /zoomed: hot › __libc_start_call_main\s/.test(s) || /zoomed: hot › [^›\n]*\(Backspace/.test(s), 'one level out', 5000);
    // k: kernel frames only (the program runs in user space: "[user space]").
    await app.press('f');
    await app.press('k');
    await app.press('k');
    await app.waitForText(/kernel frames/, 5000);
    await app.waitForText(/\[user space\]/, 10000);
    await app.press(KEYS.esc);
    await app.press('8');
    await app.waitFor((s) => !/8 CPU profile/.test(s), 'the pane to close', 10000);
    let left: number[] = [];
    for (let i = 0; i < 30; i++) {
      const now = new Set(profileProgramIds());
      left = [...now].filter((id) => !before.has(id));
      if (!left.length) break;
      await delay(100);
    }
    expect(left).toEqual([]);
    // 9: the off-CPU pane for the same process (a CPU-bound program that never blocks: nothing counted), and off again.
    await app.press('9');
    await app.waitForText(/9 off-CPU time · blocked time/, 10000);
    await app.waitForText(/no blocked time counted yet/, 10000);
    await app.press('9');
    await app.waitFor((s) => !/9 off-CPU time/.test(s), 'the off-CPU pane to close', 10000);
  }, 90000);
});
