// Loads the agreement tests make so the classic tools and ostop have
// something non-trivial to measure: an O_DIRECT dd rewriting one file,
// a steady loopback TCP transfer in a child process, and a listener with a
// few connected pairs in this process.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export function run(cmd: string, args: string[], timeoutMs = 30000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', () => { clearTimeout(t); resolve({ code: -1, stdout, stderr }); });
    p.on('close', (code) => { clearTimeout(t); resolve({ code, stdout, stderr }); });
  });
}

export function hasTool(cmd: string): boolean {
  for (const d of (process.env.PATH ?? '/usr/bin:/bin:/usr/sbin:/sbin').split(':').concat(['/usr/sbin', '/sbin'])) {
    try { fs.accessSync(path.join(d, cmd), fs.constants.X_OK); return true; } catch { /* next */ }
  }
  return false;
}

/** A directory on a real block device (O_DIRECT fails on tmpfs). */
export function blockBackedDir(): string | undefined {
  for (const d of [os.tmpdir(), '/var/tmp', process.cwd()]) {
    const probe = path.join(d, `.ostop-odirect-${process.pid}`);
    try {
      const fd = fs.openSync(probe, fs.constants.O_WRONLY | fs.constants.O_CREAT | (fs.constants.O_DIRECT ?? 0o40000), 0o600);
      fs.closeSync(fd);
      fs.unlinkSync(probe);
      const st = fs.statSync(d);
      if (Math.floor(Number(st.dev) / 256) !== 0) return d; // major 0 = virtual fs
    } catch { /* next */ }
  }
  return undefined;
}

/** Rewrites one 64 MiB file with O_DIRECT in a loop until stopped. */
export function startDiskLoad(dir: string): { stop: () => void } {
  const file = path.join(dir, `.ostop-agreement-${process.pid}.dat`);
  // Writes and reads, both O_DIRECT (past the page cache): bo and bi are then
  // this load's steady rates, large enough that what else runs meanwhile (other
  // test files loading from a cold cache in CI) stays inside the tolerance.
  const writer = `while :; do dd if=/dev/zero of="${file}" bs=256k count=256 oflag=direct conv=notrunc status=none || exit 1; done`;
  const reader = `while :; do if [ -s "${file}" ]; then dd if="${file}" of=/dev/null bs=256k iflag=direct status=none || sleep 0.1; else sleep 0.1; fi; done`;
  const p: ChildProcess = spawn('sh', ['-c', `(${writer}) & (${reader}) & wait`], { stdio: 'ignore', detached: true });
  return {
    stop() {
      try { process.kill(-p.pid!, 'SIGKILL'); } catch { /* gone */ }
      try { fs.unlinkSync(file); } catch { /* gone */ }
    },
  };
}

/** A child process that sends ~`mbps` MB/s to itself over 127.0.0.1 TCP, steadily. */
export function startLoopbackLoad(mbps = 40): { stop: () => void } {
  const script = `
    const net = require('net');
    const chunk = Buffer.alloc(1 << 20);
    const srv = net.createServer((s) => s.on('data', () => {})).listen(0, '127.0.0.1', () => {
      const c = net.connect(srv.address().port, '127.0.0.1', () => {
        setInterval(() => { for (let i = 0; i < ${Math.max(1, Math.round(mbps / 20))}; i++) c.write(chunk); }, 50);
      });
    });`;
  const p = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  return { stop: () => { try { p.kill('SIGKILL'); } catch { /* gone */ } } };
}

/** A listener on a port the OS picks and `pairs` connected client/server pairs, all in this process. */
export async function startListener(pairs: number): Promise<{ port: number; stop: () => Promise<void> }> {
  const conns: net.Socket[] = [];
  const srv = net.createServer((s) => conns.push(s));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  for (let i = 0; i < pairs; i++) {
    await new Promise<void>((r) => { const c = net.connect(port, '127.0.0.1', () => r()); conns.push(c); });
  }
  // Let the accepts land so both ends are ESTABLISHED and owned.
  while (conns.length < pairs * 2) await new Promise((r) => setTimeout(r, 10));
  return {
    port,
    stop: async () => {
      for (const c of conns) c.destroy();
      await new Promise<void>((r) => srv.close(() => r()));
    },
  };
}
