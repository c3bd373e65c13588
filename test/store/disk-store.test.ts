// The on-disk store (src/store/disk-store.ts, docs/store.md): round trip,
// seeking, torn and corrupt records, index repair, retention, hostile dirs.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DAY_MS, FILE_HEADER, INDEX_ENTRY, StoreReader, StoreWriter, listShards, shardName, writeSnapshot } from '../../src/store/disk-store.js';

interface T { time: number; n: number; procs: Record<string, { pid: number; utime: number; comm: string }>; note?: string }

let root: string;
beforeEach(() => {
  fs.mkdirSync('/var/tmp/store13-tests', { recursive: true, mode: 0o700 });
  root = fs.mkdtempSync('/var/tmp/store13-tests/ds-');
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const T0 = Date.UTC(2024, 4, 10, 10, 0, 0);
function tick(i: number): T {
  const procs: T['procs'] = {};
  for (let p = 1; p <= 300; p++) procs[p] = { pid: p, utime: p % 10 === 0 ? i * 3 : 7, comm: `proc${p}` };
  if (i % 7 === 0) delete procs[5];
  return { time: T0 + i * 5000, n: i, procs };
}
const writer = (dir: string, extra: Partial<ConstructorParameters<typeof StoreWriter>[0]> = {}) =>
  new StoreWriter<T, { i: number }>({ dir, meta: { host: 'test' }, keyEvery: 10, sync: false, log: () => {}, ...extra });

describe('disk store', () => {
  it('writes ticks and events and reads any of them back, seeking by time', () => {
    const dir = path.join(root, 's');
    const w = writer(dir);
    for (let i = 0; i < 45; i++) expect(w.append(tick(i), i % 4 === 0 ? { i } : undefined)).toBe('ok');
    w.close();
    expect((fs.statSync(dir).mode & 0o777).toString(8)).toBe('700');
    for (const f of fs.readdirSync(dir)) expect((fs.statSync(path.join(dir, f)).mode & 0o777).toString(8)).toBe('600');
    const r = StoreReader.open<T, { i: number }>(dir);
    expect(r.size).toBe(45);
    expect(r.sessions[0].meta.host).toBe('test');
    expect(r.tick(33)).toEqual(tick(33));
    expect(r.tick(2)).toEqual(tick(2)); // backwards: from its keyframe
    expect(r.tick(44)).toEqual(tick(44));
    const at = r.at(T0 + 21 * 5000 + 100)!;
    expect(at.index).toBe(21);
    expect(at.tick.n).toBe(21);
    expect(at.previous!.n).toBe(20);
    expect(r.at(T0 - 1)).toBeUndefined();
    expect([...r.events()].map((e) => e.events.i)).toEqual([0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44]);
    expect([...r.events(T0 + 10 * 5000, T0 + 20 * 5000)].map((e) => e.index)).toEqual([12, 16, 20]);
    expect([...r.ticks(T0 + 5000, T0 + 3 * 5000)].map((x) => x.tick.n)).toEqual([1, 2, 3]);
  });

  it('an idle tick costs a few bytes', () => {
    const dir = path.join(root, 's');
    const w = writer(dir, { keyEvery: 1000 });
    const t = tick(1);
    w.append(t);
    const before = w.bytesWritten;
    w.append({ ...t, time: t.time + 5000 });
    expect(w.bytesWritten - before).toBeLessThan(48);
    w.close();
  });

  it('a torn last record is skipped by readers and cut off by the next writer', () => {
    const dir = path.join(root, 's');
    let w = writer(dir);
    for (let i = 0; i < 12; i++) w.append(tick(i));
    w.close();
    const shard = path.join(dir, shardName(T0));
    const full = fs.readFileSync(shard);
    // Tear the last record in half (as SIGKILL mid-write would).
    const r0 = StoreReader.open<T>(dir);
    fs.truncateSync(shard, full.length - 20);
    const r = StoreReader.open<T>(dir);
    expect(r.size).toBe(11);
    for (let i = 0; i < 11; i++) expect(r.tick(i)).toEqual(tick(i));
    expect(r0.size).toBe(12);
    w = writer(dir);
    for (let i = 12; i < 20; i++) expect(w.append(tick(i))).toBe('ok');
    w.close();
    const r2 = StoreReader.open<T>(dir);
    expect(r2.size).toBe(19);
    expect(r2.sessions.length).toBe(2);
    expect(r2.tick(18)).toEqual(tick(19));
    expect(r2.tick(10)).toEqual(tick(10));
  });

  it('a corrupt record in the middle breaks its chain only until the next keyframe', () => {
    const dir = path.join(root, 's');
    const w = writer(dir);
    for (let i = 0; i < 30; i++) w.append(tick(i));
    w.close();
    const shard = path.join(dir, shardName(T0));
    const b = fs.readFileSync(shard);
    const idx = fs.readFileSync(shard + '.idx');
    // Flip a byte inside the 5th record's payload (records: meta, key, delta...).
    const off = idx.readDoubleLE(FILE_HEADER + 5 * INDEX_ENTRY + 8);
    b[off + 40] ^= 0xff;
    fs.writeFileSync(shard, b);
    // Found when decoded (a reader does not check every CRC at open): the ticks whose chain holds it are unreadable, the rest read.
    const r = StoreReader.open<T>(dir);
    expect(r.tick(r.indexAt(tick(2).time))).toEqual(tick(2));
    for (let i = 4; i <= 9; i++) expect(r.tick(r.indexAt(tick(i).time)), `tick ${i}`).toBeUndefined(); // its chain needs the bad record
    expect(r.tick(r.indexAt(tick(10).time))).toEqual(tick(10));
    expect(r.tick(r.indexAt(tick(29).time))).toEqual(tick(29));
    expect(r.tick(r.indexAt(tick(3).time))).toEqual(tick(3));
    // Without its index, the shard is scanned and the bad record skipped (resync on the next record).
    fs.unlinkSync(shard + '.idx');
    const s = StoreReader.open<T>(dir);
    const times = Array.from({ length: s.size }, (_, i) => s.timeAt(i));
    expect(times).not.toContain(tick(4).time);
    expect(s.tick(s.indexAt(tick(10).time))).toEqual(tick(10));
  });

  it('a lost or short index is rebuilt from the shard', () => {
    const dir = path.join(root, 's');
    const w = writer(dir);
    for (let i = 0; i < 15; i++) w.append(tick(i));
    w.close();
    const idx = path.join(dir, shardName(T0) + '.idx');
    fs.truncateSync(idx, FILE_HEADER + 3 * INDEX_ENTRY + 5);
    expect(StoreReader.open<T>(dir).tick(14)).toEqual(tick(14));
    fs.writeFileSync(idx, 'garbage');
    expect(StoreReader.open<T>(dir).size).toBe(15);
    // The writer repairs it (its session adds a meta record and a keyframe).
    const w2 = writer(dir);
    w2.append(tick(15));
    w2.close();
    expect(fs.statSync(idx).size).toBe(FILE_HEADER + (1 + 15 + 2) * INDEX_ENTRY);
    expect(StoreReader.open<T>(dir).tick(15)).toEqual(tick(15));
  });

  it('shards per UTC day; retention deletes whole old shards; max-size deletes the oldest', () => {
    const dir = path.join(root, 's');
    const lines: string[] = [];
    let w = writer(dir, { log: (l) => lines.push(l) });
    for (let d = 0; d < 4; d++) for (let i = 0; i < 3; i++) w.append(tick(d * (DAY_MS / 5000) + i));
    w.close();
    expect(listShards(dir).map((s) => s.name)).toEqual([0, 1, 2, 3].map((d) => shardName(T0 + d * DAY_MS)));
    expect(StoreReader.open<T>(dir).size).toBe(12);
    const now = T0 + 3 * DAY_MS + 60_000;
    w = writer(dir, { retainMs: DAY_MS + 1, now: () => now, log: (l) => lines.push(l) });
    w.append(tick(3 * (DAY_MS / 5000) + 10));
    w.close();
    expect(listShards(dir).map((s) => s.name)).toEqual([2, 3].map((d) => shardName(T0 + d * DAY_MS)));
    expect(lines.some((l) => /deleted .*older than --retain/.test(l))).toBe(true);
    const today = listShards(dir)[1].bytes;
    w = writer(dir, { maxBytes: today + 100, now: () => now, log: (l) => lines.push(l) });
    w.append(tick(3 * (DAY_MS / 5000) + 11));
    w.close();
    expect(listShards(dir).map((s) => s.name)).toEqual([shardName(T0 + 3 * DAY_MS)]);
  });

  it('refuses a planted symlink, another user\'s directory or file, a group-writable directory', () => {
    const dir = path.join(root, 's');
    fs.mkdirSync(path.join(root, 'target'), { mode: 0o700 });
    fs.symlinkSync(path.join(root, 'target'), dir);
    expect(() => writer(dir)).toThrow(/refusing .*symlink/);
    expect(() => StoreReader.open(dir)).toThrow(/refusing .*symlink/);
    fs.unlinkSync(dir);
    fs.mkdirSync(dir, { mode: 0o700 });
    fs.chownSync(dir, 12345, 12345);
    expect(() => writer(dir)).toThrow(/owned by uid 12345/);
    expect(() => StoreReader.open(dir)).toThrow(/owned by uid 12345/);
    fs.chownSync(dir, 0, 0);
    fs.chmodSync(dir, 0o770);
    expect(() => writer(dir)).toThrow(/writable by group or others/);
    fs.chmodSync(dir, 0o700);
    // A shard name planted as a symlink to a file the recorder must not touch.
    const victim = path.join(root, 'victim');
    fs.writeFileSync(victim, 'keep me');
    const now = Date.now();
    fs.symlinkSync(victim, path.join(dir, shardName(now)));
    const w = writer(dir);
    expect(() => w.append({ ...tick(0), time: now })).toThrow(/symlink/);
    w.close();
    expect(fs.readFileSync(victim, 'utf8')).toBe('keep me');
    // Another user's shard file.
    fs.unlinkSync(path.join(dir, shardName(now)));
    fs.writeFileSync(path.join(dir, shardName(now)), 'x', { mode: 0o600 });
    fs.chownSync(path.join(dir, shardName(now)), 12345, 12345);
    expect(() => StoreReader.open(dir)).toThrow(/owned by uid 12345/);
  });

  it('a snapshot is one self-contained file, created exclusively 0600', () => {
    const dir = path.join(root, 's');
    const w = writer(dir);
    for (let i = 0; i < 25; i++) w.append(tick(i), { i });
    w.close();
    const r = StoreReader.open<T, { i: number }>(dir);
    const file = path.join(root, 'snap.ostop');
    expect(writeSnapshot(r, file, tick(5).time, tick(20).time, { snapshot: true })).toBe(16);
    expect((fs.statSync(file).mode & 0o777).toString(8)).toBe('600');
    const s = StoreReader.open<T, { i: number }>(file);
    expect(s.size).toBe(16);
    expect(s.tick(15)).toEqual(tick(20));
    expect(s.sessions[0].meta.snapshot).toBe(true);
    expect([...s.events()].map((e) => e.events.i)).toEqual(Array.from({ length: 16 }, (_, k) => k + 5));
    expect(() => writeSnapshot(r, file, 0, Infinity, {})).toThrow(/EEXIST/);
  });

  it('a file that is not a store is named once: the file itself, or the shard in its directory', () => {
    const junk = path.join(root, 'junk.ostop');
    fs.writeFileSync(junk, 'this is not a store\n'.repeat(10), { mode: 0o600 });
    expect(() => StoreReader.open(junk)).toThrow(new Error(`${junk}: not an ostop store file`));
    const dir = path.join(root, 's');
    fs.mkdirSync(dir, { mode: 0o700 });
    const shard = path.join(dir, shardName(T0));
    fs.writeFileSync(shard, 'this is not a store\n'.repeat(10), { mode: 0o600 });
    expect(() => StoreReader.open(dir)).toThrow(new Error(`${shard}: not an ostop store file`));
  });
});

describe('verify', () => {
  it('counts the damaged records a lazy open did not look at, once', () => {
    const dir = path.join(root, 's');
    const w = writer(dir);
    for (let i = 0; i < 30; i++) w.append(tick(i));
    w.close();
    const shard = path.join(dir, shardName(T0));
    const b = fs.readFileSync(shard);
    const idx = fs.readFileSync(shard + '.idx');
    for (const n of [5, 17]) b[idx.readDoubleLE(FILE_HEADER + n * INDEX_ENTRY + 8) + 40] ^= 0xff;
    fs.writeFileSync(shard, b);
    const r = StoreReader.open<T>(dir);
    expect(r.skipped).toBe(0);
    expect(r.verify()).toBe(2);
    expect(r.skipped).toBe(2);
    expect(r.verify()).toBe(0);
    r.close();
  });
});
