// Where the failures view finds core dumps:
//  - a relative core_pattern ("core") puts the core in the dead process's
//    cwd: the eBPF feed records that cwd while the process lives, and the
//    Core dumps pane lists the file, linked to its timeline entry (the pid
//    read from the core's own notes when the name has none), and `o` builds
//    a gdb command for it;
//  - cores ostop wrote itself (g: gcore into its private directory) are
//    listed too.
// The crash part is root-only (real exit tracer, a temporary core_pattern
// restored in afterAll even on failure, as test/failures/crash.test.ts does).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readCoreFileInfo } from '../../src/collectors/coredump.js';
import { parseCorePattern } from '../../src/collectors/procfs/core-pattern.js';
import { listDumps } from '../../src/failures/core-finder.js';
import { FailuresHub } from '../../src/failures/hub.js';
import { FailuresSource } from '../../src/failures/source.js';
import { createExitTracerFeed } from '../../src/failures/exit-feed.js';
import { runGcore } from '../../src/actions/gcore.js';
import { gdbDumpCommand } from '../../src/actions/gdb.js';
import { which } from '../../src/actions/programs.js';
import { tracerManager } from '../../src/tracers/manager.js';
import { ensurePrivateDir, ostopCoreName } from '../../src/util/private-dir.js';
import type { FailuresModel } from '../../src/model/failures.js';
import { gate, missingProgram } from '../helpers/native.js';

describe('listDumps: ostop\'s own directory, pid-less names, no symlinks', () => {
  let tmp = '';
  beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-cores-unit-')); });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('lists core.COMM.PID.MS files of the ostop directory with their pid and comm, and nothing else there', () => {
    const own = path.join(tmp, 'own');
    fs.mkdirSync(own);
    const name = ostopCoreName(4242, 'my server', 1_700_000_000_123);
    fs.writeFileSync(path.join(own, name), 'not really a core');
    fs.writeFileSync(path.join(own, 'notes.txt'), 'x');
    fs.symlinkSync('/etc/passwd', path.join(own, ostopCoreName(1, 'evil', 1_700_000_000_999)));
    const d = listDumps(parseCorePattern('|/bin/false'), { ostopDir: own, systemdDir: path.join(tmp, 'none') });
    expect(d).toEqual([{ path: path.join(own, name), sizeBytes: 17, mtimeMs: fs.statSync(path.join(own, name)).mtimeMs, pid: 4242, comm: 'my_server', source: 'ostop', compressed: false }]);
  });

  it('a relative pattern is searched in the given directories only (absolute ones); a symlink named core is not a core', () => {
    const a = path.join(tmp, 'a');
    const b = path.join(tmp, 'b');
    fs.mkdirSync(a);
    fs.mkdirSync(b);
    fs.writeFileSync(path.join(a, 'core'), 'junk, not ELF');
    fs.symlinkSync('/etc/passwd', path.join(b, 'core'));
    const d = listDumps(parseCorePattern('core'), { relativeDirs: [a, b, 'relative/dir'], systemdDir: path.join(tmp, 'none') });
    expect(d.map((x) => [x.path, x.pid, x.source])).toEqual([[path.join(a, 'core'), null, 'pattern']]);
  });
});

const isRoot = process.getuid?.() === 0;
let why = !isRoot ? 'not root' : missingProgram('cc', 'gdb') ?? '';
if (!why) {
  try {
    tracerManager().start('exit');
    tracerManager().stop('exit');
  } catch (e) {
    why = `exit tracer cannot start: ${(e as Error).message}`;
  }
}
why = gate('test/failures/core-discovery crash', why || null) ?? '';

const SYSCTLS = ['/proc/sys/kernel/core_pattern', '/proc/sys/kernel/core_uses_pid'];

