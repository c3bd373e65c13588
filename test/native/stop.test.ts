// Privileged: stop() takes the instance out of the ring loop at once and
// detaches it on a native thread (a classic tracepoint's detach waits for RCU
// grace periods, ~100 ms per link, which froze the UI when a pane closed);
// stop(id, true) detaches before returning. Either way nothing stays loaded.
import { describe, expect, it } from 'vitest';
import { loadNative } from '../../src/native.js';
import { liveTracerSkipReason } from '../helpers/native.js';
import { loadedOstopProgs, waitFor, waitUnloaded } from './bpf-helpers.js';

const skip = liveTracerSkipReason('exec');

describe.skipIf(skip !== null)('native stop (root)', () => {
  const addon = () => {
    const n = loadNative();
    if (!n.ok) throw n.error;
    return n.addon;
  };
  const progIds = (id: number) => addon().programs(id).map((p) => p.id!);

  it('stop() returns before the detach, which then completes on its own', async () => {
    const a = addon();
    // exec: classic tracepoints (sched_process_exec, sys_{enter,exit}_execve*), the slow kind to detach
    const { id } = a.start('exec', {});
    const ids = progIds(id);
    expect(ids.length).toBeGreaterThan(0);
    const live = new Set(loadedOstopProgs().map((p) => p.id));
    for (const p of ids) expect(live.has(p)).toBe(true);
    a.stop(id);
    expect(() => a.drops(id)).toThrow(/no running tracer/);
    await waitFor(() => a.stopping() === 0, 10_000);
    expect(await waitUnloaded(ids)).toEqual([]);
  });

  it('stop(id, true) has detached when it returns', async () => {
    const a = addon();
    const { id } = a.start('exec', {});
    const ids = progIds(id);
    a.stop(id, true);
    expect(a.stopping()).toBe(0);
    expect(await waitUnloaded(ids)).toEqual([]);
  });
});
