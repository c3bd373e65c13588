import { describe, it, expect } from 'vitest';
import { KmsgReader, type KmsgIo } from '../../src/collectors/kmsg.js';

/** Replays a script of read() outcomes: a record string, or an errno code. */
function fakeIo(script: Array<string | 'EAGAIN' | 'EPIPE'>): KmsgIo {
  let i = 0;
  return {
    open: () => 3,
    close: () => {},
    read: async (_fd, buf) => {
      const step = i < script.length ? script[i++] : 'EAGAIN';
      if (step === 'EAGAIN' || step === 'EPIPE') throw Object.assign(new Error(step), { code: step });
      return buf.write(step, 'latin1');
    },
  };
}

describe('KmsgReader', () => {
  it('stops at EAGAIN and resumes on the next drain', async () => {
    const r = new KmsgReader('/dev/null', fakeIo(['6,1,10,-;a\n', '6,2,11,-;b\n', 'EAGAIN', '6,3,12,-;c\n', 'EAGAIN']));
    const first = await r.drain();
    expect(first.records.map((x) => x.message)).toEqual(['a', 'b']);
    const second = await r.drain();
    expect(second.records.map((x) => x.message)).toEqual(['c']);
    expect(second.lost).toBe(0);
  });
  it('survives EPIPE (overwritten records) without losing its place, counting the gap', async () => {
    const r = new KmsgReader('/dev/null', fakeIo(['6,1,10,-;a\n', 'EPIPE', '6,50,20,-;after wrap\n', '6,51,21,-;next\n', 'EAGAIN']));
    const res = await r.drain();
    expect(res.records.map((x) => x.seq)).toEqual([1, 50, 51]);
    expect(res.overwritten).toBe(1);
    expect(res.lost).toBe(48);
    expect(r.totalOverwritten).toBe(1);
  });
  it('respects max and shares concurrent drains', async () => {
    const r = new KmsgReader('/dev/null', fakeIo(['6,1,10,-;a\n', '6,2,10,-;b\n', '6,3,10,-;c\n']));
    const [x, y] = await Promise.all([r.drain(2), r.drain(2)]);
    expect(x).toBe(y);
    expect(x.records.length).toBe(2);
  });
  it.skipIf(process.getuid?.() !== 0)('reads the real /dev/kmsg backlog without blocking (root)', async () => {
    const r = new KmsgReader();
    const t0 = Date.now();
    const res = await r.drain();
    r.close();
    expect(res.records.length).toBeGreaterThan(0);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});
