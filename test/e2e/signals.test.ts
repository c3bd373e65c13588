// E2E: signals as an attacker, a shell and a crash deliver them (docs/security.md).
// - SIGUSR1 opens no inspector (Node's default would listen on 127.0.0.1:9229
//   and run any local user's JavaScript as root); ostop goes on.
// - A root ostop refuses --inspect from the command line or NODE_OPTIONS;
//   the bin's shebang drops NODE_OPTIONS (sudo -E --require).
// - Every signal whose default action ends the process ends ostop with the
//   terminal restored (main screen, cursor shown, mouse off, line mode) and
//   the status a shell expects.
// - Ctrl-Z and SIGTSTP suspend with the terminal restored; fg repaints and
//   keys work at once.
import { describe, it, expect, afterEach } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as pty from 'node-pty';
import xtermHeadless from '@xterm/headless';
import { spawnOstop, delay, OSTOP_BIN, REPO, type PtyApp } from '../helpers/pty.js';

const { Terminal } = xtermHeadless as unknown as typeof import('@xterm/headless');
const isRoot = process.getuid?.() === 0;
const SIG = os.constants.signals;

let apps: PtyApp[] = [];
afterEach(async () => {
  for (const a of apps) await a.dispose();
  apps = [];
});

async function started(args: string[] = ['-d', '1']): Promise<PtyApp> {
  const app = spawnOstop(args, { cols: 100, rows: 30 });
  apps.push(app);
  await app.waitForText(/PID\s+USER/, 15000);
  return app;
}

