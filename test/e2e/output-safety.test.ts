// E2E: what `ostop dump` and `ostop trace` print never carries terminal
// controls, whatever a process names itself. A child's comm and argv hold
// an OSC retitle, a clear-screen CSI, an OSC 52 clipboard write, C1
// controls, DEL, bidi overrides and a spreadsheet formula; every format is
// checked byte by byte (no C0 but tab/newline, no DEL, no C1, no bidi
// override, valid UTF-8), JSON must give the exact strings back, and CSV
// cells that start like a formula must be prefixed with a quote.
// Also: `dump process` shows the environment only with --environ.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNamed, killAll, uniqueTag, type Kid } from '../helpers/pty-procs.js';
import { isRoot, waitFor } from '../native/bpf-helpers.js';
import { parseDumpArgs } from '../../src/cli.js';
import { rootSkipReason } from '../helpers/native.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.join(REPO, 'bin', 'ostop.js');

const OSC_TITLE = '\x1b]0;pwned\x07';
const CLEAR = '\x1b[2J\x1b[H';
const OSC52 = '\x1b]52;c;cHduZWQ=\x07';
// 15 bytes at most (the kernel's comm): a formula, an OSC retitle, C1 CSI, a bidi override.
const COMM = '=1+\x1b]0;T\x07\u009b\u202e';

interface Run { code: number | null; stdout: Buffer; stderr: Buffer }

