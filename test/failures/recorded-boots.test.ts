// A store that spans a reboot: failure times are CLOCK_MONOTONIC µs of the
// boot they happened in (the clock starts again at each boot), so each
// recorded events record is converted with the clocks of its own tick
// (RecordedEvents.clock; in a store written before it was recorded, read
// from the tick), in `dump failures --from` and in replay's failures view.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StoreReader, StoreWriter } from '../../src/store/disk-store.js';
import { RecordedDump, RecordedFeed, recordedEvents } from '../../src/views/recorded-feed.js';
import { RecordedFailuresSource } from '../../src/failures/recorded-source.js';
import { failuresDump } from '../../src/failures/dump.js';
import type { RecordedEvents, RecordedTick } from '../../src/model/recorded.js';
import type { FailureEvent } from '../../src/model/failures.js';
import { TickTaker } from '../../src/app/recorder.js';

let root: string;
beforeEach(() => {
  fs.mkdirSync('/var/tmp/rec13b-tests', { recursive: true, mode: 0o700 });
  root = fs.mkdtempSync('/var/tmp/rec13b-tests/boots-');
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

// Boot A: ticks from 10:00:00 with CLOCK_MONOTONIC at 50,000 s; the machine reboots; boot B: ticks from 10:10:00, monotonic 30 s.
const WA = Date.UTC(2026, 0, 5, 10, 0, 0);
const WB = WA + 600_000;
const BOOTS = [{ wall: WA, mono: 50_000, id: '11111111-1111-1111-1111-111111111111' }, { wall: WB, mono: 30, id: '22222222-2222-2222-2222-222222222222' }];

function death(pid: number, monoSec: number): FailureEvent {
  return { kind: 'signal', feed: 'ebpf', tsUsec: monoSec * 1e6, pid, ppid: 1, comm: `crasher${pid}`, cmdline: null, ageMs: 100, exitCode: null, signal: 11, coreDumped: false, sender: 'kernel' };
}

/** Four ticks a boot, 5 s apart; boot A's pid 101 dies 1 s before its tick 2, boot B's pid 202 2 s before its tick 1. `clock`: the events carry their tick's clocks (stores from now on) or not (older stores). */
function writeStore(dir: string, clock: boolean): void {
  for (const [b, boot] of BOOTS.entries()) {
    // A writer per boot: the recorder after a reboot is a new session.
    const w = new StoreWriter<RecordedTick, RecordedEvents>({ dir, sync: false, log: () => {}, meta: { host: 'h', intervalMs: 5000, tick: 'ostop-tick/1' } });
    for (let i = 0; i < 4; i++) {
      const time = boot.wall + i * 5000;
      const mono = boot.mono + i * 5;
      const tick = { time, mono, machine: { time, mono } } as unknown as RecordedTick;
      const dies = b === 0 ? (i === 2 ? death(101, mono - 1) : null) : i === 1 ? death(202, mono - 2) : null;
      const events: RecordedEvents | undefined = dies ? { failures: [dies], kmsg: [], exits: [], ...(clock ? { clock: { wallMs: time, mono, boot: boot.id } } : {}) } : undefined;
      expect(w.append(tick, events)).toBe('ok');
    }
    w.close();
  }
}

const expected = [
  { pid: 101, wall: WA + 2 * 5000 - 1000, bootSec: 50_000 + 10 - 1 },
  { pid: 202, wall: WB + 5000 - 2000, bootSec: 30 + 5 - 2 },
];

describe('failures of a store that spans a reboot', () => {
  for (const clock of [true, false]) {
    it(`dump failures --from: each death at its wall time, with its boot's seconds (${clock ? 'clocks recorded with the events' : 'an older store: clocks from the ticks'})`, async () => {
      const dir = path.join(root, 's');
      writeStore(dir, clock);
      const reader = StoreReader.open<RecordedTick, RecordedEvents>(dir);
      try {
        expect(reader.sessions.length).toBe(2);
        let out = '';
        const code = await failuresDump.run({
          n: 1, delaySec: 1, format: 'json', flags: {}, out: (s) => { out += s; }, err: () => {}, signal: new AbortController().signal,
          replay: new RecordedDump(reader, dir, reader.firstTime()!, reader.lastTime()!),
        });
        expect(code).toBe(0);
        const doc = JSON.parse(out.trim()) as { entries: Array<{ pid: number; time: string; boot_sec: number }> };
        expect(doc.entries.map((e) => ({ pid: e.pid, wall: Date.parse(e.time), bootSec: e.boot_sec }))).toEqual(expected);
      } finally {
        reader.close();
      }
    });

    it(`replay's failures view: the same wall times at the end of the recording and in boot A (${clock ? 'recorded clocks' : 'older store'})`, () => {
      const dir = path.join(root, 's');
      writeStore(dir, clock);
      const reader = StoreReader.open<RecordedTick, RecordedEvents>(dir);
      try {
        const feed = new RecordedFeed();
        const src = new RecordedFailuresSource({ events: (t0, t1) => [...recordedEvents(reader, t0, t1)], current: () => feed.current() });
        feed.set(reader.tick(3)!); // boot A's last tick
        src.collect(3);
        expect(src.model()!.entries.map((e) => ({ pid: e.pid, wall: e.wallMs }))).toEqual([{ pid: 101, wall: expected[0].wall }]);
        feed.set(reader.tick(reader.size - 1)!);
        src.collect(reader.size - 1);
        expect(src.model()!.entries.map((e) => ({ pid: e.pid, wall: e.wallMs }))).toEqual(expected.map(({ pid, wall }) => ({ pid, wall })));
        src.dispose();
      } finally {
        reader.close();
      }
    });
  }

  it('the recorder writes each tick\'s clocks and this boot\'s id with its events', async () => {
    const taker = new TickTaker(() => {});
    try {
      const { tick, events } = await taker.take();
      expect(events.clock).toEqual({ wallMs: tick.time, mono: tick.mono, boot: fs.readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim() });
    } finally {
      taker.close();
    }
  });
});
