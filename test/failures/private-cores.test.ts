// Cores written from the failures view (g: gcore) are private: they go into
// a directory only the invoking user can read (checked: symlink, owner,
// group/other write), into a file ostop created exclusively with mode 0600,
// and a file or symlink planted at a predictable name is never written to.
// The directory checks use `nobody` through chown (root only); the
// integration test attaches gdb to a sleeping child (gdb from
// scripts/setup.sh --test) and never touches the real /var/lib/ostop.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ostopCoreDir } from '../../src/util/private-dir.js';
import { runGcore } from '../../src/actions/gcore.js';
import { which } from '../../src/actions/programs.js';
import { createPrivateFile, ensurePrivateDir, ostopCoreName, OSTOP_CORE_NAME } from '../../src/util/private-dir.js';
import { readCoreFileInfo } from '../../src/collectors/coredump.js';
import { gate, missingProgram } from '../helpers/native.js';

const isRoot = process.getuid?.() === 0;
const uid = process.geteuid!();
const NOBODY = (() => { try { return Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim()); } catch { return null; } })();
const haveGdb = gate('test/failures/private-cores gcore', which('gdb') !== null ? null : missingProgram('gdb') ?? 'gdb not found in root\'s path') === null;

let tmp = '';
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-cores-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

const mode = (p: string) => fs.lstatSync(p).mode & 0o7777;

describe('ostopCoreDir', () => {
  it('root: /var/lib/ostop/cores; others: $XDG_STATE_HOME/ostop/cores, default ~/.local/state/ostop/cores', () => {
    expect(ostopCoreDir({ uid: 0, env: { XDG_STATE_HOME: '/x' }, home: '/root' })).toBe('/var/lib/ostop/cores');
    expect(ostopCoreDir({ uid: 1000, env: { XDG_STATE_HOME: '/srv/state' }, home: '/home/u' })).toBe('/srv/state/ostop/cores');
    expect(ostopCoreDir({ uid: 1000, env: {}, home: '/home/u' })).toBe('/home/u/.local/state/ostop/cores');
    // The XDG spec: a relative XDG_STATE_HOME is invalid and ignored.
    expect(ostopCoreDir({ uid: 1000, env: { XDG_STATE_HOME: 'rel/state' }, home: '/home/u' })).toBe('/home/u/.local/state/ostop/cores');
  });
});

