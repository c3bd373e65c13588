// The drill-in Source samples the pid its request names (the contract in
// src/model/view-contract.ts): a request for another pid starts it over,
// with nothing carried from the other process (rates, history, exit, end).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProcessSource } from '../../src/views/process-source.js';
import { realProcFs } from '../../src/collectors/proc-detail-read.js';

const TREE = fileURLToPath(new URL('../fixtures/proc-detail/tree', import.meta.url));
let root: string;

beforeEach(() => {
  // The fixture process 4242, and a second process 5151 made from it (its own pid and start time).
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-psrc-'));
  fs.cpSync(TREE, root, { recursive: true, verbatimSymlinks: true });
  fs.cpSync(path.join(TREE, '4242'), path.join(root, '5151'), { recursive: true, verbatimSymlinks: true });
  const stat = fs.readFileSync(path.join(root, '5151/stat'), 'utf8');
  const close = stat.lastIndexOf(')');
  const rest = stat.slice(close + 2).split(' ');
  rest[19] = '600000'; // starttime (field 22)
  fs.writeFileSync(path.join(root, '5151/stat'), `5151 (other) ${rest.join(' ')}`);
  fs.writeFileSync(path.join(root, '5151/comm'), 'other\n');
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('drill-in Source: the pid comes from the request', () => {
  it('samples the requested pid; another pid starts over (no rates, a fresh history)', () => {
    let now = 1_000_000;
    const src = new ProcessSource({ fs: realProcFs(root), historySize: 10, clock: () => (now += 1000) });
    expect(src.pid).toBeUndefined();
    for (let i = 0; i < 4; i++) src.collect(i, { pid: 4242 });
    let m = src.model()!;
    expect(src.pid).toBe(4242);
    expect(m.pid).toBe(4242);
    expect(m.history.rssKb).toHaveLength(4);
    expect(m.history.cpuPercent).toHaveLength(3);
    src.collect(5, { pid: 5151 });
    m = src.model()!;
    expect(src.pid).toBe(5151);
    expect(m.pid).toBe(5151);
    expect(m.identity.comm).toBe('other');
    expect(m.status).not.toBe('exited');
    expect(m.cpu.percent).toBeNull(); // first sample of this process: no rate from 4242's
    expect(m.history.rssKb).toHaveLength(1);
    expect(m.history.cpuPercent).toEqual([]);
    src.collect(6, { pid: 5151 });
    expect(src.model()!.history.cpuPercent).toHaveLength(1);
  });

  it('an exited process does not stick: the next pid is sampled alive, and the exited one anew', () => {
    let now = 1_000_000;
    const src = new ProcessSource({ fs: realProcFs(root), clock: () => (now += 1000) });
    src.collect(1, { pid: 5151 });
    fs.rmSync(path.join(root, '5151'), { recursive: true });
    src.collect(2, { pid: 5151 });
    expect(src.gone).toBe(true);
    expect(src.model()!.status).toBe('exited');
    expect(src.model()!.identity.comm).toBe('other'); // the last values read while it lived
    src.collect(3, { pid: 4242 });
    expect(src.gone).toBe(false);
    expect(src.model()!.pid).toBe(4242);
    expect(src.model()!.status).not.toBe('exited');
    src.collect(4, { pid: 5151 }); // never seen alive by this start: a missing process, not 4242's values
    expect(src.gone).toBe(true);
    expect(src.model()!.pid).toBe(5151);
    expect(src.model()!.identity.comm).toBe('');
  });
});
