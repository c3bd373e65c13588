// The pane models of src/tracers/<name>/pane.ts without a terminal: a pane
// created from its registry line draws plain spans with style names (the
// screen only paints them), the stream shows its tracer's own columns, and a
// hostile path is sanitized in the model before any screen sees it.
import { describe, expect, it } from 'vitest';
import { REGISTRY, createPanes } from '../../src/tracers/registry.js';
import { lineText, type PaneUi } from '../../src/tracers/pane.js';
import type { OpensEvent } from '../../src/tracers/opens/tracer.js';
import type { ExitEvent } from '../../src/tracers/exit/tracer.js';
import { clockTime } from '../../src/tracers/types.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const ui: PaneUi = { prompt: () => {}, status: () => {}, reconfigure: () => {} };
const opens = (o: Partial<OpensEvent>): OpensEvent => ({ time: T0, pid: 4242, tid: 4242, uid: 0, comm: 'cat', fd: 3, err: 0, flags: 0, mode: 0, path: '/etc/hostname', pathTruncated: false, syscall: 'openat', ...o });

describe('pane models (no terminal)', () => {
  it('one pane per registry line, with its key, title and tracer', () => {
    const panes = createPanes(ui);
    expect(panes.map((p) => [p.key, p.title, p.tracer])).toEqual(REGISTRY.map((e) => [e.key, e.title, e.tracer.name]));
  });

  it('the opens stream: the header and one line per event in `ostop trace opens` columns, a failed open styled warn', () => {
    const pane = createPanes(ui).find((p) => p.tracer === 'opens')!;
    pane.add([opens({}), opens({ fd: -1, err: 2, path: '/nope' })] as never[]);
    const lines = pane.draw(80, 10);
    expect(lines.map(lineText)[0]).toMatch(/^TIME\s+PID COMM\s+FD ERR\s+PATH/);
    expect(lineText(lines[1])).toMatch(new RegExp(`^${clockTime(T0).replace(/\./g, '\\.')}\\s+4242 cat\\s+3 0\\s+/etc/hostname`));
    expect(lineText(lines[2])).toMatch(/-1 ENOENT\s+\/nope/);
    expect(lines.map((l) => l[0].style)).toEqual(['header', undefined, 'warn']);
    for (const l of lines) expect(lineText(l).length).toBeLessThanOrEqual(80);
  });

  it('control characters in a path never reach the lines', () => {
    const pane = createPanes(ui).find((p) => p.tracer === 'opens')!;
    pane.add([opens({ path: '/tmp/\x1b]0;pwned\x07x' })] as never[]);
    const text = pane.draw(100, 5).map(lineText).join('\n');
    expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(text).toMatch(/\/tmp\/\?\S*x/); // the sequence shown as ?
  });

  it('the exit pane counts per command through the exit aggregator (s), signal deaths styled error', () => {
    const pane = createPanes(ui).find((p) => p.tracer === 'exit')!;
    const ev = (o: Partial<Extract<ExitEvent, { kind: 'exit' }>>): ExitEvent => ({ kind: 'exit', time: T0, pid: 500, tid: 500, ppid: 1, uid: 0, comm: 'worker', ageMs: 12.5, rawStatus: 0, exitCode: 0, signal: 0, coreDumped: false, oomKilled: false, sender: null, ...o });
    pane.add([ev({}), ev({ signal: 11, coreDumped: true }), ev({ comm: 'other' })] as never[]);
    expect(pane.handleKey('s', 's', 's')).toBe(true);
    const lines = pane.draw(80, 6);
    expect(lineText(lines[0])).toMatch(/EXITS\s+SIGNALED\s+CORES\s+OOM\s+MAX AGE\s+COMM/);
    expect(lineText(lines[1])).toMatch(/^\s+2\s+1\s+1\s+0\s+\S+\s+worker/);
    expect(lines[1][0].style).toBe('error');
    expect(lineText(lines[2])).toMatch(/^\s+1\s+0\s+0\s+0\s+\S+\s+other/);
  });
});