describe('private core directory checks', () => {
  it('a missing directory (and its parents) is created 0700 whatever the umask', () => {
    const dir = path.join(tmp, 'state', 'ostop', 'cores');
    const old = process.umask(0);
    try {
      const r = ensurePrivateDir(dir, uid);
      expect(r).toEqual({ ok: true, dir });
    } finally {
      process.umask(old);
    }
    expect(mode(dir)).toBe(0o700);
    expect(fs.statSync(dir).uid).toBe(uid);
    expect(mode(path.dirname(dir)) & 0o077).toBe(0);
  });

  it('an existing directory of ours readable by others is tightened to 0700', () => {
    const dir = path.join(tmp, 'ostop', 'cores');
    fs.mkdirSync(dir, { recursive: true });
    fs.chmodSync(dir, 0o755);
    expect(ensurePrivateDir(dir, uid).ok).toBe(true);
    expect(mode(dir)).toBe(0o700);
  });

  it('mode 0777 is refused (cores dir or ostop dir), with the path and the problem, and left alone', () => {
    const dir = path.join(tmp, 'ostop', 'cores');
    fs.mkdirSync(dir, { recursive: true });
    fs.chmodSync(dir, 0o777);
    const r = ensurePrivateDir(dir, uid);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(new RegExp(`${dir}.*writable by group or others \\(mode 0777\\)`));
    expect(mode(dir)).toBe(0o777);
    fs.chmodSync(dir, 0o700);
    fs.chmodSync(path.dirname(dir), 0o775);
    const r2 = ensurePrivateDir(dir, uid);
    expect(r2.ok).toBe(false);
    if (!r2.ok) expect(r2.error).toMatch(/parent .*\/ostop: is writable by group or others \(mode 0775\)/);
  });

  it('a symlink is refused (cores dir or ostop dir), even to a private directory of ours', () => {
    const real = path.join(tmp, 'real');
    fs.mkdirSync(real, { mode: 0o700 });
    fs.mkdirSync(path.join(tmp, 'ostop'), { mode: 0o700 });
    const dir = path.join(tmp, 'ostop', 'cores');
    fs.symlinkSync(real, dir);
    const r = ensurePrivateDir(dir, uid);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(`${dir} for cores: it is a symlink`);

    const ostop2 = path.join(tmp, 'ostop2');
    fs.symlinkSync(real, ostop2);
    const r2 = ensurePrivateDir(path.join(ostop2, 'cores'), uid);
    expect(r2.ok).toBe(false);
    if (!r2.ok) expect(r2.error).toContain(`parent ${ostop2}: is a symlink`);
    expect(fs.readdirSync(real)).toEqual([]); // nothing created through the link
  });

  it('a relative path is refused', () => {
    const r = ensurePrivateDir('state/ostop/cores', uid);
    expect(r.ok).toBe(false);
  });

  describe.skipIf(!isRoot || NOBODY === null)('owned by someone else (root: chown to nobody)', () => {
    it('a cores dir owned by nobody is refused', () => {
      const dir = path.join(tmp, 'ostop', 'cores');
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      fs.chownSync(dir, NOBODY!, NOBODY!);
      const r = ensurePrivateDir(dir, uid);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toContain(`${dir} for cores: it is owned by uid ${NOBODY}, not ${uid}`);
    });

    it('an ostop dir owned by nobody is refused, and no cores dir is made in it', () => {
      const ostop = path.join(tmp, 'ostop');
      fs.mkdirSync(ostop, { mode: 0o700 });
      fs.chownSync(ostop, NOBODY!, NOBODY!);
      const r = ensurePrivateDir(path.join(ostop, 'cores'), uid);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toContain(`owned by uid ${NOBODY}`);
      expect(fs.existsSync(path.join(ostop, 'cores'))).toBe(false);
    });
  });
});

