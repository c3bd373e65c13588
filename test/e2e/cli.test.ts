// E2E: command-line behaviour in a real pseudo-terminal: --help, --version,
// usage errors, -p PID, NO_COLOR, and the terminal modes left behind.
import { describe, it, expect, afterAll } from 'vitest';
import { spawnOstop, PtyApp, KEYS, OSTOP_BIN, parseTable, makeTempHome } from '../helpers/pty.js';
import { startNamed, killAll, uniqueTag } from '../helpers/pty-procs.js';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const apps: PtyApp[] = [];
function run(args: string[], opts: Parameters<typeof spawnOstop>[1] = {}): PtyApp {
  const a = spawnOstop(args, { cols: 100, rows: 30, ...opts });
  apps.push(a);
  return a;
}

afterAll(async () => {
  for (const a of apps) await a.dispose();
  await killAll();
});

describe('ostop command line', () => {
  it('--help prints usage and exits 0', async () => {
    const a = run(['--help']);
    const e = await a.waitExit();
    expect(e.exitCode).toBe(0);
    const s = a.output.replace(/\r/g, '');
    expect(s).toMatch(/^ostop \d+\.\d+\.\d+/m);
    expect(s).toContain('Usage:');
    expect(s).toMatch(/-p, --pid PID/);
    expect(s).toMatch(/^\s+processes\s+/m); // the dump views are listed
    expect(s).not.toContain('\x1b[?1049h'); // no full-screen UI for --help
  }, 30000);

  it('--version prints the package version and exits 0', async () => {
    const a = run(['--version']);
    const e = await a.waitExit();
    expect(e.exitCode).toBe(0);
    const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(a.output.replace(/\r/g, '').trim()).toBe(`ostop ${pkg.version}`);
  }, 30000);

  it('an unknown flag exits 2 with a clear message and no UI', async () => {
    const a = run(['--bogus-flag']);
    const e = await a.waitExit();
    expect(e.exitCode).toBe(2);
    const s = a.output.replace(/\r/g, '');
    expect(s).toContain("unknown option '--bogus-flag'");
    expect(s).toContain("Try 'ostop --help'");
    expect(s).not.toContain('\x1b[?1049h');
  }, 30000);

  it('a bad value exits 2 naming the flag and the value', async () => {
    const a = run(['-d', 'fast']);
    expect((await a.waitExit()).exitCode).toBe(2);
    expect(a.output).toMatch(/-d: 'fast' is not a delay between 0\.1 and 3600 seconds/);
    const b = run(['-p', 'abc']);
    expect((await b.waitExit()).exitCode).toBe(2);
    expect(b.output).toMatch(/-p: 'abc' is not a PID/);
  }, 30000);

  // Bad values: exit 2 with the value named (sanitized) on stderr, before
  // anything is drawn. stdin and stdout are the pty (so the UI would start if
  // the check let it); stderr goes to a file, so the two can be told apart.
  const pidMaxNow = Number(fs.readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
  /** A PID below pid_max that no process has right now. */
  const freePid = (): number => {
    for (let p = pidMaxNow - 1; p > 1; p--) if (!fs.existsSync(`/proc/${p}`)) return p;
    throw new Error('no free pid');
  };
  const FREE = freePid();
  const BAD: Array<[string, string[], RegExp]> = [
    ['unknown user', ['-u', 'nosuchuser'], /-u: no user 'nosuchuser'/],
    ['uid not in passwd', ['-u', '4242424'], /-u: no user '4242424'/],
    ['user name with controls', ['-u', 'x\x1b[2Jy'], /-u: no user 'x\?y'/],
    ['PID that does not exist', ['-p', String(FREE)], new RegExp(`-p: no process with PID ${FREE}\\b`)],
    ['PID 999999', ['-p', '999999'], /-p: (no process with PID 999999|'999999' is not a PID)/],
    ['PID above pid_max', ['-p', '4294967297'], /-p: '4294967297' is not a PID \(a whole number from 1 to \d+/],
    ['one bad PID in a list', ['-p', `${process.pid},${FREE}`], new RegExp(`-p: no process with PID ${FREE}`)],
    ['empty item in a PID list', ['-p', `${process.pid},`], /-p: '\d+,' has an empty item/],
    ['hex delay', ['-d', '0x10'], /-d: '0x10' is not a delay/],
    ['delay with a space', ['-d', ' 2'], /-d: ' 2' is not a delay/],
    ['empty delay', ['-d', ''], /-d needs a value/],
    ['dump: exponent delay', ['dump', 'processes', '-d', '1e0'], /-d: '1e0' is not a delay/],
    ['dump: hex count', ['dump', 'processes', '-n', '0x2'], /-n: '0x2' is not a positive count/],
    ['dump processes --pid', ['dump', 'processes', '--pid', String(FREE)], new RegExp(`--pid: no process with PID ${FREE}`)],
    ['dump processes --pid 999999', ['dump', 'processes', '--pid', '999999'], /--pid: (no process with PID 999999|'999999' is not a PID)/],
    ['dump processes --user', ['dump', 'processes', '--user', 'nosuchuser'], /--user: no user 'nosuchuser'/],
    ['dump processes --columns empty', ['dump', 'processes', '--columns', ''], /--columns: '' is not a list of column ids/],
    ['dump processes --columns unknown', ['dump', 'processes', '--columns', 'pid,bogus'], /--columns: unknown column 'bogus'/],
    ['dump process --pid', ['dump', 'process', '--pid', String(FREE)], new RegExp(`--pid: no process with PID ${FREE}`)],
    ['dump netstat --iface', ['dump', 'netstat', '--iface', 'nosuch'], /--iface: no network interface 'nosuch' \(interfaces: .*lo/],
    ['dump iostat --top hex', ['dump', 'iostat', '--procs', '--top', '0x10'], /--top: '0x10' is not a positive count/],
    ['bare trace', ['trace'], /^usage: ostop trace <tracer>/m],
    ['trace --pid', ['trace', 'opens', '--pid', String(FREE)], new RegExp(`--pid: no process with PID ${FREE}`)],
    ['trace --pid 999999', ['trace', 'opens', '--pid', '999999'], /--pid: (no process with PID 999999|'999999' is not a PID)/],
    ['trace --pid above pid_max', ['trace', 'opens', '--pid', '4294967297'], /--pid: '4294967297' is not a PID/],
    ['trace hex duration', ['trace', 'opens', '--duration', '0x10'], /--duration: '0x10' is not a positive number of seconds/],
  ];
  it.each(BAD)('%s: exit 2, the value named on stderr, nothing on stdout', async (_what, args, message) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-bad-'));
    const errFile = path.join(dir, 'stderr');
    const a = new PtyApp(['-c', 'exec "$0" "$@" 2>"$OSTOP_ERR_FILE"', process.execPath, OSTOP_BIN, ...args], {
      file: '/bin/sh', cols: 100, rows: 30, env: { OSTOP_ERR_FILE: errFile },
    });
    apps.push(a);
    try {
      const e = await a.waitExit(8000);
      const stderr = fs.readFileSync(errFile, 'utf8');
      expect(e.exitCode, `stderr: ${stderr}`).toBe(2);
      expect(stderr).toMatch(message);
      expect(stderr).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/); // sanitized: no control character but newlines
      expect(a.output).toBe(''); // nothing drawn: no alternate screen, no text
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 15000);

  it('-p PID opens straight into the process screen; Esc goes to the table', async () => {
    const name = uniqueTag('oep');
    const k = await startNamed(name);
    const a = run(['-p', String(k.pid), '-d', '1']);
    await a.waitForText(new RegExp(`PID ${k.pid}\\s+${name}`), 15000);
    expect(parseTable(a)).toBeUndefined(); // not the table first
    expect(a.screenText()).toContain(`cmd ${name} 1000`);
    await a.press(KEYS.esc);
    await a.waitFor(() => !!parseTable(a), 'the process table after Esc');
    await a.press('q');
    expect((await a.waitExit(20000)).exitCode).toBe(0);
  }, 30000);

  it('NO_COLOR=1: no SGR colour codes anywhere, the selection and header use inverse', async () => {
    const a = run(['-d', '1'], { env: { NO_COLOR: '1' } });
    await a.waitForText(/PID\s+USER/, 15000);
    const mark = a.output.length;
    await a.waitFor(() => a.output.length > mark + 200, 'a refresh', 5000).catch(() => undefined);
    await a.press(KEYS.down); // redraw the selection bar too
    await a.waitFor(() => a.highlightedRows().length > 0, 'selection drawn');
    const sgr = [...a.output.matchAll(/\x1b\[([0-9;:]*)m/g)].map((m) => m[1]);
    expect(sgr.length).toBeGreaterThan(0);
    const colour = sgr.filter((p) => p.split(/[;:]/).some((x) => {
      const n = Number(x);
      return (n >= 30 && n <= 38) || (n >= 40 && n <= 48) || (n >= 90 && n <= 97) || (n >= 100 && n <= 107);
    }));
    expect(colour, `colour SGRs: ${JSON.stringify([...new Set(colour)].slice(0, 10))}`).toEqual([]);
    // Every cell uses the default colours.
    for (let y = 0; y < a.term.rows; y++) {
      for (let x = 0; x < a.term.cols; x += 7) {
        const c = a.cellStyle(x, y);
        expect([c.fg, c.bg], `cell ${x},${y}`).toEqual([-1, -1]);
      }
    }
    const t = parseTable(a)!;
    expect(a.cellStyle(2, t.headerRow).inverse).toBe(true);
    await a.press('q');
    await a.waitExit(20000);
  }, 30000);

  it('leaves the tty modes as it found them (raw mode off, echo on)', async () => {
    // A shell in the pty saves the modes, runs ostop, compares after.
    const home = makeTempHome();
    const script = `B=$(stty -g); "${process.execPath}" "${OSTOP_BIN}" -d 1; A=$(stty -g); if [ "$A" = "$B" ]; then echo TTY_SAME; else echo "TTY_DIFF before=$B after=$A"; fi; stty -a | tr -s ' ' | head -c 2000; echo; echo END_OF_CHECK; sleep 5`;
    const a = new PtyApp(['-c', script], { file: '/bin/sh', cols: 100, rows: 30, home });
    apps.push(a);
    await a.waitForText(/PID\s+USER/, 15000);
    await a.press('q');
    await a.waitForOutput('END_OF_CHECK', 20000);
    const after = a.output.slice(a.output.lastIndexOf('\x1b[?1049l'));
    expect(after).toContain('TTY_SAME');
    expect(after).toMatch(/(^|\s)icanon(\s|$)/m);
    expect(after).toMatch(/(^|\s)echo(\s|$)/m);
    fs.rmSync(home, { recursive: true, force: true });
  }, 40000);
});
