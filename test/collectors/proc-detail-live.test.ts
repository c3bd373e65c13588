// Live: a child process opens a known file and a TCP connection to a
// listener this test owns; the process screen's Source must show both,
// then report the child as exited (keeping its last values) once it dies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ProcessSource } from '../../src/views/process-source.js';
import { readProcDetail } from '../../src/collectors/proc-detail-read.js';
import { sendSignal } from '../../src/actions/signal.js';
import { renice } from '../../src/actions/renice.js';
import { createProcessDump } from '../../src/views/process-dump.js';

const linux = process.platform === 'linux' && fs.existsSync('/proc/self/stat');

describe.skipIf(!linux)('process detail on a live child', () => {
  let server: net.Server;
  let port = 0;
  let child: ChildProcess;
  let dir: string;
  let file: string;
  const accepted: net.Socket[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-pd-'));
    file = path.join(dir, 'known file 日本.txt');
    fs.writeFileSync(file, 'hello\n');
    server = net.createServer((s) => accepted.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
    const script = `
      const fs = require('fs'), net = require('net');
      const fd = fs.openSync(process.argv[1], 'r');
      const s = net.connect(Number(process.argv[2]), '127.0.0.1', () => process.stdout.write('ready ' + fd + ' ' + s.localPort + '\\n'));
      setInterval(() => {}, 1000);
    `;
    child = spawn(process.execPath, ['-e', script, file, String(port)], { stdio: ['ignore', 'pipe', 'inherit'], env: { OSTOP_TEST_MARK: 'yes\x1b[31m', PATH: process.env.PATH ?? '' } });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => { if (d.toString().startsWith('ready')) resolve(); });
      child.on('exit', () => reject(new Error('child exited early')));
    });
  });

  afterAll(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const s of accepted) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows the open file, the TCP socket with addresses, threads and RSS', async () => {
    const src = new ProcessSource();
    src.collect(0, { pid: child.pid! });
    await new Promise((r) => setTimeout(r, 150));
    src.collect(0, { pid: child.pid! });
    const m = src.model()!;
    expect(m.status).toBe('alive');
    expect(m.identity.pid).toBe(child.pid);
    expect(m.identity.ppid).toBe(process.pid);
    expect(m.identity.exe).toBe(fs.realpathSync(process.execPath));
    expect(m.identity.cmdline?.[m.identity.cmdline.length - 1]).toBe(String(port));
    expect(m.fds.some((f) => f.kind === 'file' && f.target === file && f.mode === 'r')).toBe(true);
    const sock = m.sockets.find((s) => s.proto === 'tcp' && s.remote === `127.0.0.1:${port}`);
    expect(sock).toBeDefined();
    expect(sock!.state).toBe('ESTABLISHED');
    expect(sock!.local).toMatch(/^127\.0\.0\.1:\d+$/);
    const fdRow = m.fds.find((f) => f.fd === sock!.fd)!;
    expect(fdRow.description).toBe(`tcp ${sock!.local} -> 127.0.0.1:${port} ESTABLISHED`);
    expect(m.memory.rssKb).toBeGreaterThan(1000);
    expect(m.memory.rssKb).toBeLessThan(4_000_000);
    expect(m.threads.length).toBeGreaterThanOrEqual(1);
    expect(m.threads.some((t) => t.tid === child.pid)).toBe(true);
    expect(m.threadTotal).toBe(m.identity.threads);
    expect(m.cpu.percent).not.toBeNull();
    expect(m.history.rssKb.length).toBe(2);
    if (process.getuid?.() === 0 || m.environ) expect(m.environ?.find((e) => e.name === 'OSTOP_TEST_MARK')?.value).toBe('yes\x1b[31m');
    expect(m.limits.find((l) => l.name === 'Max open files')).toBeDefined();
  });

  it('dumps the same details as text and JSON', async () => {
    const run = async (format: 'text' | 'json') => {
      const out: string[] = [];
      const code = await createProcessDump().run({ n: 1, delaySec: 0.05, format, flags: { pid: String(child.pid) }, out: (t) => out.push(t), err: (t) => out.push(t), signal: new AbortController().signal });
      return { code, text: out.join('\n') };
    };
    const t = await run('text');
    expect(t.code).toBe(0);
    expect(t.text).toContain(`PID ${child.pid}`);
    expect(t.text).toContain(file);
    expect(t.text).toContain(`127.0.0.1:${port} ESTABLISHED`);
    expect(t.text).not.toMatch(/\x1b/);
    const j = await run('json');
    const obj = JSON.parse(j.text);
    expect(obj.pid).toBe(child.pid);
    expect(obj.sockets.some((s: { remote: string }) => s.remote === `127.0.0.1:${port}`)).toBe(true);
    expect(j.text.endsWith('\n')).toBe(true);
    expect(j.text.trimEnd()).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
  });

  it('renices (+1 is always allowed) and refuses pids <= 0', () => {
    const r = renice(child.pid!, 1);
    expect(r.ok).toBe(true);
    expect(os.getPriority(child.pid!)).toBe(1);
    expect(readProcDetail(child.pid!).stat!.nice).toBe(1);
    expect(renice(0, 1).ok).toBe(false);
    expect(sendSignal(-1, 'SIGTERM')).toMatchObject({ ok: false, code: 'EINVAL' });
    expect(sendSignal(0, 'SIGTERM')).toMatchObject({ ok: false, code: 'EINVAL' });
  });

  it('reports the child as exited after SIGTERM and keeps the last values', async () => {
    const src = new ProcessSource();
    src.collect(0, { pid: child.pid! });
    const before = src.model()!;
    const exited = new Promise((r) => child.once('exit', r));
    expect(sendSignal(child.pid!, 'TERM')).toMatchObject({ ok: true });
    await exited;
    src.collect(0, { pid: child.pid! });
    const m = src.model()!;
    expect(m.status).toBe('exited');
    expect(m.exitedAt).not.toBeNull();
    expect(m.identity.comm).toBe(before.identity.comm);
    expect(m.memory.rssKb).toBe(before.memory.rssKb);
    expect(m.fds.length).toBe(before.fds.length);
    expect(src.gone).toBe(true);
    src.collect(0, { pid: child.pid! }); // stays exited, no throw
    expect(src.model()!.status).toBe('exited');
    expect(sendSignal(child.pid!, 'SIGTERM')).toMatchObject({ ok: false, code: 'ESRCH' });
  });

  it('says a pid that never existed is exited, with no values', async () => {
    const src = new ProcessSource();
    src.collect(0, { pid: 2 ** 22 + 12345 });
    expect(src.model()).toMatchObject({ status: 'exited', identity: { comm: '' } });
    // dump process refuses it as a bad --pid (usage error, exit 2) before printing anything.
    const out: string[] = [];
    const run = createProcessDump().run({ n: 1, delaySec: 0, format: 'text', flags: { pid: String(2 ** 22 + 12345) }, out: (t) => out.push(t), err: () => {}, signal: new AbortController().signal });
    await expect(run).rejects.toThrow(/--pid: '4206649' is not a PID|--pid: no process with PID 4206649/);
    expect(out).toEqual([]);
  });
});
