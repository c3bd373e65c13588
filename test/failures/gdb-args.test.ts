// No option injection into gdb: `o` opens a core with the dead process's
// executable, and that name (argv[0] captured at exit, or a file name from
// the core's notes) is untrusted. Every path handed to gdb is absolute and
// glued to an explicit flag (--se=, --core=); an executable that is not an
// absolute path to an existing regular file is left out, with a note.
// The e2e part plants evil.gdb (a script that creates a marker file) where
// `-x=evil.gdb` would find it and runs gdb with the argv ostop builds.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gcoreCommand } from '../../src/actions/gcore.js';
import { gdbDumpCommand } from '../../src/actions/gdb.js';
import { which } from '../../src/actions/programs.js';
import type { CoreDumpFile } from '../../src/collectors/coredump.js';
import { gate, missingProgram } from '../helpers/native.js';

const haveGdb = gate('test/failures/gdb-args', which('gdb') !== null ? null : missingProgram('gdb') ?? 'gdb not found in root\'s path') === null;

let tmp = '';
let core = '';
let coreGone = '';
let cwd = '';
let sleeper: ChildProcess | null = null;
const marker = () => path.join(tmp, 'MARKER');

const dumpAt = (p: string): CoreDumpFile => ({ path: p, sizeBytes: 1, mtimeMs: 0, pid: 1234, comm: 'sleep', source: 'pattern', compressed: false });

/** Flags gdbDumpCommand may use; everything starting with '-' must be one of these. */
function checkArgv(args: string[]): void {
  for (const a of args) {
    expect(a === '-q' || a.startsWith('--se=') || a.startsWith('--core='), `unexpected option ${a}`).toBe(true);
    const m = /^--(?:se|core)=(.*)$/s.exec(a);
    if (m) expect(path.isAbsolute(m[1]), `not absolute: ${a}`).toBe(true);
  }
}

