// Replay's drill-in on a process that ended: how it ended comes from the
// store's records of its death (a failure with its sender, or the exit
// record of a process born and dead between two ticks), converted with the
// clock of their tick, up to the cursor.
import { describe, expect, it } from 'vitest';
import { templateTick } from '../helpers/synth-store.js';
import { tuiViews } from '../../src/tui.js';
import { UserNames } from '../../src/collectors/users.js';
import { RecordedFeed } from '../../src/views/recorded-feed.js';
import { recordedExitsOf } from '../../src/views/recorded-process.js';
import type { RecordedEvents, RecordedTick } from '../../src/model/recorded.js';
import type { ProcessDetailModel } from '../../src/model/process-detail.js';
import type { ProcessRequest, Source } from '../../src/model/view-contract.js';

const T0 = Date.UTC(2026, 2, 4, 3, 0, 0);

describe('replay drill-in: how a process ended', () => {
  it('shows the recorded death at the cursor: signal and sender; before it, nothing is said yet', async () => {
    const base = await templateTick();
    const task = Object.values(base.procs.tasks).find((t) => t.pid > 1)!;
    const pid = 31337;
    // Tick 0 and 1 have the process (it started 60 s before tick 0); tick 2 does not: SIGTERM from pid 77 (killer) 2 s before tick 2.
    const ticks: RecordedTick[] = [0, 1, 2].map((i) => {
      const t = structuredClone(base);
      t.time = T0 + i * 5000;
      t.mono = 1000 + i * 5;
      t.machine.stat!.btime = Math.floor((T0 - 1000 * 1000) / 1000);
      t.procs.tasks = i < 2 ? { [pid]: { ...task, pid, comm: 'victim', starttime: (1000 - 60) * 100 } } : {};
      return t;
    });
    const events = new Map<number, RecordedEvents>([[2, {
      failures: [{ kind: 'signal', feed: 'ebpf', tsUsec: (ticks[2].mono - 2) * 1e6, pid, ppid: 1, comm: 'victim', cmdline: null, ageMs: 68_000, exitCode: null, signal: 15, coreDumped: false, sender: { pid: 77, comm: 'killer' } }],
      kmsg: [], exits: [], clock: { wallMs: ticks[2].time, mono: ticks[2].mono, boot: null },
    }]]);
    const feed = new RecordedFeed();
    const views = tuiViews({
      users: new UserNames(), topInputs: () => ({}),
      recorded: { feed, events: (t0, t1) => [...events].filter(([i]) => ticks[i].time >= t0 && ticks[i].time <= t1).map(([i, e]) => ({ time: ticks[i].time, events: e })) },
    });
    const view = await views.find((v) => v.id === 'process')!.load();
    const src = view.createSource({ pid }) as Source<ProcessDetailModel, ProcessRequest>;
    for (let i = 0; i < 2; i++) {
      feed.set(ticks[i]);
      await src.collect(i, { pid });
    }
    expect(src.model()!.status).not.toBe('exited');
    expect(src.model()!.end).toBeNull();
    feed.set(ticks[2]);
    await src.collect(2, { pid });
    const m = src.model()!;
    expect(m.status).toBe('exited');
    expect(m.end).toMatchObject({ signal: 15, signalName: 'SIGTERM', sender: { pid: 77, comm: 'killer' }, exitCode: null, oomKilled: false });
    expect(m.end!.summary).toMatch(/SIGTERM.*77.*killer/);
  });

  it('the exit records: a failure at its own boot\'s wall time, a short-lived process\'s exit code, a clean end of a process a tick saw; other pids ignored', () => {
    const clock = { wallMs: T0, mono: 50, boot: null };
    const exits = recordedExitsOf(9, [
      { time: T0, events: { clock, kmsg: [], failures: [{ kind: 'oom', feed: 'kmsg', tsUsec: 47e6, pid: 9, ppid: null, comm: 'big', cmdline: null, ageMs: null, exitCode: null, signal: null, coreDumped: null, sender: 'kernel' }], exits: [] } },
      { time: T0 + 5000, events: { kmsg: [], failures: [], exits: [
        { pid: 9, ppid: 1, uid: 0, comm: 'short', cmdline: null, startMs: T0 + 1000, endMs: T0 + 1200, ageMs: 200, cpuMs: 1, exitCode: 3, signal: null, coreDumped: false },
        { pid: 10, ppid: 1, uid: 0, comm: 'other', cmdline: null, startMs: T0 + 1000, endMs: T0 + 1200, ageMs: 200, cpuMs: 1, exitCode: 0, signal: null, coreDumped: false },
      ] } },
      // A process a tick saw, ended cleanly (the recorder's `ended`).
      { time: T0 + 10_000, events: { kmsg: [], failures: [], exits: [], ended: [{ pid: 9, comm: 'again', endMs: T0 + 8000, ageMs: 4000, exitCode: 0, signal: null, coreDumped: false }] } },
    ]);
    expect(exits.map((e) => ({ wallMs: e.wallMs, oom: e.oomKilled, signal: e.signal, code: e.exitCode }))).toEqual([
      { wallMs: T0 - 3000, oom: true, signal: 9, code: null },
      { wallMs: T0 + 1200, oom: false, signal: null, code: 3 },
      { wallMs: T0 + 8000, oom: false, signal: null, code: 0 },
    ]);
  });
});
