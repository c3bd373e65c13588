import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readPidSockets, readSocketOwners, readSockets } from '../../src/collectors/sockets.js';

const root = fileURLToPath(new URL('../fixtures/net-basic/proc', import.meta.url));

describe('readers on a fixture tree', () => {
  it('readSockets reads every table', () => {
    const s = readSockets({ procRoot: root });
    expect(s.filter((x) => x.proto === 'tcp')).toHaveLength(4);
    expect(s.filter((x) => x.proto === 'unix')).toHaveLength(4);
  });
  it('readSocketOwners maps inode -> lowest pid, counts sharing, sanitizes comm', () => {
    const o = readSocketOwners({ procRoot: root });
    expect(o.get(2001)).toEqual({ pid: 100, comm: 'client', fd: 3, sharedBy: 2 });
    expect(o.get(2002)?.pid).toBe(200);
    expect(o.get(2002)?.comm).not.toMatch(/\x1b/);
    expect(o.get(5001)?.fd).toBe(4);
    expect(o.has(999)).toBe(false);
    const only = readSocketOwners({ procRoot: root, inodes: new Set([1071]) });
    expect([...only.keys()]).toEqual([1071]);
  });
  it('readPidSockets gives only that pid\'s sockets with fds', () => {
    const s = readPidSockets(100, { procRoot: root });
    expect(s.map((x) => [x.proto, x.inode, x.fd]).sort()).toEqual([['tcp', 2001, 3], ['unix', 5001, 4]]);
    expect(readPidSockets(300, { procRoot: root })).toEqual([]);
  });
});

describe('live /proc', () => {
  it('finds our own listening socket with owner', async () => {
    const net = await import('node:net');
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    try {
      const s = readSockets({ protos: ['tcp'] }).find((x) => x.localPort === port && x.state === 'LISTEN');
      expect(s).toBeDefined();
      const own = readSocketOwners({ inodes: new Set([s!.inode]) });
      expect(own.get(s!.inode)?.pid).toBe(process.pid);
      expect(readPidSockets(process.pid, { protos: ['tcp'] }).some((x) => x.inode === s!.inode)).toBe(true);
    } finally {
      srv.close();
    }
  });
});
