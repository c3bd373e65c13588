// Environment trust as root (docs/security.md): OSTOP_* variables that name
// code to load or a file to write are used only when root owns the file and
// nobody else can write it or its directory; files are never written through
// a planted link.
import { describe, expect, it, afterEach } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { envPath, untrustedFileReason, writeFileNoFollow } from '../../src/util/trust.js';
import { nativeAddonPath, packageRoot } from '../../src/native.js';
import { spawnOstop } from '../helpers/pty.js';
import { which, ROOT_PATH } from '../../src/actions/programs.js';

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tmp(mode = 0o755): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-trust-'));
  fs.chmodSync(d, mode);
  dirs.push(d);
  return d;
}

describe.runIf(isRoot)('as root', () => {
  it('OSTOP_NATIVE_PATH owned by another user is ignored with a reason; the build is loaded instead', () => {
    const d = tmp();
    const evil = path.join(d, 'evil.node');
    fs.writeFileSync(evil, 'not an addon');
    fs.chownSync(evil, NOBODY, NOBODY);
    const warnings: string[] = [];
    expect(envPath('OSTOP_NATIVE_PATH', { env: { OSTOP_NATIVE_PATH: evil }, warn: (m) => warnings.push(m) })).toBeUndefined();
    expect(warnings.join()).toMatch(/ignoring OSTOP_NATIVE_PATH as root: .*evil\.node is owned by uid 65534, not root/);
    const saved = process.env.OSTOP_NATIVE_PATH;
    const write = process.stderr.write;
    try {
      process.env.OSTOP_NATIVE_PATH = evil;
      process.stderr.write = (() => true) as typeof process.stderr.write;
      expect(nativeAddonPath()).toBe(path.join(packageRoot(), 'native', 'build', 'Release', 'ostop_native.node'));
    } finally {
      process.stderr.write = write;
      if (saved === undefined) delete process.env.OSTOP_NATIVE_PATH;
      else process.env.OSTOP_NATIVE_PATH = saved;
    }
  });

  it('a root file that others can write, or in a directory others can write, is not trusted', () => {
    const open = tmp(0o777);
    const f = path.join(open, 'x.node');
    fs.writeFileSync(f, '');
    expect(untrustedFileReason(f)).toMatch(/is writable by group or others/);
    const d = tmp();
    const g = path.join(d, 'y.node');
    fs.writeFileSync(g, '');
    fs.chmodSync(g, 0o666);
    expect(untrustedFileReason(g)).toMatch(/y\.node is writable by group or others/);
    fs.chmodSync(g, 0o644);
    expect(untrustedFileReason(g)).toBeNull();
    expect(envPath('OSTOP_NATIVE_PATH', { env: { OSTOP_NATIVE_PATH: g } })).toBe(g);
  });

  it('a link to a trusted file from a place another user controls is judged by its target, and the target by its directory', () => {
    const d = tmp();
    const real = path.join(d, 'real.node');
    fs.writeFileSync(real, '');
    const open = tmp(0o1777);
    const link = path.join(open, 'link.node');
    fs.symlinkSync(real, link);
    expect(untrustedFileReason(link)).toBeNull();
    fs.chmodSync(d, 0o777);
    expect(untrustedFileReason(link)).toMatch(/writable by group or others/);
  });

  it('programs (gdb) are looked up in root\'s own path, never in a PATH another user set (sudo -E)', () => {
    const d = tmp();
    const fake = path.join(d, 'gdb');
    fs.writeFileSync(fake, '#!/bin/sh\necho pwned\n', { mode: 0o755 });
    fs.chownSync(fake, NOBODY, NOBODY);
    const found = which('gdb', `${d}:/usr/bin`);
    expect(found).not.toBe(fake);
    expect(found === null || ROOT_PATH.split(':').includes(path.dirname(found))).toBe(true);
    const sh = which('sh', `relative:${d}`);
    expect(sh).not.toBeNull();
    expect(ROOT_PATH.split(':')).toContain(path.dirname(sh!));
  });

  it('OSTOP_TICK_STATS into a directory others can write (/tmp) is ignored; ostop writes nothing there', async () => {
    const open = tmp(0o1777);
    const stats = path.join(open, 'stats.txt');
    const victim = path.join(tmp(), 'victim');
    fs.writeFileSync(victim, 'keep\n');
    fs.symlinkSync(victim, stats);
    const app = spawnOstop(['-d', '0.2'], { env: { OSTOP_TICK_STATS: stats } });
    try {
      await app.waitForText(/PID\s+USER/, 15000);
      app.proc.write('q');
      await app.waitExit();
    } finally {
      await app.dispose();
    }
    expect(fs.readFileSync(victim, 'utf8')).toBe('keep\n');
  });
});

describe('writeFileNoFollow', () => {
  it('never writes through a symlink, creates 0600, truncates a regular file it finds', () => {
    const d = tmp();
    const victim = path.join(d, 'victim');
    fs.writeFileSync(victim, 'keep\n');
    const link = path.join(d, 'out');
    fs.symlinkSync(victim, link);
    expect(() => writeFileNoFollow(link, 'x')).toThrow(/ELOOP|symbolic/);
    expect(fs.readFileSync(victim, 'utf8')).toBe('keep\n');
    const fresh = path.join(d, 'fresh');
    const old = process.umask(0);
    try {
      writeFileNoFollow(fresh, 'long content\n');
    } finally {
      process.umask(old);
    }
    expect(fs.statSync(fresh).mode & 0o777).toBe(0o600);
    writeFileNoFollow(fresh, 'short\n');
    expect(fs.readFileSync(fresh, 'utf8')).toBe('short\n');
  });
});