describe.skipIf(!!why)('cores of a relative core_pattern and of g, in the failures view (root)', () => {
  const saved = new Map<string, string>();
  let tmp = '';
  let crashDir = '';
  let coreDir = '';
  let hub: FailuresHub;
  let src: FailuresSource;
  let now = Date.now();

  /** Collect as the view does; each call a few seconds "later" so the dump list is rescanned. */
  async function model(): Promise<FailuresModel> {
    tracerManager().poll();
    now += 3000;
    await src.collect(now, { showExits: true, sinceBoot: false, targetPid: null, selectedParentPid: null });
    return src.model()!;
  }

  beforeAll(async () => {
    for (const p of SYSCTLS) saved.set(p, fs.readFileSync(p, 'utf8'));
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-core-discovery-'));
    crashDir = path.join(tmp, 'work dir');
    fs.mkdirSync(crashDir);
    fs.writeFileSync(path.join(tmp, 'abrt.c'), '#include <stdlib.h>\nint main(void) { abort(); }\n');
    fs.writeFileSync(path.join(tmp, 'sleeper.c'), '#include <unistd.h>\nint main(void) { for (;;) pause(); }\n');
    execFileSync('cc', ['-g', '-O0', '-o', path.join(crashDir, 'abrt'), path.join(tmp, 'abrt.c')]);
    execFileSync('cc', ['-O0', '-o', path.join(tmp, 'sleeper'), path.join(tmp, 'sleeper.c')]);
    const ok = ensurePrivateDir(path.join(tmp, 'state', 'ostop', 'cores'));
    if (!ok.ok) throw new Error(ok.error);
    coreDir = ok.dir;
    fs.writeFileSync('/proc/sys/kernel/core_pattern', 'core');
    fs.writeFileSync('/proc/sys/kernel/core_uses_pid', '0');
    hub = new FailuresHub({ ebpfFeed: () => createExitTracerFeed() });
    src = new FailuresSource(hub, coreDir);
    await model(); // starts the eBPF feed
    expect(hub.feedStatus().find((f) => f.name === 'ebpf')?.active, hub.ebpfNote ?? '').toBe(true);
  }, 60_000);

  afterAll(() => {
    const errors: string[] = [];
    for (const [p, v] of saved) { try { fs.writeFileSync(p, v.replace(/\n$/, '')); } catch (e) { errors.push(`${p}: ${(e as Error).message}`); } }
    hub?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    if (errors.length) throw new Error(errors.join('; '));
  });

  /** Poll the view until the entry of `pid` has its core linked. */
  async function entryWithDump(pid: number): Promise<{ m: FailuresModel; e: FailuresModel['entries'][number] }> {
    let m: FailuresModel | undefined;
    const end = Date.now() + 10_000;
    while (Date.now() < end) {
      m = await model();
      const e = m.entries.find((x) => x.pid === pid && x.dump);
      if (e) return { m, e };
      await new Promise((res) => setTimeout(res, 100));
    }
    const e = m?.entries.find((x) => x.pid === pid);
    throw new Error(`no core linked to pid ${pid}: entry ${JSON.stringify(e ?? null)}; dumps ${JSON.stringify(m?.dumps.map((d) => d.path))}`);
  }

  function checkCore(m: FailuresModel, e: FailuresModel['entries'][number], dir: string, exe: string): void {
    const corePath = path.join(dir, 'core');
    expect(e).toMatchObject({ signal: 6, coreDumped: true });
    expect(e.dump?.path).toBe(corePath);
    const d = m.dumps.find((x) => x.path === corePath);
    expect(d).toMatchObject({ pid: e.pid, comm: path.basename(exe).slice(0, 15), source: 'pattern', entryId: e.id });
    // o on the entry (or on the dump): gdb with the executable from the core's notes, both absolute
    const cmd = gdbDumpCommand(d!, e.cmdline?.split(' ')[0] ?? null);
    expect(cmd).toMatchObject({ args: ['-q', `--se=${exe}`, `--core=${corePath}`] });
    expect(cmd).not.toHaveProperty('note');
    expect(path.basename((cmd as { cmd: string }).cmd)).toBe('gdb');
  }

  it('core_pattern "core": SIGABRT from a shell in a directory; the dumps list has the core, linked to the entry, and o opens it', async () => {
    // As in the report: a shell whose cwd is the directory runs the program, which aborts at once.
    const shell = spawn('sh', ['-c', 'ulimit -c unlimited; ./abrt & echo $!; wait; exec sleep 60'], { cwd: crashDir, stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const pid = await new Promise<number>((res) => shell.stdout!.once('data', (d: Buffer) => res(Number(d.toString().trim()))));
      const corePath = path.join(crashDir, 'core');
      await new Promise<void>((res, rej) => {
        const t0 = Date.now();
        const tick = () => (readCoreFileInfo(corePath)?.pid === pid ? res() : Date.now() - t0 > 8000 ? rej(new Error('no core written')) : setTimeout(tick, 50));
        tick();
      });
      expect(readCoreFileInfo(corePath)).toMatchObject({ pid, signal: 6 });
      const { m, e } = await entryWithDump(pid);
      // its own cwd if it was read in time, else its shell's: the same directory
      expect(e.cwd ?? e.parentCwd).toBe(crashDir);
      checkCore(m, e, crashDir, path.join(crashDir, 'abrt'));
    } finally {
      shell.kill('SIGKILL');
    }
  }, 60_000);

  it('the cwd recorded while the process lived, when nothing is left running in that directory', async () => {
    const dir2 = path.join(tmp, 'other dir');
    fs.mkdirSync(dir2);
    fs.writeFileSync(path.join(tmp, 'later.c'), '#include <stdlib.h>\n#include <unistd.h>\nint main(void) { usleep(300000); abort(); }\n');
    execFileSync('cc', ['-O0', '-o', path.join(dir2, 'abrt-later'), path.join(tmp, 'later.c')]);
    const r = await new Promise<{ pid: number; signal: NodeJS.Signals | null }>((res, rej) => {
      const c = spawn('sh', ['-c', 'ulimit -c unlimited; exec ./abrt-later'], { cwd: dir2, stdio: 'ignore' });
      c.on('error', rej);
      c.on('exit', (_code, signal) => res({ pid: c.pid!, signal }));
    });
    expect(r.signal).toBe('SIGABRT');
    const { m, e } = await entryWithDump(r.pid);
    expect(e.cwd).toBe(dir2);
    checkCore(m, e, dir2, path.join(dir2, 'abrt-later'));
  }, 60_000);

  it('a core written with g (gcore into ostop\'s directory) is listed and opens', async () => {
    const child = spawn(path.join(tmp, 'sleeper'), [], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 200));
      const written = await new Promise<string>((res, rej) => runGcore(child.pid!, 'sleeper', coreDir, (err, out) => (err ? rej(new Error(err)) : res(out!))));
      expect(path.dirname(written)).toBe(coreDir);
      const m = await model();
      const d = m.dumps.find((x) => x.path === written);
      expect(d).toMatchObject({ pid: child.pid, comm: 'sleeper', source: 'ostop', entryId: null });
      const cmd = gdbDumpCommand(d!);
      expect(cmd).toMatchObject({ args: ['-q', `--se=${path.join(tmp, 'sleeper')}`, `--core=${written}`] });
      expect(path.basename((cmd as { cmd: string }).cmd)).toBe('gdb');
    } finally {
      child.kill('SIGKILL');
    }
  }, 120_000);
});
