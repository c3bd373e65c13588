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
