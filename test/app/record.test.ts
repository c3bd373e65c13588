// `ostop record` end to end (root, as in CI): a controlled workload is
// recorded and read back through `ostop dump VIEW --from`: the values at
// given times, a process that lived 200 ms between two samples, a SIGSEGV
// death with its sender and core; a recorder killed with SIGKILL over and
// over leaves a store whose every complete sample reads back; a full disk
// (a small tmpfs) stops recording with one log line and recording resumes
// when space returns; bad flags and hostile directories are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO } from '../helpers/pty.js';
import { gate, liveTracerSkipReason, missingProgram } from '../helpers/native.js';
import { StoreReader } from '../../src/store/disk-store.js';
import type { RecordedEvents, RecordedTick } from '../../src/model/recorded.js';

const BIN = path.join(REPO, 'bin/ostop.js');
const isRoot = process.getuid?.() === 0;
const skip = gate('test/app/record', !isRoot ? 'needs root (CI runs as root)' : missingProgram('cc')) ?? liveTracerSkipReason('exit');

let tmp = '';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function ostop(args: string[], timeout = 60_000): { code: number | null; out: string; err: string } {
  // Every process of every tick in JSON can pass spawnSync's 1 MB default on a busy machine.
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 512 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function startRecorder(dir: string, extra: string[] = []): { child: ChildProcess; err: () => string } {
  const child = spawn(process.execPath, [BIN, 'record', '--dir', dir, '--interval', '1', ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => { err += String(d); });
  return { child, err: () => err };
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
  });
}

/** Size of a store's index files (grows by an entry per record). */
function indexBytes(dir: string): number {
  let n = 0;
  try { for (const f of fs.readdirSync(dir)) if (f.endsWith('.idx')) n += fs.statSync(path.join(dir, f)).size; } catch { /* none yet */ }
  return n;
}

