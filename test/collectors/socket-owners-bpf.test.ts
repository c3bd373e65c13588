// The BPF socket-owner iterator must name the same owners as the /proc scan:
// same pid, fd, comm and sharing count for every socket, here for sockets
// a child process holds (a listener, connected pairs, and one socket shared
// with a forked grandchild), with the rest of the machine as it is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { isDeepStrictEqual } from 'node:util';
import { readSocketOwners } from '../../src/collectors/sockets.js';
import { decodeSocketOwners, readSocketOwnersBpf, socketOwnersBpfFailure, TASKFILES_MARKER_FD, TASKFILES_REC } from '../../src/collectors/socket-owners-bpf.js';
import { loadNative } from '../../src/native.js';
import { rootSkipReason } from '../helpers/native.js';

const skip = rootSkipReason('socket owners: BPF iterator vs /proc (live)');

describe('decodeSocketOwners', () => {
  it('takes the first holder as owner, counts other pids as sharers, and lists every marked pid as seen', () => {
    const recs: Array<[number, number, number, string]> = [
      // ino, tgid, fd, comm
      [0, 10, TASKFILES_MARKER_FD, 'a'],
      [500, 10, 3, 'a'],
      [501, 10, 4, 'a'],
      [0, 11, TASKFILES_MARKER_FD, 'b\x1b[31m'],
      [500, 11, 7, 'b\x1b[31m'],
      [2 ** 40 + 5, 11, 8, 'b\x1b[31m'],
      [0, 12, TASKFILES_MARKER_FD, 'c'],
    ];
    const buf = Buffer.alloc(recs.length * TASKFILES_REC.size);
    recs.forEach(([ino, tgid, fd, comm], i) => {
      const o = i * TASKFILES_REC.size;
      buf.writeBigUInt64LE(BigInt(ino), o + TASKFILES_REC.ino);
      buf.writeUInt32LE(tgid, o + TASKFILES_REC.tgid);
      buf.writeUInt32LE(fd >>> 0, o + TASKFILES_REC.fd);
      buf.write(comm, o + TASKFILES_REC.comm, 'latin1');
    });
    const r = decodeSocketOwners(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
    expect([...r.seen]).toEqual([10, 11, 12]);
    expect(r.owners.get(500)).toEqual({ pid: 10, comm: 'a', fd: 3, sharedBy: 2 });
    expect(r.owners.get(501)).toEqual({ pid: 10, comm: 'a', fd: 4, sharedBy: 1 });
    const big = r.owners.get(2 ** 40 + 5)!;
    expect(big.pid).toBe(11);
    expect(big.comm).not.toContain('\x1b'); // sanitized
    expect(r.owners.size).toBe(3);
  });
});

describe.skipIf(skip !== null)('socket owners: BPF iterator vs /proc scan (live, root)', () => {
  let child: ChildProcess;
  let inodes: number[] = [];
  beforeAll(async () => {
    // A listener, 20 connected pairs, and a socket shared with a forked child (sharedBy 2).
    const script = `
      const net = require('net'); const { spawn } = require('child_process'); const fs = require('fs');
      const srv = net.createServer(() => {}).listen(0, '127.0.0.1', () => {
        let n = 0;
        for (let i = 0; i < 20; i++) net.connect(srv.address().port, '127.0.0.1', () => { if (++n === 20) ready(); });
      });
      function ready() {
        const kid = spawn('sleep', ['600'], { stdio: ['ignore', 'ignore', 'ignore', srv._handle.fd] });
        setTimeout(() => {
          const ino = fs.readdirSync('/proc/self/fd').map((f) => { try { return fs.readlinkSync('/proc/self/fd/' + f); } catch { return ''; } })
            .filter((l) => l.startsWith('socket:[')).map((l) => Number(l.slice(8, -1)));
          process.stdout.write(JSON.stringify({ ino, kid: kid.pid }) + '\\n');
        }, 200);
        process.on('SIGTERM', () => { kid.kill('SIGKILL'); process.exit(0); });
      }`;
    child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d) => { out += d; if (out.includes('\n')) resolve(out); });
      child.on('exit', () => reject(new Error('socket holder exited early')));
    });
    inodes = (JSON.parse(line) as { ino: number[] }).ino;
  }, 20000);
  afterAll(() => {
    child?.kill('SIGTERM');
  });

  it('names the same owners as /proc, and sees the holder', () => {
    const nat = loadNative();
    if (!nat.ok) throw nat.error; // as root the addon must be there
    const bpf = readSocketOwnersBpf();
    expect(bpf, socketOwnersBpfFailure()).toBeDefined();
    expect(bpf!.seen.has(child.pid!)).toBe(true);
    expect(inodes.length).toBeGreaterThanOrEqual(41); // listener + 20 x 2 ends
    const set = new Set(inodes);
    const viaBpf = readSocketOwners({ inodes: set });
    const viaProc = readSocketOwners({ inodes: set, bpf: false });
    expect(viaBpf.size).toBe(inodes.length);
    expect(viaBpf).toEqual(viaProc);
    const shared = [...viaBpf.values()].filter((o) => o.sharedBy === 2);
    // the listener, also held by the forked sleep: the lower pid owns it (the
    // child's stdout, a socketpair shared with this test's process, is also shared)
    expect(shared.some((o) => o.pid === child.pid)).toBe(true);
    // The whole table too, for sockets that exist in both reads (others may
    // come and go in between) and whose owner did not change around the
    // iterator's read (the /proc scans before and after it agree: other
    // processes fork and exit meanwhile, changing sharedBy).
    const before = readSocketOwners({ bpf: false });
    const allBpf = readSocketOwners();
    const allProc = readSocketOwners({ bpf: false });
    const common = [...allBpf.keys()].filter((k) => allProc.has(k) && isDeepStrictEqual(before.get(k), allProc.get(k)));
    expect(common.length).toBeGreaterThanOrEqual(inodes.length);
    for (const k of common) {
      if (isDeepStrictEqual(allBpf.get(k), allProc.get(k))) continue;
      // A process that lived only during the iterator's read (forked and
      // gone) shares the socket there and in neither scan: read it again.
      const only = new Set([k]);
      let same = false;
      for (let i = 0; i < 3 && !same; i++) {
        const p0 = readSocketOwners({ inodes: only, bpf: false });
        const b = readSocketOwners({ inodes: only });
        const p = readSocketOwners({ inodes: only, bpf: false });
        same = isDeepStrictEqual(p0.get(k), p.get(k)) && isDeepStrictEqual(b.get(k), p.get(k));
      }
      expect(same, `inode ${k}: iterator ${JSON.stringify(allBpf.get(k))} vs /proc ${JSON.stringify(allProc.get(k))}, and 3 times again`).toBe(true);
    }
    // Sockets of processes the iterator does not see (on this VM pid 1's) come from the /proc fallback.
    // (Only sockets that existed before the iterator's read: a process forked
    // after it holds sockets neither the iterator nor its fallback could see.)
    for (const [k, o] of allProc) {
      if (bpf!.seen.has(o.pid) || allBpf.has(k) || !before.has(k)) continue;
      const still = readSocketOwners({ inodes: new Set([k]), bpf: false });
      expect(still.has(k), `inode ${k} of unseen pid ${o.pid} missing from the iterator path`).toBe(false);
    }
  });

  it('marks every process it reports sockets of, also across read-buffer boundaries', async () => {
    // 800 processes with sockets on fd 1 and 2 and /dev/null on fd 0: their
    // records cross several of the kernel's read buffers (32 KiB). A file
    // whose records do not fit is shown again in the next read(); its
    // process's marker must come again with it, or that process counts as
    // unseen and its sockets are counted twice by the /proc fallback.
    const kids: ChildProcess[] = [];
    try {
      for (let i = 0; i < 800; i++) kids.push(spawn('sleep', ['600'], { stdio: ['ignore', 'pipe', 'pipe'] }));
      await new Promise((r) => setTimeout(r, 300));
      const nat = loadNative();
      if (!nat.ok) throw nat.error;
      const buf = nat.addon.taskFilesRead();
      const dv = new DataView(buf);
      const marked = new Set<number>();
      const unmarked = new Set<number>();
      for (let o = 0; o + TASKFILES_REC.size <= buf.byteLength; o += TASKFILES_REC.size) {
        const pid = dv.getUint32(o + TASKFILES_REC.tgid, true);
        if (dv.getUint32(o + TASKFILES_REC.fd, true) === TASKFILES_MARKER_FD) marked.add(pid);
        else if (!marked.has(pid)) unmarked.add(pid);
      }
      expect(buf.byteLength).toBeGreaterThan(3 * 32768);
      for (const k of kids) expect(marked.has(k.pid!), `pid ${k.pid} has no marker`).toBe(true);
      expect([...unmarked], 'processes with socket records before (or without) their marker').toEqual([]);
    } finally {
      for (const k of kids) k.kill('SIGKILL');
    }
  }, 30000);
});
