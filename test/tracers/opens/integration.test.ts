// Privileged: the real opens tracer against a real workload, exact events.
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { TracerManager } from '../../../src/tracers/manager.js';
import { OpensAggregator, type OpensEvent } from '../../../src/tracers/opens/tracer.js';
import { loadedOstopProgs, waitFor, waitUnloaded } from '../../native/bpf-helpers.js';
import { rootSkipReason } from '../../helpers/native.js';

// Through the one gate: as root or in CI, not being root fails instead of skipping.
const notRoot = rootSkipReason('opens integration');
if (notRoot) it.skip(`opens integration: ${notRoot}`, () => {});

for (const variant of ['fast', 'portable'] as const) describe.skipIf(notRoot !== null)(`opens tracer, ${variant} variant (root)`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ostop-opens-'));
  const m = new TracerManager();
  afterEach(() => m.stopAll());
  afterAll(() => {
    m.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('streams a successful and a failed open with exact fields, then detaches', async () => {
    const events: OpensEvent[] = [];
    const off = m.onEvents<OpensEvent>('opens', (b) => events.push(...b));
    const info = m.start('opens', { pid: process.pid, flags: { variant } });
    expect(info.attached).toContain(variant === 'fast' ? 'ostop_opens_fast' : 'ostop_opens_openat');
    const ids = m.programs('opens').map((p) => p.id!);
    expect(ids.length).toBe(info.attached.length);
    const live = new Set(loadedOstopProgs().map((p) => p.id));
    expect(ids.every((id) => live.has(id))).toBe(true);

    const good = join(dir, `unique-${process.pid}-${Date.now()}`);
    writeFileSync(good, 'x');
    const fd = openSync(good, 'r');
    closeSync(fd);
    const bad = join(dir, 'does-not-exist', 'nope');
    expect(() => openSync(bad, 'r')).toThrow(/ENOENT/);

    await waitFor(() => events.some((e) => e.path === bad));
    const g = events.filter((e) => e.path === good && (e.flags & 3) === 0 /* O_RDONLY: not the write */);
    expect(g.length).toBe(1);
    expect(g[0]).toMatchObject({ pid: process.pid, fd, err: 0, syscall: 'openat', path: good, pathTruncated: false });
    expect(g[0].comm.length).toBeGreaterThan(0);
    expect(Math.abs(g[0].time - Date.now())).toBeLessThan(5000);
    const b = events.filter((e) => e.path === bad);
    expect(b).toEqual([expect.objectContaining({ pid: process.pid, fd: -1, err: 2 })]);
    // PID filter in the kernel: nothing from other processes.
    expect(events.every((e) => e.pid === process.pid)).toBe(true);
    expect(m.drops('opens')).toMatchObject({ ring: 0, map: 0 });

    m.stop('opens');
    off();
    expect(m.programs('opens')).toEqual([]);
    expect(await waitUnloaded(ids)).toEqual([]);
  });

  it('counts in the kernel in summary mode (no ring records), failed-only and per path', async () => {
    const events: OpensEvent[] = [];
    const off = m.onEvents<OpensEvent>('opens', (b) => events.push(...b));
    m.start('opens', { pid: process.pid, summary: true, flags: { variant } });
    const p = join(dir, 'counted');
    writeFileSync(p, 'x');
    for (let i = 0; i < 100; i++) closeSync(openSync(p, 'r'));
    for (let i = 0; i < 7; i++) expect(() => openSync(p + '-missing', 'r')).toThrow();
    m.poll();
    const agg = new OpensAggregator({ flags: { path: dir } });
    agg.collect(m.handle('opens'));
    const rows = agg.byPath();
    expect(rows.find((r) => r.path === p)).toEqual({ path: p, count: 101, errors: 0, processes: 1 }); // 100 reads + the write
    expect(rows.find((r) => r.path === p + '-missing')).toEqual({ path: p + '-missing', count: 7, errors: 7, processes: 1 });
    expect(agg.byProcess()[0]).toMatchObject({ pid: process.pid, count: 108, errors: 7, paths: 2 });
    expect(events).toEqual([]);
    m.stop('opens');

    m.start('opens', { pid: process.pid, summary: true, flags: { failed: true, variant } });
    for (let i = 0; i < 3; i++) closeSync(openSync(p, 'r'));
    expect(() => openSync(p + '-missing', 'r')).toThrow();
    const failed = new OpensAggregator({ flags: { path: dir } });
    failed.collect(m.handle('opens'));
    expect(failed.byPath()).toEqual([{ path: p + '-missing', count: 1, errors: 1, processes: 1 }]);
    m.stop('opens');
    off();
  });

  it('changes the PID filter at run time without reloading', async () => {
    const events: OpensEvent[] = [];
    const off = m.onEvents<OpensEvent>('opens', (b) => events.push(...b));
    m.start('opens', { pid: 1, flags: { variant } }); // init: not us
    const ids = m.programs('opens').map((x) => x.id);
    const p = join(dir, 'filter-check');
    writeFileSync(p, 'x');
    closeSync(openSync(p, 'r'));
    m.poll();
    expect(events.filter((e) => e.path === p)).toEqual([]);
    m.setPid('opens', process.pid);
    closeSync(openSync(p, 'r'));
    await waitFor(() => events.some((e) => e.path === p));
    expect(m.programs('opens').map((x) => x.id)).toEqual(ids);
    m.stop('opens');
    off();
  });
});