async function until(what: string, cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

beforeAll(() => {
  if (skip) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-record-'));
  // allocates 64 MiB, writes 8 MiB to a file and fsyncs it, says "ready", then waits to be killed
  fs.writeFileSync(path.join(tmp, 'work.c'), `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
int main(void) {
  char *p = malloc(64 << 20); memset(p, 7, 64 << 20);
  char *b = malloc(8 << 20); memset(b, 9, 8 << 20);
  int fd = open("data.bin", O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0 || write(fd, b, 8 << 20) != 8 << 20) return 2;
  fsync(fd); close(fd);
  printf("ready\\n"); fflush(stdout);
  for (;;) pause();
}
`);
  execFileSync('cc', ['-O0', '-o', path.join(tmp, 'recworkload'), path.join(tmp, 'work.c')]);
});

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(skip !== null)('ostop record', () => {
  it('records a workload that dump --from reads back: values at given times, a 200 ms process, a SIGSEGV death with its sender and core', async () => {
    const store = path.join(tmp, 'store');
    const rec = startRecorder(store);
    try {
      await until('the recorder\'s first ticks', () => indexBytes(store) > 16 + 24 * 3);
      // The workload: allocates, writes, then is killed with SIGSEGV (core dumped: ulimit -c unlimited, core_pattern kept).
      const work = spawn('sh', ['-c', 'ulimit -c unlimited; exec ./recworkload'], { cwd: tmp, stdio: ['ignore', 'pipe', 'ignore'] });
      let ready = 0;
      work.stdout!.on('data', (d) => { if (String(d).includes('ready')) ready = Date.now(); });
      await until('the workload', () => ready > 0);
      const readyAt = ready;
      await sleep(2500);
      // A process that lives 200 ms between two samples: started right after a tick is written.
      const shortPids: number[] = [];
      for (let k = 0; k < 3; k++) {
        const before = indexBytes(store);
        await until('a tick', () => indexBytes(store) > before);
        const s = spawn('/bin/sleep', ['0.2'], { stdio: 'ignore' });
        shortPids.push(s.pid!);
        await exited(s);
        await sleep(300);
      }
      const killedAt = Date.now();
      process.kill(work.pid!, 'SIGSEGV');
      const code = await new Promise<NodeJS.Signals | null>((r) => work.once('exit', (_c, sig) => r(sig)));
      expect(code).toBe('SIGSEGV');
      // The death reaches the store with the next tick (a loaded machine can take a while to write the core).
      const deathRecorded = (): boolean => {
        const r = StoreReader.open<RecordedTick, RecordedEvents>(store);
        try {
          return [...r.events()].some((e) => e.events.failures.some((f) => f.pid === work.pid && f.feed === 'ebpf' && f.coreDumped === true));
        } finally {
          r.close();
        }
      };
      await until('the death in the store', deathRecorded, 30_000);
      // How it ended, for the replay drill-in: the workload lived through ticks, so its end is in `ended` (not in the short-lived exits).
      const ended = (): boolean => {
        const r = StoreReader.open<RecordedTick, RecordedEvents>(store);
        try {
          return [...r.events()].some((e) => e.events.ended?.some((x) => x.pid === work.pid && x.signal === 11 && x.coreDumped && x.exitCode === null && x.endMs >= killedAt - 1000));
        } finally {
          r.close();
        }
      };
      await until('the workload\'s end in the store', ended, 15_000);
      await sleep(1500);
      rec.child.kill('SIGTERM');
      expect(await exited(rec.child)).toBe(0);
      expect(rec.err()).toMatch(/ostop record: stopped/);

      // Values at a given time: RES and the written bytes of the workload, 1.5 s after it was ready.
      const at = new Date(readyAt + 1500).toISOString();
      const until2 = new Date(readyAt + 2400).toISOString();
      const p = ostop(['dump', 'processes', '--from', store, '--begin', at, '--end', until2, '--pid', String(work.pid), '--format', 'json']);
      expect(p.err).toBe('');
      expect(p.code).toBe(0);
      const samples = p.out.trim().split('\n').map((l) => JSON.parse(l));
      expect(samples.length).toBeGreaterThanOrEqual(1);
      for (const s of samples) {
        expect(Date.parse(s.time)).toBeGreaterThanOrEqual(readyAt + 1500 - 1);
        const row = s.processes.find((r: { pid: number }) => r.pid === work.pid);
        expect(row.comm).toBe('recworkload');
        expect(row.res).toBeGreaterThan(64 * 1024 * 1024);
      }
      const io = ostop(['dump', 'iostat', '--procs', '--from', store, '--begin', new Date(readyAt - 3000).toISOString(), '--end', until2, '--format', 'json']);
      expect(io.code).toBe(0);
      const written = io.out.trim().split('\n').flatMap((l) => JSON.parse(l)).filter((r: { pid: number }) => r.pid === work.pid);
      expect(Math.max(...written.map((r: { write_bytes: number }) => r.write_bytes))).toBeGreaterThanOrEqual(8 * 1024 * 1024);
      // After the kill it is gone from the samples.
      const after = ostop(['dump', 'processes', '--from', store, '--begin', new Date(killedAt + 1500).toISOString(), '--pid', String(work.pid), '--format', 'json']);
      for (const l of after.out.trim().split('\n').filter(Boolean)) expect(JSON.parse(l).processes).toEqual([]);

      // The short-lived processes: not in any sample, in the recorded exits with their command, parent and status.
      const ex = ostop(['dump', 'exits', '--from', store, '--format', 'json']);
      expect(ex.code).toBe(0);
      const exits = ex.out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
      // Started right after a tick, they end ~800 ms before the next: a loaded machine can delay one into a
      // tick, and then it is in that tick's process table instead. At least one must be between two ticks.
      const between = shortPids.filter((pid) => exits.some((x: { pid: number }) => x.pid === pid));
      expect(between.length, ex.out).toBeGreaterThan(0);
      for (const pid of shortPids.filter((p) => !between.includes(p))) {
        const seen = ostop(['dump', 'processes', '--from', store, '--pid', String(pid), '--format', 'json']);
        expect(seen.out.split('\n').filter(Boolean).some((l) => JSON.parse(l).processes.some((r: { pid: number }) => r.pid === pid)), `pid ${pid} neither between ticks nor in one`).toBe(true);
      }
      for (const pid of between) {
        const e = exits.find((x: { pid: number }) => x.pid === pid);
        expect(e.comm).toBe('sleep');
        expect(e.command).toBe('/bin/sleep 0.2');
        expect(e.ppid).toBe(process.pid);
        expect(e.exit_code).toBe(0);
        expect(e.age_ms).toBeGreaterThanOrEqual(150);
        expect(e.age_ms).toBeLessThan(1000);
        expect(typeof e.cpu_ms).toBe('number'); // the exit tracer's sum_exec_runtime: a sleep uses well under its age
        expect(e.cpu_ms).toBeGreaterThan(0);
        expect(e.cpu_ms).toBeLessThan(e.age_ms);
      }

      // The failure: SIGSEGV, sent by this process, core dumped.
      const f = ostop(['dump', 'failures', '--from', store, '--format', 'json']);
      expect(f.code).toBe(0);
      const entries = JSON.parse(f.out).entries;
      const e = entries.find((x: { pid: number }) => x.pid === work.pid);
      expect(e, f.out).toBeDefined();
      expect(e.signal_name).toBe('SIGSEGV');
      expect(e.core_dumped).toBe(true);
      expect(e.sender).toEqual({ type: 'process', pid: process.pid, comm: expect.any(String) });
      expect(e.cmdline).toBe('./recworkload');
      // And in text, as live dump prints it.
      const ft = ostop(['dump', 'failures', '--from', store]);
      expect(ft.out).toMatch(new RegExp(`\\b${work.pid}\\b.*recworkload.*SIGSEGV.*yes`));
      // The other views read the same store.
      for (const v of [['vmstat'], ['netstat'], ['iostat'], ['fs'], ['sockets', '--counts'], ['kmsg']]) {
        const r = ostop(['dump', ...v, '--from', store, '--format', 'csv']);
        expect(r.code, `${v.join(' ')}: ${r.err}`).toBe(0);
        if (v[0] !== 'kmsg') expect(r.out.split('\n').length, v.join(' ')).toBeGreaterThan(3);
      }
      // A snapshot of it opens as a store.
      const snap = path.join(tmp, 'snap.ostop');
      const s = ostop(['snapshot', '-o', snap, '--dir', store, '--last', '1h']);
      expect(s.code, s.err).toBe(0);
      expect((fs.statSync(snap).mode & 0o777).toString(8)).toBe('600');
      const again = ostop(['snapshot', '-o', snap, '--dir', store]);
      expect(again.code).toBe(1);
      expect(again.err).toMatch(/exists/);
      const fromSnap = ostop(['dump', 'failures', '--from', snap, '--format', 'json']);
      expect(JSON.parse(fromSnap.out).entries.some((x: { pid: number }) => x.pid === work.pid)).toBe(true);
    } finally {
      if (rec.child.exitCode === null) rec.child.kill('SIGKILL');
    }
  }, 120_000);

  it('SIGKILL mid-write, again and again: every complete sample reads back, the store keeps working', async () => {
    const store = path.join(tmp, 'torn');
    for (let k = 0; k < 8; k++) {
      const rec = startRecorder(store);
      const before = indexBytes(store);
      await until('a tick', () => indexBytes(store) > before + 24 * 2);
      await sleep(150 + ((k * 337) % 1200));
      rec.child.kill('SIGKILL');
      await exited(rec.child);
    }
    const r = StoreReader.open<RecordedTick, RecordedEvents>(store);
    expect(r.size).toBeGreaterThanOrEqual(8);
    expect(r.sessions.length).toBe(8);
    for (let i = 0; i < r.size; i++) {
      const t = r.tick(i);
      expect(t, `tick ${i}`).toBeDefined();
      expect(t!.time).toBe(r.timeAt(i));
      expect(Object.keys(t!.procs.tasks).length).toBeGreaterThan(10);
    }
    r.close();
    const v = ostop(['dump', 'vmstat', '--from', store, '--format', 'json']);
    expect(v.code).toBe(0);
    expect(v.out.trim().split('\n').length).toBeGreaterThanOrEqual(r.size - 8);
  }, 120_000);

  it('a full disk stops recording with one log line, no crash, and recording resumes when space returns', async () => {
    const mnt = path.join(tmp, 'small');
    fs.mkdirSync(mnt, { mode: 0o700 });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0700', 'tmpfs', mnt]);
    try {
      const store = path.join(mnt, 'store');
      const rec = startRecorder(store);
      try {
        await until('a tick', () => indexBytes(store) > 16 + 24 * 3);
        // Fill the rest of the filesystem.
        const filler = path.join(mnt, 'filler');
        const fd = fs.openSync(filler, 'w', 0o600);
        const chunk = Buffer.alloc(64 * 1024, 1);
        try { for (;;) fs.writeSync(fd, chunk); } catch (e) { expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC'); }
        try { for (;;) fs.writeSync(fd, chunk, 0, 512); } catch { /* the last bytes */ }
        fs.closeSync(fd);
        await until('the full-disk line', () => /no space left on the device \(ENOSPC\): recording stopped/.test(rec.err()), 15_000);
        await sleep(3000);
        expect(rec.child.exitCode).toBeNull();
        expect(rec.err().match(/ENOSPC/g)!.length).toBe(1);
        const dr = StoreReader.open<RecordedTick>(store);
        const during = dr.size;
        dr.close();
        fs.unlinkSync(filler);
        await until('recording resumed', () => /recording resumed/.test(rec.err()), 15_000);
        await sleep(2500);
        rec.child.kill('SIGTERM');
        expect(await exited(rec.child)).toBe(0);
        const r = StoreReader.open<RecordedTick>(store);
        try {
          expect(r.size).toBeGreaterThan(during);
          for (let i = 0; i < r.size; i++) expect(r.tick(i), `tick ${i}`).toBeDefined();
        } finally {
          r.close(); // its files are on the tmpfs unmounted below
        }
      } finally {
        if (rec.child.exitCode === null) rec.child.kill('SIGKILL');
        await exited(rec.child);
      }
    } finally {
      // Lazily if something still holds a file there: never leave the mount behind.
      try { execFileSync('umount', [mnt]); } catch { execFileSync('umount', ['-l', mnt]); }
    }
  }, 90_000);

  it('refuses bad flags, a planted symlink, another user\'s store, and dump --from a view that is not recorded', () => {
    expect(ostop(['record', '--interval', '0']).err).toMatch(/--interval: '0' is not an interval between 1 and 3600 seconds/);
    expect(ostop(['record', '--retain', 'soon']).err).toMatch(/--retain: 'soon' is not a duration/);
    expect(ostop(['record', '--max-size', '2X']).code).toBe(2);
    expect(ostop(['record', '--bogus']).err).toMatch(/unknown option '--bogus' for 'record'/);
    expect(ostop(['record', '--help']).out).toMatch(/Usage: ostop record/);
    const link = path.join(tmp, 'link');
    fs.mkdirSync(path.join(tmp, 'elsewhere'), { mode: 0o700 });
    fs.symlinkSync(path.join(tmp, 'elsewhere'), link);
    const r = ostop(['record', '--dir', link]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/refusing .*symlink/);
    const theirs = path.join(tmp, 'theirs');
    fs.mkdirSync(theirs, { mode: 0o700 });
    fs.chownSync(theirs, 4242, 4242);
    expect(ostop(['record', '--dir', theirs]).err).toMatch(/owned by uid 4242/);
    const d = ostop(['dump', 'vmstat', '--from', theirs]);
    expect(d.code).toBe(1);
    expect(d.err).toMatch(/owned by uid 4242/);
    expect(ostop(['dump', 'process', '--from', theirs, '-p', '1']).err).toMatch(/dump process cannot read a store/);
    expect(ostop(['dump', 'vmstat', '--begin', '-1h']).err).toMatch(/--begin and --end need --from/);
    expect(ostop(['dump', 'vmstat', '--from', theirs, '--begin', 'yesterday']).err).toMatch(/--begin: 'yesterday' is not a time/);
    expect(ostop(['snapshot']).err).toMatch(/snapshot needs -o FILE/);
    expect(ostop(['snapshot', '-o', path.join(tmp, 's2'), '--dir', path.join(tmp, 'none')]).err).toMatch(/no recorder's store/);
  });
});
