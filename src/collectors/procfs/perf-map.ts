// /tmp/perf-PID.map, the JIT symbol file of `perf`'s convention: one symbol a
// line, "START SIZE name" with START and SIZE in hex (with or without 0x),
// written by node --perf-basic-prof, Java's perf-map-agent, LuaJIT, .NET...
// The file belongs to the profiled process's user: every byte of it is
// hostile (names are cut and sanitized by whoever shows them; lines that do
// not parse are skipped; overlapping entries keep the newest, as perf does).
import { lastAtOrBelow } from '../../util/search.js';

export interface PerfMap {
  /** Sorted by start. */
  starts: Float64Array;
  ends: Float64Array;
  names: string[];
}

/** Names longer than this are cut (a line is one symbol, not a payload). */
export const PERF_MAP_NAME_MAX = 512;

const LINE = /^(?:0x)?([0-9a-fA-F]{1,16}) (?:0x)?([0-9a-fA-F]{1,16}) (.+)$/;

type Entry = { start: number; end: number; name: string; seq: number };

function parseLines(text: string, from: number, maxLines: number, entries: Entry[]): number {
  let pos = from;
  for (let n = 0; n < maxLines && pos < text.length; n++) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = text.length;
    let line = text.slice(pos, eol);
    pos = eol + 1;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const m = LINE.exec(line);
    if (!m) continue;
    const start = parseInt(m[1], 16);
    const size = parseInt(m[2], 16);
    if (!Number.isSafeInteger(start) || !(size > 0) || !Number.isSafeInteger(start + size)) continue;
    entries.push({ start, end: start + size, name: m[3].slice(0, PERF_MAP_NAME_MAX), seq: entries.length });
  }
  return pos;
}

function finish(entries: Entry[]): PerfMap {
  // Newest last wins where code was moved or recompiled: sort by start, newer first among equal starts.
  entries.sort((a, b) => a.start - b.start || b.seq - a.seq);
  const kept: Entry[] = [];
  for (const e of entries) {
    const prev = kept[kept.length - 1];
    if (prev && e.start < prev.end) {
      if (e.seq > prev.seq) kept[kept.length - 1] = e;
      continue;
    }
    kept.push(e);
  }
  return {
    starts: Float64Array.from(kept, (e) => e.start),
    ends: Float64Array.from(kept, (e) => e.end),
    names: kept.map((e) => e.name),
  };
}

export function parsePerfMap(text: string): PerfMap {
  const entries: Entry[] = [];
  parseLines(text, 0, Infinity, entries);
  return finish(entries);
}

/** The same, `linesPerSlice` lines at a time with `pause()` between (a JIT's map can be tens of MB). */
export async function parsePerfMapSliced(text: string, pause: () => Promise<void>, linesPerSlice = 8192): Promise<PerfMap> {
  const entries: Entry[] = [];
  let pos = 0;
  while (pos < text.length) {
    pos = parseLines(text, pos, linesPerSlice, entries);
    await pause();
  }
  return finish(entries);
}

/** The JIT symbol holding `addr`, or undefined. */
export function lookupPerfMap(map: PerfMap, addr: number): { name: string; offset: number } | undefined {
  const s = map.starts;
  const found = lastAtOrBelow(s, addr);
  if (found < 0 || addr >= map.ends[found]) return undefined;
  return { name: map.names[found], offset: addr - s[found] };
}
