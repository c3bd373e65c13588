// The JIT perf map is read from a shared, hostile /tmp: a planted symlink,
// a file of another user, a FIFO or a directory is refused; the process's
// own file (or root's) is read, capped in size. As root the ownership cases
// use chown; without root they are skipped through the gate.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPerfMap, readPerfMapAsync } from '../../src/collectors/perf-map-file.js';
import { rootSkipReason } from '../helpers/native.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-perfmap-'));
const me = process.pid;
const file = (pid: number) => path.join(dir, `perf-${pid}.map`);
const clean = (pid: number) => fs.rmSync(file(pid), { force: true });

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('readPerfMap (any user)', () => {
  it('reads the process\'s own file', () => {
    clean(me);
    fs.writeFileSync(file(me), '1000 10 hot\n2000 20 cold\n');
    const r = readPerfMap(me, { tmpDir: dir });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.map.names).toEqual(['hot', 'cold']);
  });

  it('says none when there is no file', () => {
    clean(me);
    expect(readPerfMap(me, { tmpDir: dir })).toMatchObject({ ok: false, reason: 'none' });
  });

  it('refuses a planted symlink, even to a readable file', () => {
    clean(me);
    const target = path.join(dir, 'target');
    fs.writeFileSync(target, '1000 10 secret\n');
    fs.symlinkSync(target, file(me));
    const r = readPerfMap(me, { tmpDir: dir });
    expect(r).toMatchObject({ ok: false });
    if (!r.ok) expect(r.reason).toMatch(/symbolic link/);
  });

  it('refuses a FIFO without blocking, and a directory', () => {
    clean(me);
    execFileSync('mkfifo', [file(me)]);
    const t0 = Date.now();
    const r = readPerfMap(me, { tmpDir: dir });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/not a regular file/);
    clean(me);
    fs.mkdirSync(file(me));
    const d = readPerfMap(me, { tmpDir: dir });
    expect(d.ok).toBe(false);
    fs.rmdirSync(file(me));
  });

  it('reads at most the cap, without a cut last line', () => {
    clean(me);
    fs.writeFileSync(file(me), Array.from({ length: 1000 }, (_, i) => `${(0x1000 + i * 16).toString(16)} 10 f${i}`).join('\n') + '\n');
    const r = readPerfMap(me, { tmpDir: dir, maxBytes: 1000 });
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.truncated).toBe(true);
      expect(r.map.names.length).toBeGreaterThan(10);
      expect(r.map.names.length).toBeLessThan(1000);
      expect(r.map.names.every((n) => /^f\d+$/.test(n))).toBe(true);
    }
  });

  it('reads and refuses the same way off the event loop (the symboliser\'s path)', async () => {
    clean(me);
    fs.writeFileSync(file(me), Array.from({ length: 20000 }, (_, i) => `${(0x100000 + i * 16).toString(16)} 10 fn${i}`).join('\n') + '\n');
    let pauses = 0;
    const r = await readPerfMapAsync(me, { tmpDir: dir, pause: async () => { pauses++; } });
    expect(r.ok && r.map.names.length).toBe(20000);
    expect(pauses).toBeGreaterThanOrEqual(2);
    clean(me);
    fs.symlinkSync(path.join(dir, 'target'), file(me));
    const l = await readPerfMapAsync(me, { tmpDir: dir });
    expect(l.ok).toBe(false);
    if (!l.ok) expect(l.reason).toMatch(/symbolic link/);
    clean(me);
    execFileSync('mkfifo', [file(me)]);
    expect((await readPerfMapAsync(me, { tmpDir: dir })).ok).toBe(false);
    clean(me);
  });

  it('says so for a process that is gone', () => {
    expect(readPerfMap(0x3ffffff0, { tmpDir: dir })).toMatchObject({ ok: false });
  });
});

const rootWhy = rootSkipReason('perf map ownership');
describe.skipIf(rootWhy !== null)('readPerfMap ownership (root)', () => {
  let child: ChildProcess;
  const UID = 4242;
  beforeAll(async () => {
    child = spawn('sleep', ['60'], { uid: UID, gid: UID, stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 100));
  });
  afterAll(() => child?.kill('SIGKILL'));

  it('accepts the file of the process\'s own user, and root\'s', () => {
    const pid = child.pid!;
    clean(pid);
    fs.writeFileSync(file(pid), '1000 10 jitted\n');
    fs.chownSync(file(pid), UID, UID);
    expect(readPerfMap(pid, { tmpDir: dir }).ok).toBe(true);
    fs.chownSync(file(pid), 0, 0);
    expect(readPerfMap(pid, { tmpDir: dir }).ok).toBe(true);
  });

  it('refuses a file another user planted under the process\'s name', () => {
    const pid = child.pid!;
    clean(pid);
    fs.writeFileSync(file(pid), '1000 10 planted\n');
    fs.chownSync(file(pid), 4343, 4343);
    const r = readPerfMap(pid, { tmpDir: dir });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/owned by uid 4343.*refused/);
    // And a root process's map planted by a user is refused the same way.
    clean(me);
    fs.writeFileSync(file(me), '1000 10 planted\n');
    fs.chownSync(file(me), UID, UID);
    expect(readPerfMap(me, { tmpDir: dir }).ok).toBe(false);
  });
});
