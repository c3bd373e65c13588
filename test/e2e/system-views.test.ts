// e2e: the vmstat, netstat, iostat and failures views, each reached by its
// key in a real pseudo-terminal, show the load this test makes: a listener
// and a loopback transfer (netstat), O_DIRECT writes (iostat, vmstat bo).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as net from 'node:net';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { spawnOstop, KEYS, type PtyApp } from '../helpers/pty.js';

let server: net.Server;
let port = 0;
let client: net.Socket | undefined;
let pump: NodeJS.Timeout | undefined;
let dd: ChildProcess | undefined;
let dir = '';
let app: PtyApp;

beforeAll(async () => {
  server = net.createServer((s) => s.on('data', () => {}));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
  client = net.connect(port, '127.0.0.1');
  await new Promise((r) => client!.on('connect', r));
  const chunk = Buffer.alloc(256 * 1024, 7);
  pump = setInterval(() => client!.write(chunk), 20);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-e2e-io-'));
  // Keep rewriting a 32 MiB file with O_DIRECT so the block layer sees steady writes.
  dd = spawn('sh', ['-c', `while :; do dd if=/dev/zero of=${dir}/f bs=1M count=32 oflag=direct conv=notrunc status=none; done`], { stdio: 'ignore' });
  app = spawnOstop(['-d', '1'], { cols: 160, rows: 45 });
  await app.waitForText(/PID\s+USER/, 15000);
});

afterAll(async () => {
  if (pump) clearInterval(pump);
  client?.destroy();
  server?.close();
  dd?.kill('SIGKILL');
  await app?.dispose();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('system views in a pty', () => {
  it('v shows vmstat with block output from the O_DIRECT writer, in a table of samples like vmstat 1', async () => {
    await app.press('v');
    await app.waitForText(/procs\s+-+memory/, 10000);
    expect(app.lines()[0]).toMatch(/^vmstat — /);
    /** The sample rows under "r b swpd free ... st", oldest first. */
    const samples = (s: string) => {
      const lines = s.split('\n');
      const h = lines.findIndex((l) => /^\s*r\s+b\s+swpd/.test(l));
      if (h < 0) return { titles: [] as string[], rows: [] as string[][] };
      const rows: string[][] = [];
      for (const l of lines.slice(h + 1)) {
        const f = l.trim().split(/\s+/);
        if (f.length !== 17 || !f.every((x) => /^\d+$/.test(x))) break;
        rows.push(f);
      }
      return { titles: lines[h].trim().split(/\s+/), rows };
    };
    // The newest row (at the bottom): bo (blocks written/s) is not zero.
    const screen = await app.waitFor((s) => {
      const t = samples(s);
      const bo = t.titles.indexOf('bo');
      return bo > 0 && t.rows.length > 0 && Number(t.rows.at(-1)![bo]) > 0;
    }, 'vmstat bo > 0', 15000);
    expect(samples(screen).titles).toEqual(['r', 'b', 'swpd', 'free', 'buff', 'cache', 'si', 'so', 'bi', 'bo', 'in', 'cs', 'us', 'sy', 'id', 'wa', 'st']);
    expect(screen).toMatch(/pressure|PSI/);
    // One row per refresh (-d 1): the table grows.
    const n = samples(screen).rows.length;
    await app.waitFor((s) => samples(s).rows.length >= n + 2, 'two more sample rows', 10000);
  });

  it('n shows netstat with the test listener and its connection', async () => {
    await app.press('n');
    await app.waitForText(/IFACE\s+STATE/, 10000);
    expect(app.lines()[0]).toMatch(/^netstat — /);
    // Only this test's port: sockets of the suite's earlier tests (dozens in
    // TIME_WAIT) would otherwise push the listener below the screen.
    await app.press('/');
    await app.waitForText(/filter \(/);
    await app.type(`port:${port}`);
    await app.press(KEYS.enter);
    await app.waitForText(`filter: port:${port}`);
    const s = await app.waitForText(new RegExp(`127\\.0\\.0\\.1:${port}\\s`), 10000);
    expect(s).toBeTruthy();
    const screen = app.screenText();
    expect(screen).toMatch(new RegExp(`LISTEN\\s+\\d+\\s+\\d+\\s+127\\.0\\.0\\.1:${port}`));
    expect(screen).toMatch(/ESTAB/);
    // lo carries the transfer: its RX rate is not zero.
    await app.waitFor((t) => /^lo\s+\S+\s+65536\s+\S+\s+(?!0B)\S+/m.test(t), 'lo rx rate > 0', 10000);
  });

  it('i shows iostat with writes on a device and the filesystem table', async () => {
    await app.press('i');
    await app.waitForText(/Device\s+r\/s/, 10000);
    expect(app.lines()[0]).toMatch(/^iostat — /);
    await app.waitFor((s) => {
      const lines = s.split('\n');
      const h = lines.findIndex((l) => /^Device\s+r\/s/.test(l));
      if (h < 0) return false;
      const titles = lines[h].trim().split(/\s+/);
      const wi = titles.indexOf('w/s');
      return lines.slice(h + 1, h + 10).some((l) => Number(l.trim().split(/\s+/)[wi]) > 0);
    }, 'a device with w/s > 0', 15000);
    expect(app.screenText()).toMatch(/Filesystem\s+Type\s+Size/);
  });

  it('f shows the failures view and Esc/Tab move between views', async () => {
    await app.press('f');
    await app.waitForText(/Timeline/, 10000);
    await app.waitForText(/Kernel log/, 10000);
    await app.press('\t');
    await app.waitForText(/PID\s+USER/, 10000);
  });
});
