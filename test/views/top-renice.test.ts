// F7/F8 in the top view: the NI and PRI columns show the new nice value at
// the redraw that follows the key, without waiting for the next refresh
// (the screen calls the app's actions.renice(), whose listeners include the
// top Source; then the app redraws from source.model()).
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import { TopSource } from '../../src/views/top.js';
import type { TopRequest } from '../../src/model/view-contract.js';
import { DEFAULT_CONFIG } from '../../src/app/config.js';
import { UserNames } from '../../src/collectors/users.js';
import { createActions } from '../../src/actions/index.js';

const kids: ChildProcess[] = [];

/** What the top screen asks for with this config once `pid`'s row is drawn. */
function request(c: typeof DEFAULT_CONFIG, pid: number): TopRequest {
  return { columns: c.columns, sort: c.sort, hideUserThreads: c.hideUserThreads, visiblePids: new Set([pid]), strip: false, allCommandLines: false };
}
afterAll(() => { for (const k of kids) k.kill('SIGKILL'); });

describe.skipIf(process.platform !== 'linux')('renice in the top view', () => {
  it('the row has the new nice and priority right after renice(), with no new collect', async () => {
    const kid = spawn('/bin/sleep', ['1000'], { stdio: 'ignore' });
    kids.push(kid);
    await new Promise((r) => kid.once('spawn', r));
    const pid = kid.pid!;
    const req = request({ ...DEFAULT_CONFIG, hideUserThreads: true }, pid);
    const actions = createActions();
    const src = new TopSource({ users: new UserNames(), pids: new Set([pid]) }, { renice: actions });
    try {
      src.collect(performance.now(), req);
      const before = src.model()!.rows.find((r) => r.pid === pid)!;
      expect(before.nice).toBe(os.getPriority(pid));
      const res = actions.renice(pid, 3);
      expect(res).toMatchObject({ ok: true, nice: before.nice + 3 });
      // no collect(): what the redraw after the key would draw
      const after = src.model()!.rows.find((r) => r.pid === pid)!;
      expect(after.nice).toBe(before.nice + 3);
      expect(after.priority).toBe(before.priority + 3);
      // and the next real sample agrees
      src.collect(performance.now() + 1000, req);
      expect(src.model()!.rows.find((r) => r.pid === pid)!.nice).toBe(before.nice + 3);
    } finally {
      src.dispose();
    }
  });

  it('a disposed source is no longer told', async () => {
    const kid = spawn('/bin/sleep', ['1000'], { stdio: 'ignore' });
    kids.push(kid);
    await new Promise((r) => kid.once('spawn', r));
    const pid = kid.pid!;
    const req = request({ ...DEFAULT_CONFIG }, pid);
    const actions = createActions();
    const src = new TopSource({ users: new UserNames(), pids: new Set([pid]) }, { renice: actions });
    src.collect(performance.now(), req);
    const nice = src.model()!.rows.find((r) => r.pid === pid)!.nice;
    src.dispose();
    expect(actions.renice(pid, 2).ok).toBe(true);
    expect(src.model()!.rows.find((r) => r.pid === pid)!.nice).toBe(nice);
  });
});
