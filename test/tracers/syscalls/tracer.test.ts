// syscalls tracer: argument rendering and decoders on canned bytes, the
// layout against the addon's offsetof, and (privileged) a live child that
// issues a known syscall sequence, checked in order with its arguments, in
// stream, --summary (in-kernel) and --by-process modes.
import { liveTracerSkipReason } from '../../helpers/native.js';
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { spawn, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TracerManager } from '../../../src/tracers/manager.js';
import {
  SYSCALLS_LAYOUTS, SC_BLOB, SC_F, SyscallAggregator, decodeSyscall, decodeSyscallStats, reg64, syscallCall, syscallsTracer, type SyscallEvent,
} from '../../../src/tracers/syscalls/tracer.js';
import { formatCall, formatRet, formatSockaddr, openFlags, syscallName } from '../../../src/tracers/syscalls/args.js';
import { SYSCALL_NAMES, ERRNO_NAMES } from '../../../src/tracers/syscalls/names.js';

const ctx = { wallMs: (ns: number) => ns / 1e6 };

function cannedEvent(o: { nr: number; args?: number[]; ret?: number; blob?: Uint8Array; blobKind?: number; flags?: number; pid?: number; comm?: string; durNs?: number }): DataView {
  const L = SYSCALLS_LAYOUTS.syscall_event;
  const blob = o.blob ?? new Uint8Array();
  const buf = new ArrayBuffer(L.size + blob.length + 8);
  const v = new DataView(buf);
  v.setBigUint64(L.fields.ts_ns, 5_000_000_000n, true);
  v.setBigUint64(L.fields.dur_ns, BigInt(o.durNs ?? 1500), true);
  (o.args ?? []).forEach((a, i) => v.setBigInt64(L.fields.args + 8 * i, BigInt(a), true));
  v.setBigInt64(L.fields.ret, BigInt(o.ret ?? 0), true);
  v.setUint32(L.fields.pid, o.pid ?? 42, true);
  v.setUint32(L.fields.tid, (o.pid ?? 42) + 1, true);
  v.setInt32(L.fields.nr, o.nr, true);
  v.setUint16(L.fields.flags, o.flags ?? 0, true);
  v.setUint8(L.fields.blob_kind, o.blobKind ?? (o.blob ? SC_BLOB.PATH : SC_BLOB.NONE));
  v.setUint16(L.fields.blob_len, blob.length, true);
  new Uint8Array(buf, L.fields.comm, 16).set(Buffer.from(o.comm ?? 'prog'));
  new Uint8Array(buf, L.size, blob.length).set(blob);
  return v;
}

describe('syscall tables and argument rendering', () => {
  it('names x86_64 syscalls and errnos', () => {
    expect(SYSCALL_NAMES[0]).toBe('read');
    expect(SYSCALL_NAMES[257]).toBe('openat');
    expect(SYSCALL_NAMES[231]).toBe('exit_group');
    expect(syscallName(9999)).toBe('syscall_9999');
    expect(ERRNO_NAMES[2]).toBe('ENOENT');
    expect(ERRNO_NAMES[13]).toBe('EACCES');
  });
  it('renders open flags like strace', () => {
    expect(openFlags(0)).toBe('O_RDONLY');
    expect(openFlags(0o2000000)).toBe('O_RDONLY|O_CLOEXEC');
    expect(openFlags(0o1101)).toBe('O_WRONLY|O_CREAT|O_TRUNC');
    expect(openFlags(0o2 | 0o4010000)).toBe('O_RDWR|O_SYNC');
  });
  it('renders calls and results', () => {
    const p = new TextEncoder().encode('/etc/pass"wd\n');
    expect(formatCall({ name: 'openat', args: [-100, 0x1000, 0o2000000, 0], ret: 3, blob: p })).toBe('openat(AT_FDCWD, "/etc/pass\\"wd\\x0a", O_RDONLY|O_CLOEXEC)');
    expect(formatCall({ name: 'openat', args: [-100, 0x1000, 0o101, 0o644], ret: 3, blob: new TextEncoder().encode('/x') })).toBe('openat(AT_FDCWD, "/x", O_WRONLY|O_CREAT, 0644)');
    expect(formatCall({ name: 'write', args: [1, 0x2000, 40], ret: 40, blob: new TextEncoder().encode('hi\n'), blobTruncated: true })).toBe('write(1, "hi\\n"..., 40)');
    expect(formatCall({ name: 'getpid', args: [], ret: 7 })).toBe('getpid()');
    expect(formatCall({ name: 'mmap', args: [0, 4096, 3, 0x22, -1, 0], ret: 0x7f0000000000 })).toBe('mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0x0)');
    expect(formatCall({ name: 'nosuch', args: [1, 2, 3], ret: 0 })).toBe('nosuch(0x1, 0x2, 0x3, ...)');
    expect(formatRet('openat', -2)).toBe('-1 ENOENT');
    expect(formatRet('mmap', 0x7f0000001000)).toBe('0x7f0000001000');
    expect(formatRet('exit_group', 0, true)).toBe('?');
    expect(formatSockaddr(new Uint8Array([2, 0, 0x1f, 0x90, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]))).toBe('{sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr("127.0.0.1")}');
  });
});

