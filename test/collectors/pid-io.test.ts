// /proc/PID/io reads that fail are counted by errno, and the note says the
// real reason: EACCES as root is not "needs root".
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ioUnreadableNote, readPidIoSample } from '../../src/collectors/pid-io.js';

const IO = 'rchar: 10\nwchar: 20\nsyscr: 1\nsyscw: 2\nread_bytes: 4096\nwrite_bytes: 0\ncancelled_write_bytes: 0\n';

describe('/proc/PID/io failures', () => {
  it('counts each failed read under its errno; a process gone from /proc is not a failure', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-pidio-'));
    try {
      fs.mkdirSync(path.join(root, '10'));
      fs.writeFileSync(path.join(root, '10', 'io'), IO);
      fs.writeFileSync(path.join(root, '10', 'comm'), 'ok\n');
      fs.mkdirSync(path.join(root, '11', 'io'), { recursive: true }); // read() fails: EISDIR
      fs.writeFileSync(path.join(root, '11', 'comm'), 'dir\n');
      fs.mkdirSync(path.join(root, '12')); // no io file: ENOENT, as for a process that exited
      const s = readPidIoSample(root);
      expect(s.procs.map((p) => p.pid)).toEqual([10]);
      expect(s.unreadable).toEqual({ EISDIR: 1 });
      expect(s.denied).toBe(0);
      expect(ioUnreadableNote(s.unreadable, true)).toBe('/proc/PID/io not readable for 1 process: 1 EISDIR (read failed)');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('says why by errno and by who is asking', () => {
    const asRoot = ioUnreadableNote({ EACCES: 2, ESRCH: 1 }, true)!;
    expect(asRoot).toMatch(/^\/proc\/PID\/io not readable for 3 processes: 2 EACCES \(refused even as root by the ptrace access check/);
    expect(asRoot).toContain('1 ESRCH (the process exited while it was read)');
    expect(asRoot).not.toMatch(/needs root/);
    const asUser = ioUnreadableNote({ EACCES: 5 }, false)!;
    expect(asUser).toMatch(/5 EACCES \(permission denied: another user's process/);
    expect(ioUnreadableNote({ EACCES: 1 }, true, true)).toBe('/proc/PID/io not readable for 1 process: 1 EACCES (refused even as root)');
    expect(ioUnreadableNote({ EACCES: 1 }, false, true)).toContain("another user's: needs root");
    expect(ioUnreadableNote({}, true)).toBeUndefined();
  });

  it.runIf(process.geteuid?.() === 0)('as root, the live note never blames a missing root', () => {
    const s = readPidIoSample();
    const note = ioUnreadableNote(s.unreadable);
    if (note) expect(note).not.toMatch(/needs root/);
    for (const code of Object.keys(s.unreadable)) expect(code).not.toBe('ENOENT');
  });
});