describe.skipIf(!haveGdb)('gdb argv for opening a core', () => {
  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-gdbargs-'));
    // A real core of a sleeping process, written with gdb directly (not through the code under test).
    sleeper = spawn('sleep', ['1000'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 200));
    core = path.join(tmp, 'core.sleep');
    execFileSync('gdb', ['--nx', '--batch', '-p', String(sleeper.pid), '-ex', `generate-core-file ${core}`, '-ex', 'detach'], { stdio: 'ignore', timeout: 60_000 });
    sleeper.kill('SIGKILL');
    expect(fs.statSync(core).size).toBeGreaterThan(0);
    // A core whose executable is gone (deleted or upgraded since): ostop falls back to the captured argv[0].
    const gone = path.join(tmp, 'gone', 'sleepy');
    fs.mkdirSync(path.dirname(gone));
    fs.copyFileSync('/bin/sleep', gone);
    fs.chmodSync(gone, 0o755);
    sleeper = spawn(gone, ['1000'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 200));
    coreGone = path.join(tmp, 'core.sleepy');
    execFileSync('gdb', ['--nx', '--batch', '-p', String(sleeper.pid), '-ex', `generate-core-file ${coreGone}`, '-ex', 'detach'], { stdio: 'ignore', timeout: 60_000 });
    sleeper.kill('SIGKILL');
    fs.rmSync(path.dirname(gone), { recursive: true, force: true });
    // The planted script, under the names an attacker would use as argv[0], where gdb (cwd) would find them.
    fs.writeFileSync(path.join(tmp, 'evil.gdb'), `shell touch ${marker()}\n`);
    fs.writeFileSync(path.join(tmp, '-x=evil.gdb'), 'x');
    fs.writeFileSync(path.join(tmp, '--command=evil.gdb'), 'x');
    fs.mkdirSync(path.join(tmp, 'bin'));
    fs.copyFileSync('/bin/sleep', path.join(tmp, 'bin', 'sleep'));
    cwd = process.cwd();
    process.chdir(tmp); // so that the relative names exist from ostop's point of view too
  }, 90_000);
  afterAll(() => {
    sleeper?.kill('SIGKILL');
    if (cwd) process.chdir(cwd);
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('an executable from the core notes is used as --se=/abs, the core as --core=/abs', () => {
    const c = gdbDumpCommand(dumpAt(core), null);
    if ('error' in c) throw new Error(c.error);
    checkArgv(c.args);
    expect(c.args).toContain(`--core=${core}`);
    // readCoreFileInfo finds the sleep binary in the core's file mappings.
    expect(c.args.some((a) => /^--se=\/.*sleep$/.test(a))).toBe(true);
    expect(c.note).toBeUndefined();
  });

  const hostile = ['-x=evil.gdb', 'evil.gdb', '-x', '--command=evil.gdb', 'bin/sleep', './bin/sleep', '/nonexistent/exe', '/tmp'];
  for (const exe of hostile) {
    it(`fallback executable ${JSON.stringify(exe)} (core without notes): left out with a note, no option injected`, () => {
      const bare = path.join(tmp, 'not-a-core');
      fs.writeFileSync(bare, 'no notes here');
      const c = gdbDumpCommand(dumpAt(bare), exe);
      if ('error' in c) throw new Error(c.error);
      checkArgv(c.args);
      expect(c.args).not.toContain(exe);
      expect(c.args.some((a) => a.includes('evil'))).toBe(false);
      expect(c.args).toEqual(['-q', `--core=${bare}`]);
      expect(c.note).toContain(`executable '${exe}' `);
      expect(c.note).toMatch(/(not an absolute path|does not exist|not a regular file): opening the core without it$/);
    });
  }

  it('an absolute regular file as fallback is used', () => {
    const bare = path.join(tmp, 'not-a-core');
    fs.writeFileSync(bare, 'no notes here');
    const c = gdbDumpCommand(dumpAt(bare), path.join(tmp, 'bin', 'sleep'));
    if ('error' in c) throw new Error(c.error);
    expect(c.args).toEqual(['-q', `--se=${path.join(tmp, 'bin', 'sleep')}`, `--core=${bare}`]);
  });

  it('a relative core path is refused, even when it exists from the cwd', () => {
    for (const p of ['-x=evil.gdb', 'evil.gdb', path.relative(tmp, core)]) {
      const c = gdbDumpCommand(dumpAt(p), null);
      expect('error' in c ? c.error : `command ${JSON.stringify(c)}`).toMatch(/not an absolute path/);
    }
  });

  it('e2e: gdb run with the argv built for argv[0] "-x=evil.gdb" opens the core and does not run the planted script', () => {
    const info = gdbDumpCommand(dumpAt(coreGone), null);
    expect('args' in info && info.args.some((a) => a.startsWith('--se='))).toBe(false); // the notes' executable is gone
    for (const exe of ['-x=evil.gdb', '--command=evil.gdb']) {
      fs.rmSync(marker(), { force: true });
      const c = gdbDumpCommand(dumpAt(coreGone), exe);
      if ('error' in c) throw new Error(c.error);
      const r = spawnSync(c.cmd, ['--batch', ...c.args, '-ex', 'info files'], { cwd: tmp, encoding: 'utf8', timeout: 60_000 });
      expect(fs.existsSync(marker()), `gdb ${c.args.join(' ')} ran evil.gdb`).toBe(false);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout + r.stderr).toContain(`Local core dump file:`);
      expect(r.stdout + r.stderr).toContain(coreGone);
      checkArgv(c.args);
    }
    // The same script does run when it reaches gdb as an option: the marker check can fail.
    const r = spawnSync('gdb', ['--batch', '-q', '-x=evil.gdb', coreGone], { cwd: tmp, encoding: 'utf8', timeout: 60_000 });
    expect(r.error).toBeUndefined();
    expect(fs.existsSync(marker())).toBe(true);
  }, 90_000);

  it('gcore: the pid is a checked integer, the core goes to the inherited fd', () => {
    expect(() => gcoreCommand(-1)).toThrow();
    expect(() => gcoreCommand(Number.NaN)).toThrow();
    const c = gcoreCommand(4242, 3);
    expect(c.args.slice(c.args.indexOf('-p'), c.args.indexOf('-p') + 2)).toEqual(['-p', '4242']);
    expect(c.args).toContain('generate-core-file /proc/self/fd/3');
  });
});