describe('syscall_event decoder (canned bytes)', () => {
  it('decodes registers: negatives, pointers, AT_FDCWD', () => {
    const v = new DataView(new ArrayBuffer(8));
    v.setBigInt64(0, -100n, true);
    expect(reg64(v, 0)).toBe(-100);
    v.setBigUint64(0, 0x7ffd12345678n, true);
    expect(reg64(v, 0)).toBe(0x7ffd12345678);
  });
  it('decodes an openat with its path blob and an error return', () => {
    const e = decodeSyscall(cannedEvent({ nr: 257, args: [-100, 0x5000, 0, 0], ret: -2, blob: new TextEncoder().encode('/nope'), comm: 'cat' }), ctx)!;
    expect(e).toMatchObject({ nr: 257, name: 'openat', ret: -2, pid: 42, tid: 43, comm: 'cat', durNs: 1500, tsNs: 5e9 });
    expect(e.args.slice(0, 3)).toEqual([-100, 0x5000, 0]);
    expect(syscallCall(e)).toBe('openat(AT_FDCWD, "/nope", O_RDONLY)');
    const cols = Object.fromEntries(syscallsTracer.columns.map((c) => [c.id, c.value(e)]));
    expect(cols).toMatchObject({ syscall: 'openat', ret: -2, errno: 'ENOENT', dur_us: 1.5, pid: 42 });
  });
  it('marks calls that never return', () => {
    const e = decodeSyscall(cannedEvent({ nr: 231, args: [3], flags: SC_F.NORETURN }), ctx)!;
    expect(syscallCall(e)).toBe('exit_group(3)');
    expect(syscallsTracer.columns.find((c) => c.id === 'ret')!.value(e)).toBeNull();
  });
  it('rejects short records', () => {
    expect(decodeSyscall(new DataView(new ArrayBuffer(40)), ctx)).toBeNull();
  });
  it('decodes per-CPU stats dumps and aggregates like syscount', () => {
    const ncpu = 2, stride = 32, ks = 4, vs = stride * ncpu;
    const buf = new ArrayBuffer(2 * (ks + vs));
    const v = new DataView(buf);
    const put = (i: number, nr: number, cpu: [number, number, number, number][]) => {
      v.setUint32(i * (ks + vs), nr, true);
      cpu.forEach(([c, e, t, m], k) => {
        const o = i * (ks + vs) + ks + k * stride;
        v.setBigUint64(o, BigInt(c), true); v.setBigUint64(o + 8, BigInt(e), true);
        v.setBigUint64(o + 16, BigInt(t), true); v.setBigUint64(o + 24, BigInt(m), true);
      });
    };
    put(0, 1, [[10, 0, 5000, 900], [5, 1, 2500, 1200]]);
    put(1, 3, [[0, 0, 0, 0], [0, 0, 0, 0]]);
    const rows = decodeSyscallStats({ keySize: ks, valueSize: vs, count: 2, data: buf });
    expect(rows).toEqual([{ nr: 1, syscall: 'write', count: 15, errors: 1, totalNs: 7500, maxNs: 1200 }]);
    const agg = new SyscallAggregator({ summary: true });
    agg.collect({ mapDump: () => ({ keySize: ks, valueSize: vs, count: 2, data: buf }) });
    agg.add([decodeSyscall(cannedEvent({ nr: 1, args: [1, 0, 1], ret: 1, durNs: 100 }), ctx)!]);
    const t = agg.tables()[0];
    expect(t.rows[0]).toMatchObject({ syscall: 'write', count: 16, errors: 1, totalNs: 7600, maxNs: 1200 });
  });
});


