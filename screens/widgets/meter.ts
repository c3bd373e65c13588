// Text meters (htop-style bars) as blessed-tagged strings (sparklines and
// graphs: src/util/cells.ts, screens/widgets/graph.ts).
// A bar is drawn from segments in order; each segment's cells are rounded so
// the total never exceeds the bar width. Monochrome themes still show the
// split by using different glyphs per segment.
import type { Theme, ThemeColor } from '../../src/app/theme.js';

export interface Segment {
  value: number; // 0..total
  color: ThemeColor;
  glyph?: string;
}

const MONO_GLYPHS = ['|', '#', '*', '%', '@', '~'];

/** A bar like "[|||||##    12.3%]" of exactly `width` cells (including the brackets); the label is drawn over the bar's right end, as in htop. */
export function bar(theme: Theme, segments: Segment[], total: number, width: number, label: string): string {
  const inner = Math.max(0, width - 2);
  const cells: Array<{ ch: string; color: ThemeColor | undefined }> = [];
  let acc = 0;
  segments.forEach((s, i) => {
    if (total <= 0) return;
    acc += Math.max(0, s.value);
    const end = Math.min(inner, Math.round((acc / total) * inner));
    const g = s.glyph ?? (theme.mono ? MONO_GLYPHS[i % MONO_GLYPHS.length] : '|');
    while (cells.length < end) cells.push({ ch: g, color: s.color });
  });
  while (cells.length < inner) cells.push({ ch: ' ', color: undefined });
  if (label.length <= inner) {
    for (let k = 0; k < label.length; k++) {
      const c = cells[inner - label.length + k];
      c.ch = label[k];
      if (!c.color) c.color = 'dim';
    }
  }
  let out = '';
  let i = 0;
  while (i < cells.length) {
    const color = cells[i].color;
    let run = '';
    while (i < cells.length && cells[i].color === color) run += cells[i++].ch;
    out += color ? theme.fg(color, run) : run;
  }
  return `[${out}]`;
}

/**
 * The Mem meter's segments, summing to at most `total`: used (free(1)'s:
 * total - available), then buffers and cache in what is neither used nor
 * free. Shared memory (Shmem) is inside "cached" and inside "used" already,
 * so stacking it, or the whole cache on top of used, counted memory twice
 * and filled the bar on a busy machine.
 */
export function memSegments(m: { totalBytes: number; usedBytes: number; freeBytes: number; buffersBytes: number; cacheBytes: number }): Segment[] {
  const used = Math.min(Math.max(0, m.usedBytes), m.totalBytes);
  let room = Math.max(0, m.totalBytes - used - Math.max(0, m.freeBytes));
  const buffers = Math.min(Math.max(0, m.buffersBytes), room);
  room -= buffers;
  const cache = Math.min(Math.max(0, m.cacheBytes), room);
  return [
    { value: used, color: 'memUsed' },
    { value: buffers, color: 'memBuffers' },
    { value: cache, color: 'memCache' },
  ];
}