function ostop(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { encoding: 'buffer', env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 30_000 }, (e, stdout, stderr) => {
      resolve({ code: e ? ((e as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

/** No C0 other than tab/newline, no DEL, no C1, no bidi override; valid UTF-8 (so no stray 8-bit C1 byte either). */
function expectNoControls(buf: Buffer, what: string): void {
  const text = buf.toString('utf8');
  expect(Buffer.from(text, 'utf8').equals(buf), `${what}: valid UTF-8`).toBe(true);
  const bad = buf.findIndex((b) => b <= 0x08 || (b >= 0x0b && b <= 0x1f) || b === 0x7f);
  expect(bad, `${what}: control byte 0x${buf[bad]?.toString(16)} at ${bad} in ${JSON.stringify(text)}`).toBe(-1);
  const m = text.match(/[\u0080-\u009f\u202a-\u202e\u2066-\u2069]/);
  expect(m, `${what}: U+${m?.[0].charCodeAt(0).toString(16)} in ${JSON.stringify(text)}`).toBeNull();
}

/** Split one CSV line into cells (RFC 4180 quoting). */
function csvCells(line: string): string[] {
  const cells: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let s = '';
      i++;
      for (;;) {
        if (line[i] === '"' && line[i + 1] === '"') { s += '"'; i += 2; } else if (line[i] === '"') { i++; break; } else s += line[i++];
      }
      cells.push(`"${s}"`); // keep the quotes: the test looks at how the cell was written
      i++;
    } else {
      const end = line.indexOf(',', i);
      cells.push(line.slice(i, end < 0 ? line.length : end));
      i = end < 0 ? line.length + 1 : end + 1;
    }
  }
  return cells;
}

let kid: Kid;
let argv0: string;
let tag: string;

beforeAll(async () => {
  tag = uniqueTag('os');
  argv0 = `=HYPERLINK("http://x/")${OSC_TITLE} ${tag} ${CLEAR}${OSC52} \u202eevil\u2066 c1\u0085\u009b del\x7f tab\tnl\nend`;
  kid = await startNamed(COMM, { argv0 });
  // A negative nice (root): a numeric CSV cell that starts with '-' must stay a number.
  if (isRoot) os.setPriority(kid.pid, -5);
}, 20_000);

afterAll(async () => {
  await killAll();
});

describe('ostop dump processes: hostile comm and argv', () => {
  const columns = 'pid,nice,comm,command';

  it('json: no controls, and JSON.parse gives the exact comm and cmdline back', async () => {
    const r = await ostop(['dump', 'processes', '--format', 'json', '--pid', String(kid.pid), '-n', '1', '-d', '0.2', '--columns', columns]);
    expect(r.code, r.stderr.toString()).toBe(0);
    expectNoControls(r.stdout, 'json');
    const lines = r.stdout.toString('utf8').trimEnd().split('\n');
    expect(lines.length).toBe(1);
    const p = JSON.parse(lines[0]).processes.find((x: { pid: number }) => x.pid === kid.pid);
    expect(p).toMatchObject({ comm: COMM, command: `${argv0} 1000` });
  });

  it('csv: no controls, formula cells prefixed with a quote, negative numbers left as numbers', async () => {
    const r = await ostop(['dump', 'processes', '--format', 'csv', '--pid', String(kid.pid), '-n', '1', '-d', '0.2', '--columns', columns]);
    expect(r.code, r.stderr.toString()).toBe(0);
    expectNoControls(r.stdout, 'csv');
    const lines = r.stdout.toString('utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('sample_time,pid,nice,comm,command');
    const row = lines.map(csvCells).find((c) => c[1] === String(kid.pid));
    expect(row, r.stdout.toString()).toBeDefined();
    const [time, , nice, comm, command] = row!;
    expect(time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    if (isRoot) expect(nice).toBe('-5');
    expect(comm.startsWith(`"'=1+`), comm).toBe(true);
    expect(command.startsWith(`"'=HYPERLINK(`), command).toBe(true);
    expect(command).toContain(` ${tag} `);
  });

  it('text: no controls, the row is there', async () => {
    const r = await ostop(['dump', 'processes', '--format', 'text', '--pid', String(kid.pid), '-n', '1', '-d', '0.2', '--columns', columns]);
    expect(r.code, r.stderr.toString()).toBe(0);
    expectNoControls(r.stdout, 'text');
    const row = r.stdout.toString('utf8').split('\n').find((l) => l.trimStart().startsWith(`${kid.pid} `));
    expect(row, r.stdout.toString()).toContain(`=HYPERLINK("http://x/")? ${tag} `);
  });

  it('dump process (drill-in): no controls in text, exact strings in JSON', async () => {
    const t = await ostop(['dump', 'process', '--pid', String(kid.pid), '-d', '0.1']);
    expect(t.code, t.stderr.toString()).toBe(0);
    expectNoControls(t.stdout, 'process text');
    expect(t.stdout.toString()).toContain(tag);
    const j = await ostop(['dump', 'process', '--pid', String(kid.pid), '-d', '0.1', '--format', 'json']);
    expect(j.code, j.stderr.toString()).toBe(0);
    expectNoControls(j.stdout, 'process json');
    const m = JSON.parse(j.stdout.toString('utf8'));
    expect(m.identity.comm).toBe(COMM);
    expect(m.identity.cmdline).toEqual([argv0, '1000']);
  });

  it('error messages quote a hostile name sanitized', async () => {
    const hostile = `${OSC_TITLE}${CLEAR}\u009b\u202ex`;
    for (const args of [
      ['dump', 'processes', '--user', hostile],
      ['dump', 'processes', '--columns', `pid,${hostile}`],
      ['dump', 'processes', '--sort', hostile],
      ['dump', hostile],
      ['dump', 'processes', hostile],
      ['trace', 'exec', '--pid', hostile],
      ['trace', hostile],
    ]) {
      const r = await ostop(args);
      expect(r.code, args.join(' ')).toBe(2);
      expectNoControls(r.stderr, `stderr of ${JSON.stringify(args)}`);
      expect(r.stderr.toString()).toMatch(/\?.*x/);
    }
  });
});

describe('dump process: the environment only with --environ', () => {
  let envKid: Kid;
  const secret = `xyz${Math.random().toString(36).slice(2, 10)}`;

  beforeAll(async () => {
    const prev = process.env.SECRET_TOKEN;
    process.env.SECRET_TOKEN = secret; // startNamed passes the test's environment on
    try {
      envKid = await startNamed(uniqueTag('env'));
    } finally {
      if (prev === undefined) delete process.env.SECRET_TOKEN;
      else process.env.SECRET_TOKEN = prev;
    }
    expect(fs.readFileSync(`/proc/${envKid.pid}/environ`, 'utf8')).toContain(`SECRET_TOKEN=${secret}`);
  });

  it('text: hidden by default, shown with --environ', async () => {
    const hidden = await ostop(['dump', 'process', '--pid', String(envKid.pid), '-d', '0.1']);
    expect(hidden.code, hidden.stderr.toString()).toBe(0);
    expect(hidden.stdout.toString()).not.toContain(secret);
    expect(hidden.stdout.toString()).not.toContain('SECRET_TOKEN');
    expect(hidden.stdout.toString()).toMatch(/^Environment: hidden \(use --environ\)$/m);
    const shown = await ostop(['dump', 'process', '--pid', String(envKid.pid), '-d', '0.1', '--environ']);
    expect(shown.code, shown.stderr.toString()).toBe(0);
    expect(shown.stdout.toString()).toContain(`SECRET_TOKEN=${secret}`);
  });

  it('json: no environ field by default, the exact variables with --environ', async () => {
    const hidden = await ostop(['dump', 'process', '--pid', String(envKid.pid), '-d', '0.1', '--format', 'json']);
    expect(hidden.code, hidden.stderr.toString()).toBe(0);
    expect(hidden.stdout.toString()).not.toContain(secret);
    const h = JSON.parse(hidden.stdout.toString());
    expect(h.pid).toBe(envKid.pid);
    expect('environ' in h).toBe(false);
    expect(h.errors.environ).toBeUndefined();
    const shown = await ostop(['dump', 'process', '--pid', String(envKid.pid), '-d', '0.1', '--format', 'json', '--environ']);
    expect(shown.code, shown.stderr.toString()).toBe(0);
    expect(JSON.parse(shown.stdout.toString()).environ).toContainEqual({ name: 'SECRET_TOKEN', value: secret });
  });

  it('--environ is a flag of dump process only, named in help and errors', async () => {
    const ac = new AbortController();
    const noop = () => {};
    expect(parseDumpArgs(['process', '--pid', '1', '--environ'], ac.signal, noop, noop).opts.flags.environ).toBe(true);
    expect(parseDumpArgs(['process', '--pid', '1'], ac.signal, noop, noop).opts.flags.environ).toBeUndefined();
    expect(() => parseDumpArgs(['process', '--environ=1'], ac.signal, noop, noop)).toThrow(/--environ takes no value/);
    expect(() => parseDumpArgs(['process', '--bogus'], ac.signal, noop, noop)).toThrow(/unknown option '--bogus' for 'dump process' \(options: --pid --environ\)/);
    expect(() => parseDumpArgs(['processes', '--environ'], ac.signal, noop, noop)).toThrow(/unknown option '--environ' for 'dump processes'/);
    const help = await ostop(['--help']);
    expect(help.stdout.toString()).toMatch(/^ {2}process +details of one process .*environment with --environ$/m);
  });
});

// Through the one gate: as root or in CI, not being root fails instead of skipping.
const notRoot = rootSkipReason('trace exec with hostile argv');
if (notRoot) it.skip(`trace exec with hostile argv: ${notRoot}`, () => {});

describe.skipIf(notRoot !== null)('ostop trace exec: hostile argv (root)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-trace-safe-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  // The exec'd file's name becomes the comm; argv[0] and the arguments are hostile too.
  const link = path.join(dir, COMM);
  fs.symlinkSync('/bin/true', link);

  /** Run `ostop trace exec` for this test process's children; exec the hostile child once it is attached. */
  async function traceExec(extra: string[]): Promise<{ run: Run; pid: number; args: string[] }> {
    const args = [`=cmd|' /c calc'!A1${OSC_TITLE}`, `${CLEAR}${OSC52}`, `\u202etxt.exe\u2066 c1\u0085 del\x7f`];
    const child = spawn(process.execPath, [BIN, 'trace', 'exec', '--pid', String(process.pid), '--duration', '3', ...extra], { env: { ...process.env, OSTOP_DEBUG: '1' } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const closed = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
    await waitFor(() => Buffer.concat(err).toString().includes('attached prog ids'), 15_000);
    const pid = await new Promise<number>((res, rej) => {
      const h = spawn(link, args, { argv0, stdio: 'ignore' });
      h.on('error', rej);
      h.on('exit', () => res(h.pid!));
    });
    const code = await closed;
    return { run: { code, stdout: Buffer.concat(out), stderr: Buffer.concat(err) }, pid, args: [argv0, ...args] };
  }

  it('json: no controls; the event gives the exact comm, filename and argv back', async () => {
    const { run, pid, args } = await traceExec(['--format', 'json']);
    expect(run.code, run.stderr.toString()).toBe(0);
    expectNoControls(run.stdout, 'trace json');
    expectNoControls(run.stderr, 'trace stderr');
    const events = run.stdout.toString('utf8').trimEnd().split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const e = events.find((x) => x.pid === pid);
    expect(e, run.stdout.toString()).toMatchObject({ comm: COMM, filename: link, ret: 0, args });
  });

  it('text: no controls; the event row is there', async () => {
    const { run, pid } = await traceExec(['--format', 'text']);
    expect(run.code, run.stderr.toString()).toBe(0);
    expectNoControls(run.stdout, 'trace text');
    const row = run.stdout.toString('utf8').split('\n').find((l) => new RegExp(`^\\S+ +${pid} `).test(l));
    expect(row, run.stdout.toString()).toContain(' =1+?? ');
    expect(row).toContain(tag);
  });

  it('summary (text and json): no controls; the program is counted under its exact name', async () => {
    const t = await traceExec(['--summary']);
    expect(t.run.code, t.run.stderr.toString()).toBe(0);
    expectNoControls(t.run.stdout, 'trace summary text');
    expect(t.run.stdout.toString()).toContain('=1+?');
    const j = await traceExec(['--summary', '--format', 'json']);
    expect(j.run.code, j.run.stderr.toString()).toBe(0);
    expectNoControls(j.run.stdout, 'trace summary json');
    expect(JSON.parse(j.run.stdout.toString()).by_program).toContainEqual(expect.objectContaining({ comm: COMM, filename: link, count: 1 }));
  });
});
