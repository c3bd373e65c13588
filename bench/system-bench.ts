// Socket table refresh cost at 10,000+ sockets: ostop's collector + model
// in-process (what the netstat view pays per tick, with and without the
// owner scan: BPF task_file iterator as root, /proc/*/fd otherwise), and `ostop dump sockets`, `ss -tanp`, `ss -tan`,
// `netstat -tanp` each run as a process the same way, median of several
// runs. The sockets are made here: a child process (its fd limit raised
// with `ulimit -n`) holds one loopback listener and PAIRS connected pairs.
// Keep the whole run under about a minute.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSocketOwners, readSockets } from '../src/collectors/sockets.js';
import { socketOwnersBpfFailure } from '../src/collectors/socket-owners-bpf.js';
import { buildSocketsModel } from '../src/model/sockets.js';

const PAIRS = Number(process.env.OSTOP_BENCH_PAIRS ?? 5000);
const RUNS = Number(process.env.OSTOP_BENCH_RUNS ?? 5);

const holder = `
const net = require('net');
const pairs = ${PAIRS};
const keep = [];
const srv = net.createServer((s) => { keep.push(s); }).listen(0, '127.0.0.1', async () => {
  const port = srv.address().port;
  for (let i = 0; i < pairs; i += 200) {
    const batch = [];
    for (let j = i; j < Math.min(pairs, i + 200); j++) batch.push(new Promise((r, e) => { const c = net.connect(port, '127.0.0.1', r); c.on('error', e); keep.push(c); }));
    await Promise.all(batch);
  }
  while (keep.length < pairs * 2) await new Promise((r) => setTimeout(r, 10));
  process.stdout.write('ready ' + port + '\\n');
});
// Close with RST so the next run does not start with thousands of TIME_WAIT sockets.
process.stdin.on('end', () => { for (const s of keep) s.resetAndDestroy(); setTimeout(() => process.exit(0), 200); }); process.stdin.resume();
`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeIt(fn: () => void, runs = RUNS): number {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  return median(t);
}

function which(cmd: string): string | undefined {
  for (const d of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin', '/usr/bin', '/bin'])) {
    const p = path.join(d, cmd);
    try { fs.accessSync(p, fs.constants.X_OK); return p; } catch { /* next */ }
  }
  return undefined;
}

function timeCmd(cmd: string, args: string[]): { ms: number; lines: number } | undefined {
  const exe = path.isAbsolute(cmd) ? cmd : which(cmd);
  if (!exe) return undefined;
  let lines = 0;
  const ms = timeIt(() => {
    const r = spawnSync(exe, args, { encoding: 'utf8', maxBuffer: 256 << 20 });
    lines = r.stdout ? r.stdout.split('\n').length : 0;
  }, Math.max(3, Math.min(RUNS, 5)));
  return { ms, lines };
}

export async function benchSystem(): Promise<string> {
  const out: string[] = [];
  const child = spawn('sh', ['-c', `ulimit -n ${PAIRS * 2 + 1000} 2>/dev/null || ulimit -n $(ulimit -Hn); exec "${process.execPath}" -e "$0"`, holder], { stdio: ['pipe', 'pipe', 'inherit'] });
  const ready = await new Promise<boolean>((resolve) => {
    let buf = '';
    const t = setTimeout(() => resolve(false), 40000);
    child.stdout.on('data', (d) => { buf += d; if (buf.includes('ready')) { clearTimeout(t); resolve(true); } });
    child.on('exit', () => { clearTimeout(t); resolve(false); });
  });
  try {
    if (!ready) return 'system bench: could not create the sockets (fd limit? run as root or raise ulimit -n)';
    const n = readSockets({ protos: ['tcp', 'tcp6'] }).length;
    out.push(`socket table refresh, ${n} TCP sockets (1 listener + ${PAIRS} loopback pairs), median of ${RUNS}:`);
    const table = timeIt(() => { buildSocketsModel(readSockets({ protos: ['tcp', 'tcp6'] }), undefined); });
    const owners = timeIt(() => { readSocketOwners(); });
    const ownersProc = timeIt(() => { readSocketOwners({ bpf: false }); });
    const how = socketOwnersBpfFailure() ? `/proc/*/fd (no iterator: ${socketOwnersBpfFailure()})` : 'BPF task_file iterator';
    const full = timeIt(() => { const l = readSockets({ protos: ['tcp', 'tcp6'] }); buildSocketsModel(l, readSocketOwners()); });
    out.push(`  ostop in-process, table only (tcp+tcp6 parse + model)   ${table.toFixed(1)} ms`);
    out.push(`  ostop in-process, owner scan (${how})  ${owners.toFixed(1)} ms`);
    out.push(`  ostop in-process, owner scan /proc/*/fd (without the iterator)  ${ownersProc.toFixed(1)} ms`);
    out.push(`  ostop in-process, table + owners (netstat view tick)     ${full.toFixed(1)} ms`);
    const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/ostop.js');
    const rows: Array<[string, { ms: number; lines: number } | undefined]> = [];
    if (fs.existsSync(bin)) {
      rows.push(['ostop dump sockets -n 1 (owners)', timeCmd(process.execPath, [bin, 'dump', 'sockets', '-n', '1'])]);
      rows.push(['ostop dump sockets -n 1 --no-owners', timeCmd(process.execPath, [bin, 'dump', 'sockets', '-n', '1', '--no-owners'])]);
    }
    rows.push(['ss -tanp', timeCmd('ss', ['-tanp'])]);
    rows.push(['ss -tan', timeCmd('ss', ['-tan'])]);
    rows.push(['netstat -tanp', timeCmd('netstat', ['-tanp'])]);
    rows.push(['netstat -tan', timeCmd('netstat', ['-tan'])]);
    out.push('  as processes (spawn to exit, output read):');
    const ss = rows.find((r) => r[0] === 'ss -tanp')?.[1];
    for (const [name, r] of rows) {
      if (!r) { out.push(`    ${name.padEnd(38)} not installed`); continue; }
      out.push(`    ${name.padEnd(38)} ${r.ms.toFixed(1).padStart(8)} ms  ${String(r.lines).padStart(6)} lines` + (ss ? `  x${(r.ms / ss.ms).toFixed(2)} of ss -tanp` : ''));
    }
    if (ss) {
      out.push(`  ratio ostop in-process tick (table+owners) / ss -tanp process: ${(full / ss.ms).toFixed(2)}`);
      out.push(`  ratio ostop in-process table only / ss -tan process: ${(table / (rows.find((r) => r[0] === 'ss -tan')?.[1]?.ms ?? NaN)).toFixed(2)}`);
    }
    return out.join('\n');
  } finally {
    child.stdin.end();
    await new Promise<void>((r) => { const t = setTimeout(() => { child.kill('SIGKILL'); r(); }, 5000); child.on('exit', () => { clearTimeout(t); r(); }); });
  }
}

// Run directly: node dist/bench/system-bench.js
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  benchSystem().then((r) => console.log(r));
}