/** Listening TCP sockets of `pid` (from ss, as the attacker would look for them). */
function listening(pid: number): string[] {
  const out = execFileSync('ss', ['-Hltnp'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes(`pid=${pid},`));
}

/** The terminal as the user gets it back: main screen, cursor shown, no mouse reporting, line mode with echo. */
async function expectRestored(app: PtyApp, what: string): Promise<void> {
  await app.flush();
  expect(app.term.buffer.active.type, `${what}: main screen`).toBe('normal');
  expect(app.output.lastIndexOf('\x1b[?25h'), `${what}: cursor shown after it was hidden`).toBeGreaterThan(app.output.lastIndexOf('\x1b[?25l'));
  expect(app.term.modes.mouseTrackingMode, `${what}: mouse reporting off`).toBe('none');
}

describe('SIGUSR1 and the inspector', () => {
  it('SIGUSR1 opens no debugger, prints nothing and ostop keeps running', async () => {
    const app = await started();
    expect(listening(app.pid)).toEqual([]);
    const before = app.output.length;
    process.kill(app.pid, 'SIGUSR1');
    await delay(1000);
    expect(app.exit).toBeUndefined();
    expect(listening(app.pid)).toEqual([]);
    expect(app.output.slice(before)).not.toMatch(/Debugger|inspector|9229/);
    // Still alive and answering keys.
    app.proc.write('q');
    expect((await app.waitExit()).exitCode).toBe(0);
  });

  it.runIf(isRoot)('as root, --inspect on the command line or in NODE_OPTIONS is refused before anything runs', () => {
    for (const run of [
      spawnSync(process.execPath, ['--inspect=127.0.0.1:0', OSTOP_BIN, 'dump', 'processes', '-n', '1'], { encoding: 'utf8', timeout: 20000 }),
      spawnSync(process.execPath, [OSTOP_BIN, 'dump', 'processes', '-n', '1'], { encoding: 'utf8', timeout: 20000, env: { ...process.env, NODE_OPTIONS: '--inspect=127.0.0.1:0' } }),
    ]) {
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/refusing to run as root with the Node inspector/);
      expect(run.stdout).toBe('');
    }
  });

  it('the bin drops NODE_OPTIONS, so a --require from another user (sudo -E) never runs', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-nodeopts-'));
    try {
      const marker = path.join(dir, 'ran');
      const evil = path.join(dir, 'evil.cjs');
      fs.writeFileSync(evil, `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x');`);
      const r = spawnSync(OSTOP_BIN, ['--version'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: `--require ${evil}` }, timeout: 20000 });
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^ostop /);
      expect(fs.existsSync(marker)).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('fatal signals restore the terminal', () => {
  // Handled in JS (restore, then die of the same signal) and, for faults,
  // SIGABRT and the real-time signals, by the addon's guard.
  const dying: Array<[string, number]> = [
    ['SIGUSR2', SIG.SIGUSR2], ['SIGALRM', SIG.SIGALRM], ['SIGQUIT', SIG.SIGQUIT], ['SIGVTALRM', SIG.SIGVTALRM],
    ['SIGSEGV', SIG.SIGSEGV], ['SIGABRT', SIG.SIGABRT], ['SIGBUS', SIG.SIGBUS], ['SIGRTMIN+6', 40],
  ];
  for (const [name, num] of dying) {
    it(`${name}: terminal restored, dies of ${name} (shell status ${128 + num})`, async () => {
      // Under a plain sh (it changes no terminal modes): its $? and then
      // `stty -a` on the same terminal show what the user gets back.
      const app = spawnOstop(['-c', `ulimit -c 0; "${process.execPath}" "${OSTOP_BIN}" -d 1; echo "status=$?"; stty -a`], { file: '/bin/sh', cols: 100, rows: 30 });
      apps.push(app);
      await app.waitForText(/PID\s+USER/, 15000);
      const pid = Number(execFileSync('pgrep', ['-P', String(app.pid)], { encoding: 'utf8' }).trim().split('\n')[0]);
      process.kill(pid, num);
      await app.waitForOutput(/status=\d+[\s\S]*\bicanon\b/, 10000);
      await app.waitExit();
      expect(/status=(\d+)/.exec(app.output)![1], `${name}: the shell's status`).toBe(String(128 + num));
      await expectRestored(app, name);
      const modes = app.output.slice(app.output.indexOf('status=')).split(/[\s;]+/);
      expect(modes, `${name}: canonical mode`).toContain('icanon');
      expect(modes, `${name}: echo`).toContain('echo');
    });
  }

  for (const name of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) {
    it(`${name}: a clean quit with status 128+${SIG[name]}`, async () => {
      const app = await started();
      process.kill(app.pid, name);
      const e = await app.waitExit();
      expect(e.exitCode).toBe(128 + SIG[name]);
      await expectRestored(app, name);
    });
  }
});

describe('suspend and resume (Ctrl-Z, SIGTSTP, fg)', () => {
  // Job control needs an interactive shell: it puts ostop in a process group
  // of its own (one whose parent is in the session) and answers fg.
  class Shell {
    readonly proc: pty.IPty;
    readonly term = new Terminal({ cols: 100, rows: 30, allowProposedApi: true, scrollback: 0 });
    output = '';
    private pending: Promise<void> = Promise.resolve();
    constructor(readonly home: string) {
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(VITEST|NODE_OPTIONS)/.test(k)) env[k] = v;
      Object.assign(env, { TERM: 'xterm-256color', HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), PS1: 'SH$ ', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' });
      this.proc = pty.spawn('/bin/bash', ['--norc', '--noprofile', '-i'], { name: 'xterm-256color', cols: 100, rows: 30, cwd: REPO, env });
      this.proc.onData((d) => {
        this.output += d;
        this.pending = new Promise((res) => this.term.write(d, res));
      });
    }
    screen(): string {
      const b = this.term.buffer.active;
      const out: string[] = [];
      for (let y = 0; y < this.term.rows; y++) out.push(b.getLine(b.viewportY + y)?.translateToString(true) ?? '');
      return out.join('\n');
    }
    async waitFor(pred: () => boolean, what: string, ms = 15000): Promise<void> {
      const end = Date.now() + ms;
      for (;;) {
        await this.pending;
        if (pred()) return;
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}; screen:\n${this.screen()}`);
        await delay(50);
      }
    }
    /** The ostop started from this shell (its node process). */
    ostopPid(): number | undefined {
      const out = spawnSync('pgrep', ['-P', String(this.proc.pid), '-f', 'ostop'], { encoding: 'utf8' }).stdout.trim();
      return out ? Number(out.split('\n')[0]) : undefined;
    }
    state(pid: number): string {
      return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '')[0];
    }
  }

  it('Ctrl-Z and kill -TSTP give the terminal back, fg repaints and keys work at once', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-tstp-'));
    fs.mkdirSync(path.join(home, '.config'));
    const sh = new Shell(home);
    try {
      await sh.waitFor(() => sh.screen().includes('SH$'), 'the shell prompt');
      sh.proc.write(`${process.execPath} ${OSTOP_BIN} -d 1\r`);
      await sh.waitFor(() => /PID\s+USER/.test(sh.screen()), 'the process table');
      const pid = sh.ostopPid()!;
      expect(pid).toBeGreaterThan(0);

      for (const how of ['Ctrl-Z', 'kill -TSTP'] as const) {
        const from = sh.output.length;
        if (how === 'Ctrl-Z') sh.proc.write('\x1a');
        else process.kill(pid, 'SIGTSTP');
        await sh.waitFor(() => /Stopped/.test(sh.output.slice(from)), `${how}: the shell's Stopped`);
        expect(sh.state(pid), `${how}: ostop is stopped`).toBe('T');
        const out = sh.output.slice(from);
        expect(sh.term.buffer.active.type, `${how}: main screen`).toBe('normal');
        expect(out.lastIndexOf('\x1b[?1049l'), `${how}: alternate screen left`).toBeGreaterThanOrEqual(0);
        expect(out.lastIndexOf('\x1b[?25h'), `${how}: cursor shown`).toBeGreaterThan(out.lastIndexOf('\x1b[?25l'));
        expect(sh.term.modes.mouseTrackingMode, `${how}: mouse off`).toBe('none');

        const back = sh.output.length;
        sh.proc.write('fg\r');
        await sh.waitFor(() => sh.term.buffer.active.type === 'alternate' && /PID\s+USER/.test(sh.screen()), `${how}: fg repaints the table`);
        // Everything repainted: the shell's lines are gone from the screen.
        expect(sh.screen()).not.toMatch(/Stopped|SH\$ fg/);
        expect(sh.output.slice(back).lastIndexOf('\x1b[?25l')).toBeGreaterThan(sh.output.slice(back).lastIndexOf('\x1b[?25h'));
      }
      // Raw mode is back: one key quits at once.
      sh.proc.write('q');
      await sh.waitFor(() => sh.term.buffer.active.type === 'normal' && /SH\$ $/m.test(sh.screen()), 'q quits to the prompt', 5000);
      const from = sh.output.length;
      sh.proc.write('echo "rc=$?"\r');
      await sh.waitFor(() => /rc=0/.test(sh.output.slice(from)), 'exit status 0');
    } finally {
      const pid = sh.ostopPid();
      if (pid) {
        try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      }
      sh.proc.kill('SIGKILL');
      sh.term.dispose();
      fs.rmSync(home, { recursive: true, force: true });
    }
  }, 60000);
});