describe('createPrivateFile', () => {
  it('creates 0600 whatever the umask; a name taken by a file or a symlink is skipped, never opened', () => {
    const dir = path.join(tmp, 'ostop', 'cores');
    expect(ensurePrivateDir(dir, uid).ok).toBe(true);
    const victim = path.join(tmp, 'victim');
    fs.writeFileSync(victim, 'victim');
    fs.symlinkSync(victim, path.join(dir, 'core.x.1.1700000000000'));
    fs.writeFileSync(path.join(dir, 'core.x.1.1700000000000.1'), 'planted');
    const old = process.umask(0);
    let f;
    try {
      f = createPrivateFile(dir, 'core.x.1.1700000000000', uid);
    } finally {
      process.umask(old);
    }
    fs.writeSync(f.fd, 'mine');
    fs.closeSync(f.fd);
    expect(f.path).toBe(path.join(dir, 'core.x.1.1700000000000.2'));
    expect(mode(f.path)).toBe(0o600);
    expect(fs.readFileSync(victim, 'utf8')).toBe('victim');
    expect(fs.readFileSync(path.join(dir, 'core.x.1.1700000000000.1'), 'utf8')).toBe('planted');
    expect(OSTOP_CORE_NAME.exec(path.basename(f.path))?.groups).toMatchObject({ comm: 'x', pid: '1', ms: '1700000000000' });
  });

  it('refuses a directory that became group-writable after the check', () => {
    const dir = path.join(tmp, 'ostop', 'cores');
    expect(ensurePrivateDir(dir, uid).ok).toBe(true);
    fs.chmodSync(dir, 0o770);
    expect(() => createPrivateFile(dir, 'core.x.1.1', uid)).toThrow(/writable by group or others/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('names cannot carry a path: comm is reduced to [A-Za-z0-9_-]', () => {
    expect(ostopCoreName(7, '../../etc/x y', 1700000000000)).toBe('core.______etc_x_y.7.1700000000000');
    expect(ostopCoreName(7, '', 1700000000000)).toBe('core.proc.7.1700000000000');
  });
});

describe.skipIf(!haveGdb)('g (gcore) on a sleeping child', () => {
  let child: ChildProcess | null = null;
  afterEach(() => {
    child?.kill('SIGKILL');
    child = null;
  });

  function startSleeper(): Promise<number> {
    return new Promise((resolve, reject) => {
      child = spawn('sleep', ['1000'], { stdio: 'ignore' });
      child.on('error', reject);
      child.on('spawn', () => setTimeout(() => resolve(child!.pid!), 100));
    });
  }

  function gcore(pid: number, dir: string, nowMs?: number): Promise<{ err: string | null; out: string | null }> {
    return new Promise((resolve) => runGcore(pid, 'sleep', dir, (err, out) => resolve({ err, out }), { nowMs }));
  }

  it('writes an ELF core, 0600, owned by us, in the private directory; planted names are never written to', async () => {
    const pid = await startSleeper();
    const dir = path.join(tmp, 'state', 'ostop', 'cores');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dir, 0o700);
    // Planted beforehand: a world-writable file at the name gcore -o DIR/core.COMM would use, and a
    // symlink at the name ostop would choose first, pointing at a file outside.
    const oldName = path.join(dir, `core.sleep.${pid}`);
    fs.writeFileSync(oldName, '');
    fs.chmodSync(oldName, 0o666);
    if (isRoot && NOBODY !== null) fs.chownSync(oldName, NOBODY, NOBODY);
    const now = Date.now();
    const victim = path.join(tmp, 'victim');
    fs.writeFileSync(victim, 'victim');
    const predicted = path.join(dir, ostopCoreName(pid, 'sleep', now));
    fs.symlinkSync(victim, predicted);
    const old = process.umask(0);
    let r;
    try {
      r = await gcore(pid, dir, now);
    } finally {
      process.umask(old);
    }
    expect(r.err).toBeNull();
    const out = r.out!;
    expect(path.dirname(out)).toBe(dir);
    expect(out).not.toBe(oldName);
    expect(out).not.toBe(predicted);
    const st = fs.lstatSync(out);
    expect(st.isFile()).toBe(true);
    expect(st.mode & 0o7777).toBe(0o600);
    expect(st.uid).toBe(uid);
    expect(readCoreFileInfo(out)?.pid).toBe(pid); // an ELF core of that process
    expect(execFileSync('file', ['-b', out], { encoding: 'utf8' })).toMatch(/ELF 64-bit .*core file/);
    // The planted file and the symlink's target are untouched.
    expect(fs.statSync(oldName).size).toBe(0);
    expect(fs.readFileSync(victim, 'utf8')).toBe('victim');
    expect(fs.lstatSync(predicted).isSymbolicLink()).toBe(true);
  }, 60_000);

  it('with XDG_STATE_HOME (as a non-root user would): the parents are created and the core lands in $XDG_STATE_HOME/ostop/cores', async () => {
    const pid = await startSleeper();
    const dir = ostopCoreDir({ uid: 1000, env: { XDG_STATE_HOME: path.join(tmp, 'xdg') } });
    expect(dir).toBe(path.join(tmp, 'xdg', 'ostop', 'cores'));
    const r = await gcore(pid, dir);
    expect(r.err).toBeNull();
    expect(path.dirname(r.out!)).toBe(dir);
    expect(mode(dir)).toBe(0o700);
    expect(mode(r.out!)).toBe(0o600);
  }, 60_000);

  it('a refused directory: clear message naming it, gdb not run, nothing written', async () => {
    const pid = await startSleeper();
    const dir = path.join(tmp, 'ostop', 'cores');
    fs.mkdirSync(dir, { recursive: true });
    fs.chmodSync(dir, 0o777);
    const r = await gcore(pid, dir);
    expect(r.out).toBeNull();
    expect(r.err).toContain(`refusing to use ${dir} for cores: it is writable by group or others (mode 0777); no core written`);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('a process that cannot be attached: an error, and the empty file is removed', async () => {
    const dir = path.join(tmp, 'ostop', 'cores');
    // A PID that does not exist now (pid_max is at most 2^22).
    const r = await gcore(4194304 + 1, dir);
    expect(r.out).toBeNull();
    expect(r.err).toMatch(/^gcore 4194305 failed: \S/);
    expect(fs.readdirSync(dir)).toEqual([]);
  }, 60_000);
});

