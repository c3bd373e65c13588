// Per-PID rates of the eBPF-fed process columns (src/tracers/rates.ts), with
// a fake tracer manager: windows turned into rates, kernel counts into
// deltas, and a tracer that cannot start named in start()'s errors.
import { describe, expect, it } from 'vitest';
import { CountDeltas, PidWindow, TracerRateFeed, addWindowRates, type RateFeedTracers } from '../../src/tracers/rates.js';
import type { PerPidRates } from '../../src/model/process-model.js';

function fakeTracers(failing: Set<string> = new Set()) {
  const listeners = new Map<string, (e: unknown[]) => void>();
  const started: string[] = [];
  const stopped: string[] = [];
  const t: RateFeedTracers = {
    start(name) {
      if (failing.has(name)) throw new Error(`${name}: needs root`);
      started.push(name);
      return {};
    },
    stop(name) { stopped.push(name); },
    onEvents(name, cb) { listeners.set(name, cb); return () => listeners.delete(name); },
    handle() { throw new Error('no kernel maps here'); },
    poll() {},
  };
  return { t, started, stopped, emit: (name: string, e: unknown[]) => listeners.get(name)?.(e), listeners };
}

describe('per-PID rates', () => {
  it('a window becomes counts per second, or the mean of the values for disk latency', () => {
    const w = new PidWindow();
    w.add(10, 30);
    w.add(11);
    w.add(10, 10);
    const rates = new Map<number, PerPidRates>();
    addWindowRates(rates, 'opensPerSec', w.take(), 2);
    expect(rates.get(10)).toEqual({ opensPerSec: 20 });
    expect(rates.get(11)).toEqual({ opensPerSec: 0.5 });
    const d = new PidWindow();
    d.add(10, 1, 2);
    d.add(10, 1, 4);
    addWindowRates(rates, 'diskLatMs', d.take(), 2);
    expect(rates.get(10)).toEqual({ opensPerSec: 20, diskLatMs: 3 });
    expect(w.take().size).toBe(0); // take() empties the window
  });

  it('cumulative kernel counts become the increase since the last read, without the skipped PID', () => {
    const c = new CountDeltas();
    const w = new PidWindow();
    c.feed(new Map([[1, 100], [2, 5], [3, 7]]), w, 3);
    expect([...w.take()]).toEqual([[1, { n: 100, sum: 0 }], [2, { n: 5, sum: 0 }]]);
    c.feed(new Map([[1, 150], [2, 5]]), w);
    expect([...w.take()]).toEqual([[1, { n: 50, sum: 0 }]]);
  });

  it('TracerRateFeed: disk latency per process from streamed events; a tracer that cannot start is named, the others run; stop() detaches', () => {
    let now = 1000;
    const f = fakeTracers(new Set(['opens']));
    const feed = new TracerRateFeed(f.t, () => now);
    const errors = feed.start(['disk', 'opens', 'disk', 'exec']);
    expect(errors).toEqual(['opens: needs root', 'exec: no per-process rate for this tracer']);
    expect(f.started).toEqual(['disk']);
    f.emit('disk', [{ pid: 7, latNs: 2e6 }, { pid: 7, latNs: 6e6 }, { pid: 0, latNs: 1e6 }]);
    now += 1000;
    const r = feed.take();
    expect([...r]).toEqual([[7, { diskLatMs: 4 }]]);
    now += 1000;
    expect(feed.take().size).toBe(0); // nothing completed in this window
    feed.stop();
    expect(f.stopped).toEqual(['disk']);
    expect(f.listeners.size).toBe(0);
  });
});
