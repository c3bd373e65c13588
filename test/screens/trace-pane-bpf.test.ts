// Privileged: the opens pane with the real TracerManager and native addon.
// Toggling it on attaches the opens programs; a file opened by a child
// process shows up in the pane; toggling off leaves none of the programs it
// attached loaded in the kernel (checked by program id with bpftool, and by
// the addon's own listing). CI runs as root, so this must pass there;
// elsewhere it skips with the reason.
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import blessed from 'blessed';
import type { Widgets } from 'blessed';
import { makeTheme } from '../../src/app/theme.js';
import type { AppApi } from '../../src/app/view.js';
import { PaneHost } from '../../screens/trace-panes.js';
import { TracerManager } from '../../src/tracers/manager.js';
import { loadNative, tracingUnsupportedReason } from '../../src/native.js';
import { PassThrough } from 'node:stream';
import { fakeScreen } from '../helpers/fake-screen.js';


function skipReason(): string | null {
  const why = tracingUnsupportedReason();
  if (why) return why;
  const n = loadNative();
  if (!n.ok) return n.error.message;
  if (!n.addon.tracers().includes('opens')) return 'the opens tracer is not compiled into the addon';
  return null;
}
const reason = skipReason();
if (reason) console.warn(`trace-pane-bpf: skipped: ${reason}`);

function loadedProgIds(): Set<number> | null {
  try {
    const out = execFileSync('bpftool', ['prog', 'show', '--json'], { encoding: 'utf8' });
    return new Set((JSON.parse(out) as Array<{ id: number }>).map((p) => p.id));
  } catch {
    return null; // no bpftool: the addon's listing still checks
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let screen: Widgets.Screen | undefined;
let host: PaneHost | undefined;
afterEach(() => {
  host?.dispose();
  screen?.destroy();
  host = undefined;
  screen = undefined;
});

describe.skipIf(!!reason)('opens pane with real eBPF (root)', () => {
  it('shows a file opened by another process, and detaches everything when toggled off', async () => {
    screen = fakeScreen(200, 30);
    const parent = blessed.box({ parent: screen, top: 0, left: 0, right: 0, bottom: 0 });
    const file = `/tmp/ostop-pane-${process.pid}-${Date.now().toString(36)}`;
    const app: AppApi = {
      open: () => {}, back: () => {}, status: () => {}, requestRender: () => {}, refreshNow: () => {},
      // the path filter prompt ('/'): the machine may be busy opening other files
      prompt: (_l, _i, done) => done(file), menu: (_t, _i, done) => done(null), confirm: (_q, done) => done(false),
      suspendAndRun: (_c, _a, done) => done(null), delayMs: 1000,
    };
    const mgr = new TracerManager();
    host = new PaneHost({ screen, theme: makeTheme(false), app }, mgr);
    host.mount(parent);
    host.toggle(1);
    expect(host.active()).toEqual([{ key: 1, name: 'opens', drops: 0 }]);
    const progs = mgr.programs('opens');
    expect(progs.length).toBeGreaterThan(0);
    const ids = progs.map((p) => p.id).filter((x): x is number => typeof x === 'number');

    expect(host.handleKey('`', '`', '`')).toBe(true);
    expect(host.handleKey('/', 'slash', '/')).toBe(true);
    try {
      execFileSync('sh', ['-c', `: > '${file}' && cat '${file}'`]);
      let text = '';
      for (let i = 0; i < 40 && !text.includes(file); i++) {
        await sleep(50);
        mgr.poll();
        host.render();
        screen.render();
        text = (screen as unknown as { lines: Array<Array<[number, string]>> }).lines.map((l) => l.map((c) => c[1]).join('')).join('\n');
      }
      expect(text).toContain(file);
      expect(text).toMatch(/TIME\s+PID\s+COMM\s+FD\s+ERR\s+PATH/);
    } finally {
      rmSync(file, { force: true });
    }

    host.toggle(1);
    expect(mgr.isRunning('opens')).toBe(false);
    expect(mgr.programs('opens')).toEqual([]);
    // The kernel frees a detached program after an RCU grace period: allow it a moment.
    let left: number[] = ids;
    for (let i = 0; i < 40; i++) {
      const loaded = loadedProgIds();
      if (!loaded) break;
      left = ids.filter((id) => loaded.has(id));
      if (!left.length) break;
      await sleep(50);
    }
    expect(left, 'programs still loaded after toggling off').toEqual([]);
    expect(existsSync(file)).toBe(false);
  }, 20_000);
});
