// The live UI's preload (src/app/preload.ts): a recent store fills the
// graphs' histories and the failures timeline; then the Source goes on live.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { storeHistory } from '../../src/app/preload.js';
import { TickTaker } from '../../src/app/recorder.js';
import { FailuresHub } from '../../src/failures/hub.js';
import { StoreWriter } from '../../src/store/disk-store.js';
import { VmstatSource } from '../../src/views/vmstat.js';
import { IostatSource } from '../../src/views/iostat.js';
import { monotonicUsec } from '../../src/collectors/kmsg.js';
import type { RecordedEvents, RecordedTick } from '../../src/model/recorded.js';
import type { FailureEvent } from '../../src/model/failures.js';
import type { Source } from '../../src/model/view-contract.js';
import type { VmstatViewModel } from '../../src/views/vmstat.js';
import { tuiViews } from '../../src/tui.js';
import { UserNames } from '../../src/collectors/users.js';

let root: string;
beforeEach(() => {
  fs.mkdirSync('/var/tmp/store13-tests', { recursive: true, mode: 0o700 });
  root = fs.mkdtempSync('/var/tmp/store13-tests/pre-');
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

async function record(dir: string, n: number, failure?: FailureEvent): Promise<RecordedTick[]> {
  const taker = new TickTaker(() => {}, new FailuresHub({ ebpfFeed: null }));
  const w = new StoreWriter<RecordedTick, RecordedEvents>({ dir, meta: {}, sync: false, log: () => {} });
  const ticks: RecordedTick[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const { tick } = await taker.take();
      w.append(tick, i === 1 && failure ? { failures: [failure], kmsg: [], exits: [] } : undefined);
      ticks.push(tick);
      await new Promise((r) => setTimeout(r, 30));
    }
  } finally {
    taker.close();
    w.close();
  }
  return ticks;
}

describe('preload from the recorder\'s store', () => {
  it('fills the vmstat and iostat histories with the recorded ticks, then goes on live', async () => {
    const dir = path.join(root, 's');
    const ticks = await record(dir, 4);
    const h = await storeHistory(dir, Date.now());
    expect(h).toBeDefined();
    const vm = new VmstatSource();
    await h!.into(vm, undefined);
    expect(vm.model()!.samples.map((s) => s.time)).toEqual(ticks.slice(1).map((t) => t.time));
    expect(vm.model()!.hist.us.values().length).toBe(3);
    vm.collect(performance.now());
    const m = vm.model()!;
    expect(m.samples.length).toBe(4);
    expect(m.samples[3].time).toBeGreaterThan(ticks[3].time);
    // The live sample's rates are against the last recorded one (one CLOCK_MONOTONIC).
    expect(m.cur.us + m.cur.sy + m.cur.id + m.cur.wa + m.cur.st).toBeGreaterThan(95);
    const io = new IostatSource();
    await h!.into(io, { pane: 'devices', procSort: 'total' });
    const dev = io.model()!.io.devices[0];
    expect(io.model()!.hist.get(dev.name)!.util.values().length).toBe(3);
  });

  it('a graph view opened again (a new Source) starts with the history too, up to its own opening, the store read again only then', async () => {
    const dir = path.join(root, 's');
    const before = await record(dir, 3);
    let asked = 0;
    const h = storeHistory(dir, Date.now());
    const views = tuiViews({ users: new UserNames(), topInputs: () => ({}), history: () => { asked++; return h; } });
    const vmstat = await views.find((v) => v.id === 'vmstat')!.load();
    expect(asked).toBe(0); // nothing read before a Source collects
    const first = vmstat.createSource({}) as Source<VmstatViewModel, undefined>;
    await first.collect(performance.now(), undefined);
    // Two rates between the three recorded ticks, then the live one against the last recorded.
    expect(first.model()!.samples.map((s) => s.time).slice(0, 2)).toEqual(before.slice(1).map((t) => t.time));
    expect(first.model()!.samples.length).toBe(3);
    await first.collect(performance.now() + 1000, undefined);
    first.dispose?.();
    // The recorder goes on while the view is closed; the view opened again gets the ticks recorded since too.
    await new Promise((r) => setTimeout(r, 1100));
    const after = await record(dir, 2);
    const again = vmstat.createSource({}) as Source<VmstatViewModel, undefined>;
    expect(again.model()).toBeUndefined();
    await again.collect(performance.now(), undefined);
    const times = again.model()!.samples.map((s) => s.time);
    // 3 + 2 recorded ticks (two recorder sessions, contiguous): 4 rates, then the live sample.
    expect(times.slice(0, 4)).toEqual([...before.slice(1), ...after].map((t) => t.time));
    expect(times.length).toBe(5);
    expect(times[4]).toBeGreaterThan(after[1].time);
    expect(asked).toBe(2); // once per opening
    again.dispose?.();
  });

  it('adds the recorded failures of this boot to the hub and moves "since ostop started" back to them', async () => {
    const dir = path.join(root, 's');
    const ts = monotonicUsec() - 2_000_000;
    const failure: FailureEvent = { kind: 'signal', feed: 'ebpf', tsUsec: ts, pid: 4242, ppid: 1, comm: 'crashy', cmdline: './crashy', ageMs: 10, exitCode: null, signal: 11, coreDumped: true, sender: 'kernel' };
    await record(dir, 3, failure);
    const h = await storeHistory(dir, Date.now());
    const hub = new FailuresHub({ ebpfFeed: null });
    h!.failuresInto(hub);
    h!.failuresInto(hub); // once per hub
    const e = hub.timeline.entries().filter((x) => x.pid === 4242);
    expect(e.length).toBe(1);
    expect(e[0].signal).toBe(11);
    expect(hub.startedUsec).toBeLessThanOrEqual(ts);
    hub.close();
  });

  it('no store, an old store, another user\'s store: nothing preloaded', async () => {
    expect(await storeHistory(path.join(root, 'none'))).toBeUndefined();
    const dir = path.join(root, 's');
    await record(dir, 2);
    expect(await storeHistory(dir, Date.now() + 3_600_000)).toBeUndefined();
    fs.chownSync(dir, 4242, 4242);
    expect(await storeHistory(dir, Date.now())).toBeUndefined();
  });
});
