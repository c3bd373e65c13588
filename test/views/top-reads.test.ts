// Per-tick work of the top view: each machine-wide /proc file (stat,
// meminfo, loadavg, uptime, vmstat, diskstats, net/dev) is read at most once
// per tick with the header and the table (and the wide-terminal strip) on,
// counted through the procfs layer's injectable reader on the live /proc.
import { describe, expect, it } from 'vitest';
import { TopSource } from '../../src/views/top.js';
import type { TopRequest } from '../../src/model/view-contract.js';
import { UserNames } from '../../src/collectors/users.js';
import { CountingReader } from '../../src/collectors/procfs/read.js';
import { MACHINE_FILES } from '../../src/collectors/machine.js';

const SYSTEM_FILES = Object.values(MACHINE_FILES).map((f) => `/proc/${f}`);

function request(strip: boolean, visiblePids?: ReadonlySet<number>): TopRequest {
  return { columns: ['pid', 'user', 'cpu', 'mem', 'time', 'command'], sort: 'cpu', hideUserThreads: true, visiblePids, strip, allCommandLines: false };
}

describe.skipIf(process.platform !== 'linux')('the top view reads each system file once per tick', () => {
  for (const strip of [false, true]) {
    it(`header + table${strip ? ' + system strip' : ''}`, () => {
      const reader = new CountingReader();
      const src = new TopSource({ users: new UserNames(), reader });
      try {
        let t = 1000;
        let vis: ReadonlySet<number> | undefined;
        for (let tick = 0; tick < 4; tick++) {
          reader.reset();
          src.collect((t += 1000), request(strip, vis));
          src.complete(request(strip, vis));
          const m = src.model()!;
          expect(m.rows.length).toBeGreaterThan(0);
          vis = new Set(m.rows.slice(0, 20).map((r) => r.pid));
          for (const f of SYSTEM_FILES) expect(reader.of(f), `${f} at tick ${tick}`).toBeLessThanOrEqual(1);
          // the header's files are read every tick; the strip's only when it is shown
          for (const f of ['/proc/stat', '/proc/meminfo', '/proc/loadavg', '/proc/uptime']) expect(reader.of(f), f).toBe(1);
          for (const f of ['/proc/vmstat', '/proc/diskstats', '/proc/net/dev']) expect(reader.of(f), f).toBe(strip ? 1 : 0);
        }
        if (strip) expect(src.model()!.strip?.vm).toBeDefined();
      } finally {
        src.dispose();
      }
    });
  }
});
