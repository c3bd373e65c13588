// The graphs are the same live and in replay: a vmstat screen drawn from the
// live Source reading a /proc tree the test writes, tick by tick, and the
// same screen drawn from the Source fed the store's ticks of those very
// samples (written with the store's writer, read back with its reader, as
// `ostop record` and `ostop replay` do) are the same cells, graphs,
// per-CPU graphs, PSI graphs, sparklines and table included.
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import blessed from 'blessed';
import { makeTheme } from '../../src/app/theme.js';
import { VmstatScreen } from '../../screens/vmstat-screen.js';
import { VmstatSource } from '../../src/views/vmstat.js';
import { MachineSampler } from '../../src/collectors/machine.js';
import { readPsiSample } from '../../src/collectors/psi.js';
import { StoreReader, StoreWriter } from '../../src/store/disk-store.js';
import { RecordedFeed } from '../../src/views/recorded-feed.js';
import type { RecordedEvents, RecordedTick } from '../../src/model/recorded.js';
import type { AppApi } from '../../src/app/view.js';
import { fakeScreen } from '../helpers/fake-screen.js';

let root = '';
afterEach(() => {
  vi.restoreAllMocks();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

/** Sample i of a 2-CPU machine whose load, memory, block I/O and pressure change every tick. */
function writeProc(dir: string, i: number): void {
  const busy0 = 30 * i + (i % 7) * 10, busy1 = 10 * i + (i % 3) * 20;
  const idle0 = 100 * i - busy0, idle1 = 100 * i - busy1;
  fs.writeFileSync(path.join(dir, 'stat'),
    `cpu  ${busy0 + busy1} 0 ${i} ${idle0 + idle1} ${i % 4} 0 0 0 0 0\ncpu0 ${busy0} 0 0 ${idle0} 0 0 0 0 0 0\ncpu1 ${busy1} 0 ${i} ${idle1} ${i % 4} 0 0 0 0 0\n` +
    `intr ${500 * i + i * i} 0\nctxt ${900 * i}\nbtime 1700000000\nprocesses ${3 * i}\nprocs_running ${1 + (i % 3)}\nprocs_blocked ${i % 2}\n`);
  fs.writeFileSync(path.join(dir, 'meminfo'), `MemTotal:  8000000 kB\nMemFree:  ${3000000 - 10000 * i} kB\nMemAvailable: ${5000000 - 20000 * i} kB\nBuffers:  100000 kB\nCached:  900000 kB\nSReclaimable: 50000 kB\nSwapTotal: 1000000 kB\nSwapFree: ${1000000 - 1000 * i} kB\n`);
  fs.writeFileSync(path.join(dir, 'vmstat'), `pgpgin ${100 * i * i}\npgpgout ${40 * i}\npswpin ${i}\npswpout ${2 * i}\npgfault ${1000 * i}\npgmajfault ${i}\n`);
  fs.mkdirSync(path.join(dir, 'pressure'), { recursive: true });
  for (const [r, k] of [['cpu', 1], ['memory', 2], ['io', 3]] as const) {
    const v = ((i * k) % 40) + 0.25;
    fs.writeFileSync(path.join(dir, 'pressure', r), `some avg10=${v.toFixed(2)} avg60=${(v / 2).toFixed(2)} avg300=1.00 total=${1000 * i}\nfull avg10=${(v / 4).toFixed(2)} avg60=0.00 avg300=0.00 total=${10 * i}\n`);
  }
}

function draw(src: VmstatSource): string[] {
  const screen = fakeScreen(160, 45);
  const body = blessed.box({ parent: screen, top: 0, left: 0, right: 0, bottom: 2 });
  const vs = new VmstatScreen({ screen, theme: makeTheme(false), app: {} as AppApi });
  vs.mount(body);
  vs.render(src.model());
  screen.render();
  const lines = (screen as unknown as { lines: Array<Array<[number, string]>> }).lines.map((l) => l.map((c) => `${c[0]}:${c[1]}`).join('|'));
  screen.destroy();
  return lines;
}

describe('graphs live and in replay', () => {
  it('the vmstat screen of a replayed recording is the live one, cell for cell (attributes too)', () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-graphs-replay-'));
    const proc = path.join(root, 'proc');
    fs.mkdirSync(proc);
    let mono = 0;
    vi.spyOn(process.hrtime, 'bigint').mockImplementation(() => BigInt(Math.round(mono * 1e9)));
    const machine = new MachineSampler({ procRoot: proc, isPartition: () => false });
    const live = new VmstatSource(proc, machine);
    const writer = new StoreWriter<RecordedTick, RecordedEvents>({ dir: path.join(root, 'store'), sync: false, log: () => {}, keyEvery: 20, meta: { host: 't', intervalMs: 1000 } });
    const N = 130;
    try {
      for (let i = 1; i <= N; i++) {
        mono = i;
        writeProc(proc, i);
        live.collect(i);
        // What ostop record keeps of this very tick: the machine sample the live Source read, and the pressure files.
        const m = machine.sample(i);
        writer.append({
          time: m.time, mono: m.mono, machine: structuredClone(m), psi: readPsiSample(proc), snmp: { mono: m.mono, counters: {} }, fs: null, inventory: [],
          procs: { counts: { processes: 0, userThreads: 0, kernelThreads: 0, running: 0, sleeping: 0, stopped: 0, zombie: 0, malformed: 0 }, tasks: {}, ioUnreadable: {} },
          sockets: { counts: [], countsByProto: {}, total: 0 },
        });
      }
    } finally {
      writer.close();
    }
    const liveCells = draw(live);
    const reader = StoreReader.open<RecordedTick, RecordedEvents>(path.join(root, 'store'));
    expect(reader.size).toBe(N);
    const feed = new RecordedFeed();
    const replay = new VmstatSource(undefined, feed.machine, feed);
    for (let i = 0; i < N; i++) {
      feed.set(reader.tickShared(i)!);
      replay.collect(1000 + i);
    }
    const replayCells = draw(replay);
    const text = liveCells.map((l) => l.split('|').map((c) => c.slice(c.indexOf(':') + 1)).join('')).join('\n');
    expect(text).toMatch(/cpu busy/);
    expect(text).toMatch(/cpu1 /);
    expect(text).toMatch(/psi cpu/);
    expect(text).toMatch(/[\u2801-\u28ff]/);
    expect(replayCells).toEqual(liveCells);
  });
});