// ---- live ---------------------------------------------------------------

function liveSkipReason(): string | null {
  return liveTracerSkipReason('syscalls');
}
const skipLive = liveSkipReason();

const N_WRITES = 7;
const PROG = `
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>
#include <sys/syscall.h>
int main(int argc, char **argv) {
  char go, buf[16];
  if (read(0, &go, 1) != 1) return 2;
  long fd = syscall(SYS_openat, AT_FDCWD, argv[1], O_RDONLY | O_CLOEXEC);
  syscall(SYS_read, fd, buf, 16);
  syscall(SYS_openat, AT_FDCWD, argv[2], O_RDONLY);
  long nul = syscall(SYS_openat, AT_FDCWD, "/dev/null", O_WRONLY);
  for (int i = 0; i < ${N_WRITES}; i++) syscall(SYS_write, nul, "hello", 5);
  syscall(SYS_close, fd);
  syscall(SYS_close, nul);
  syscall(SYS_getpid);
  syscall(SYS_exit_group, 0);
  return 0;
}
`;

describe.skipIf(!!skipLive)('syscalls live (privileged)', () => {
  let dir: string;
  let bin: string;
  let target: string;
  let missing: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-sc-'));
    fs.writeFileSync(path.join(dir, 'p.c'), PROG);
    bin = path.join(dir, 'scprog');
    execFileSync('cc', ['-O1', '-o', bin, path.join(dir, 'p.c')]);
    target = path.join(dir, 'target-' + Math.random().toString(36).slice(2, 8));
    fs.writeFileSync(target, '0123456789abcdefXYZ');
    missing = path.join(dir, 'missing-' + Math.random().toString(36).slice(2, 8));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Runs the program with `mode` tracing its pid; returns what the tracer saw. */
  async function traced(opts: { summary?: boolean; flags?: Record<string, boolean> }) {
    const m = new TracerManager({ lookup: (name) => (name === 'syscalls' ? syscallsTracer : undefined) });
    const events: SyscallEvent[] = [];
    m.onEvents<SyscallEvent>('syscalls', (b) => events.push(...b));
    const child = spawn(bin, [target, missing], { stdio: ['pipe', 'ignore', 'ignore'] });
    await new Promise<void>((res, rej) => { child.once('spawn', () => res()); child.once('error', rej); });
    const pid = child.pid!;
    const byProcess = !!opts.flags?.['by-process'];
    const topts = { pid: byProcess ? undefined : pid, summary: opts.summary, flags: opts.flags ?? {} };
    const agg = syscallsTracer.createAggregator!(topts) as SyscallAggregator;
    try {
      m.start('syscalls', topts);
      const exited = new Promise<number | null>((res) => child.once('exit', (c) => res(c)));
      child.stdin!.end('g');
      expect(await exited).toBe(0);
      m.poll();
      agg.add(events);
      agg.collect(m.handle('syscalls'));
      const drops = m.drops('syscalls');
      return { pid, events, agg, drops };
    } finally {
      m.stop('syscalls');
      child.kill();
    }
  }

  it('streams the exact sequence with decoded arguments, results and errno (--data: buffers too)', async () => {
    const { pid, events, drops } = await traced({ flags: { data: true } });
    expect(drops.ring).toBe(0);
    const mine = events.filter((e) => e.pid === pid);
    const start = mine.findIndex((e) => e.name === 'openat' && e.blob === target);
    expect(start).toBeGreaterThanOrEqual(0);
    const seq = mine.slice(start);
    const lines = seq.map((e) => `${syscallCall(e)} = ${formatRet(e.name, e.ret, (e.flags & SC_F.NORETURN) !== 0)}`);
    expect(lines).toEqual([
      `openat(AT_FDCWD, "${target}", O_RDONLY|O_CLOEXEC) = 3`,
      'read(3, "0123456789abcdef", 16) = 16',
      `openat(AT_FDCWD, "${missing}", O_RDONLY) = -1 ENOENT`,
      'openat(AT_FDCWD, "/dev/null", O_WRONLY) = 4',
      ...Array(N_WRITES).fill('write(4, "hello", 5) = 5'),
      'close(3) = 0',
      'close(4) = 0',
      `getpid() = ${pid}`,
      'exit_group(0) = ?',
    ]);
    for (const e of seq) {
      expect(e.comm).toBe('scprog');
      expect(e.tid).toBe(pid);
      if (!(e.flags & SC_F.NORETURN)) {
        expect(e.durNs).toBeGreaterThan(0);
        expect(e.durNs).toBeLessThan(1e9);
      }
    }
    // ts order
    for (let i = 1; i < seq.length; i++) expect(seq[i].tsNs).toBeGreaterThanOrEqual(seq[i - 1].tsNs);
    // The syscount aggregate of the stream
    const agg = new SyscallAggregator({});
    agg.add(seq);
    const rows = Object.fromEntries(agg.bySyscall().map((r) => [r.syscall, r]));
    expect(rows.write).toMatchObject({ count: N_WRITES, errors: 0 });
    expect(rows.openat).toMatchObject({ count: 3, errors: 1 });
    expect(rows.close.count).toBe(2);
    expect(rows.exit_group).toBeUndefined();
  });

  it('without --data streams buffers as addresses, paths still read', async () => {
    const { pid, events, drops } = await traced({});
    expect(drops.ring).toBe(0);
    const mine = events.filter((e) => e.pid === pid);
    const start = mine.findIndex((e) => e.name === 'openat' && e.blob === target);
    expect(start).toBeGreaterThanOrEqual(0);
    const lines = mine.slice(start).map((e) => `${syscallCall(e)} = ${formatRet(e.name, e.ret, (e.flags & SC_F.NORETURN) !== 0)}`);
    expect(lines[1]).toMatch(/^read\(3, 0x[0-9a-f]+, 16\) = 16$/);
    expect(lines[2]).toBe(`openat(AT_FDCWD, "${missing}", O_RDONLY) = -1 ENOENT`);
    const writes = lines.filter((l) => l.startsWith('write('));
    expect(writes).toHaveLength(N_WRITES);
    for (const w of writes) expect(w).toMatch(/^write\(4, 0x[0-9a-f]+, 5\) = 5$/);
    expect(mine.slice(start).every((e) => e.comm === 'scprog')).toBe(true);
  });

  it('--summary counts in the kernel per syscall and streams nothing', async () => {
    const { events, agg } = await traced({ summary: true });
    expect(events).toEqual([]);
    const rows = Object.fromEntries(agg.bySyscall().map((r) => [r.syscall, r]));
    expect(rows.write).toMatchObject({ count: N_WRITES, errors: 0 });
    expect(rows.openat).toMatchObject({ count: 3, errors: 1 });
    expect(rows.close).toMatchObject({ count: 2, errors: 0 });
    expect(rows.getpid.count).toBe(1);
    expect(rows.write.totalNs).toBeGreaterThan(0);
    expect(rows.write.maxNs).toBeGreaterThan(0);
    expect(rows.write.maxNs).toBeLessThanOrEqual(rows.write.totalNs);
  });

  it('--summary --no-latency counts calls and errors from sys_exit alone', async () => {
    const { events, agg } = await traced({ summary: true, flags: { 'no-latency': true } });
    expect(events).toEqual([]);
    const rows = Object.fromEntries(agg.bySyscall().map((r) => [r.syscall, r]));
    expect(rows.write).toMatchObject({ count: N_WRITES, errors: 0, totalNs: 0 });
    expect(rows.openat).toMatchObject({ count: 3, errors: 1 });
    expect(rows.getpid.count).toBe(1);
  });

  it('--summary --by-process counts per process system-wide', async () => {
    const { pid, agg } = await traced({ summary: true, flags: { 'by-process': true } });
    const me = agg.byProcess().find((r) => r.pid === pid);
    expect(me).toBeDefined();
    expect(me!.count).toBeGreaterThanOrEqual(N_WRITES + 6);
    expect(me!.top).toContain(`write:${N_WRITES}`);
    expect(agg.byProcess().some((r) => r.pid === process.pid)).toBe(false);
  });
});
