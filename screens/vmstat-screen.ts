// The vmstat screen: a title line, the fault and memory totals, text
// sparklines two to a line (CPU split, memory, swap, block I/O, interrupts,
// context switches), pressure stall information (or why there is none) and,
// filling the rest, a table of the last samples as `vmstat 1` prints them
// (newest at the bottom, as many rows as fit). Draws only from
// VmstatViewModel; reads nothing itself. One setContent per tick.
import blessed from 'blessed';
import type { Widgets } from 'blessed';
import type { Screen, ViewContext } from '../src/app/view.js';
import type { NumberSeries, VmstatViewModel } from '../src/model/view-contract.js';
import type { VmstatModel } from '../src/model/vmstat.js';
import { fitWidth, truncateWidth } from '../src/util/text.js';
import { fixed, sparkline } from '../src/util/cells.js';
import { formatBytes as humanBytes, formatCount as humanRate, formatRate } from '../src/util/format.js';
import type { ThemeColor } from '../src/app/theme.js';
import { graphGrid, graphLines, sideBySide } from './widgets/graph.js';

export const VMSTAT_TITLE = 'vmstat — CPU, memory, swap, block I/O and pressure; below, one row per refresh as `vmstat 1` prints it (newest at the bottom)';

/** vmstat's columns, its titles and its (procps-ng) minimum widths; values wider than a column widen it. */
interface TableCol { title: string; width: number; group: string; pick(m: VmstatModel): number; mem?: boolean }
export const VMSTAT_TABLE: TableCol[] = [
  { title: 'r', width: 2, group: 'procs', pick: (m) => m.r },
  { title: 'b', width: 2, group: 'procs', pick: (m) => m.b },
  { title: 'swpd', width: 6, group: 'memory', pick: (m) => m.swpd, mem: true },
  { title: 'free', width: 6, group: 'memory', pick: (m) => m.free, mem: true },
  { title: 'buff', width: 6, group: 'memory', pick: (m) => m.buff, mem: true },
  { title: 'cache', width: 6, group: 'memory', pick: (m) => m.cache, mem: true },
  { title: 'si', width: 4, group: 'swap', pick: (m) => m.si },
  { title: 'so', width: 4, group: 'swap', pick: (m) => m.so },
  { title: 'bi', width: 5, group: 'io', pick: (m) => m.bi },
  { title: 'bo', width: 5, group: 'io', pick: (m) => m.bo },
  { title: 'in', width: 4, group: 'system', pick: (m) => m.in },
  { title: 'cs', width: 4, group: 'system', pick: (m) => m.cs },
  { title: 'us', width: 2, group: 'cpu', pick: (m) => m.us },
  { title: 'sy', width: 2, group: 'cpu', pick: (m) => m.sy },
  { title: 'id', width: 2, group: 'cpu', pick: (m) => m.id },
  { title: 'wa', width: 2, group: 'cpu', pick: (m) => m.wa },
  { title: 'st', width: 2, group: 'cpu', pick: (m) => m.st },
];

/**
 * The table's two title lines and one line per sample, as `vmstat` lays
 * them out (group line, column line, values right-aligned, one space apart).
 * Memory is in KiB as vmstat prints it; when that makes a line wider than
 * `width` it is shown in MiB (as `vmstat -S M`) and the group title says so.
 */
export function vmstatTable(samples: readonly VmstatModel[], width: number): { head: [string, string]; rows: string[]; unit: 'KiB' | 'MiB' } {
  // Narrower tries: 1, memory columns 5 wide (MiB need no more); 2, every
  // column only as wide as its title and values (the last resort).
  const build = (unit: 'KiB' | 'MiB', compact = 0) => {
    const texts = samples.map((m) => VMSTAT_TABLE.map((c) => String(Math.round(c.mem && unit === 'MiB' ? c.pick(m) / 1024 : c.pick(m)))));
    const min = (c: TableCol) => (compact >= 2 ? 0 : compact === 1 && c.mem ? 5 : c.width);
    const widths = VMSTAT_TABLE.map((c, i) => Math.max(min(c), c.title.length, ...texts.map((t) => t[i].length)));
    const rows = texts.map((t) => t.map((v, i) => v.padStart(widths[i])).join(' '));
    const cols = VMSTAT_TABLE.map((c, i) => c.title.padStart(widths[i])).join(' ');
    // Group titles centred in dashes over their columns: "-----------memory----------".
    const groups: string[] = [];
    for (let i = 0; i < VMSTAT_TABLE.length;) {
      const g = VMSTAT_TABLE[i].group;
      let span = -1;
      let j = i;
      for (; j < VMSTAT_TABLE.length && VMSTAT_TABLE[j].group === g; j++) span += widths[j] + 1;
      const label = g === 'memory' && unit === 'MiB' ? 'memory(MiB)' : g;
      if (span <= label.length) groups.push(label.slice(0, span));
      else {
        const dashes = span - label.length;
        groups.push('-'.repeat(Math.ceil(dashes / 2)) + label + '-'.repeat(Math.floor(dashes / 2)));
      }
      i = j;
    }
    // vmstat's first group has no dashes: "procs" over "r  b".
    return { head: [groups.join(' '), cols] as [string, string], rows, unit, w: cols.length };
  };
  let t = build('KiB');
  if (t.w > width) t = build('MiB');
  if (t.w > width) t = build('MiB', 1);
  if (t.w > width) t = build('MiB', 2);
  return { head: t.head, rows: t.rows, unit: t.unit };
}

export class VmstatScreen implements Screen<VmstatViewModel> {
  private box?: Widgets.BoxElement;
  constructor(private ctx: ViewContext) {}

  mount(parent: Widgets.BoxElement): void {
    const t = vmstatTable([], 80);
    this.box = blessed.box({
      parent, top: 0, left: 0, width: '100%', height: '100%', tags: true, wrap: false,
      content: `{bold}${blessed.escape(truncateWidth(VMSTAT_TITLE, Math.max(1, ((parent.width as number) || 80))))}{/bold}\n${blessed.escape(t.head[0])}\n${blessed.escape(t.head[1])}\n\ncollecting: rates need a second sample, shown in a moment...`,
    });
  }
  unmount(): void {
    this.box?.destroy();
    this.box = undefined;
  }

  render(vm: VmstatViewModel | undefined): void {
    if (!this.box) return;
    if (!vm) return;
    const th = this.ctx.theme;
    const W = Math.max(40, (this.box.width as number) || 80);
    const H = Math.max(8, (this.box.height as number) || 24);
    const m = vm.cur, h = vm.hist;
    const lab = (s: string) => th.fg('label', blessed.escape(s));
    const L: string[] = [];
    L.push(`{bold}${blessed.escape(truncateWidth(VMSTAT_TITLE, W))}{/bold}`);
    const totals: Array<[string, string]> = [['minflt/s ', humanRate(m.minflt)], ['majflt/s ', humanRate(m.majflt)], ['forks/s ', humanRate(m.forks)],
      ['mem ', humanBytes(m.memTotal * 1024)], ['used ', humanBytes(m.used * 1024)], ['avail ', humanBytes(m.avail * 1024)], ['swap ', humanBytes(m.swapTotal * 1024)]];
    let used = 0;
    const parts: string[] = [];
    for (const [k, v] of totals) {
      const n = k.length + v.length + 2;
      if (used + n > W + 2) break;
      parts.push(lab(k) + blessed.escape(v));
      used += n;
    }
    L.push(parts.join('  '));

    // Sparklines, two to a line: label, sparkline (newest at the right), value.
    const half = Math.floor((W - 1) / 2);
    const gw = Math.max(4, half - 10 - 11);
    const spark = (name: string, hist: NumberSeries, value: string, color: ThemeColor, max?: number) =>
      lab(fitWidth(name, 10)) + th.fg(color, sparkline(hist.values(), gw, max)) + ' ' + blessed.escape(truncateWidth(value, 10).padStart(10));
    const pairs: Array<[string, string]> = [
      [spark('cpu us %', h.us, fixed(m.us, 1), 'cpuUser', 100), spark('cpu sy %', h.sy, fixed(m.sy, 1), 'cpuSystem', 100)],
      [spark('cpu wa %', h.wa, fixed(m.wa, 1), 'cpuIowait', 100), spark('cpu st %', h.st, fixed(m.st, 1), 'cpuSteal', 100)],
      [spark('swap in', h.si, formatRate(m.si * 1024), 'swap'), spark('swap out', h.so, formatRate(m.so * 1024), 'swap')],
      [spark('blk in', h.bi, formatRate(m.bi * 1024), 'graph4'), spark('blk out', h.bo, formatRate(m.bo * 1024), 'graph3')],
      [spark('intr/s', h.in, humanRate(m.in), 'graph1'), spark('ctxsw/s', h.cs, humanRate(m.cs), 'graph2')],
    ];
    const sparks = pairs.map(([a, b]) => a + ' ' + b);

    // Pressure: the full table on a tall terminal, one line otherwise.
    const f2 = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(2));
    const psiFull: string[] = [];
    const psiShort: string[] = [];
    if (!m.psi.available) {
      const why = th.fg('warn', blessed.escape(truncateWidth(`pressure: ${m.psi.reason ?? 'PSI unavailable'}`, W)));
      psiFull.push(why);
      psiShort.push(why);
    } else {
      psiFull.push(lab('pressure (PSI, % of time stalled)   some avg10  avg60 avg300   full avg10  avg60 avg300'.slice(0, W)));
      const some: string[] = [];
      const full: string[] = [];
      let hot = false;
      for (const r of ['cpu', 'memory', 'io'] as const) {
        const p = m.psi.res[r];
        if (!p) { psiFull.push(blessed.escape(fitWidth(r, 36)) + '-'); continue; }
        const f = (x: number | undefined) => f2(x).padStart(6);
        const warn = p.some10 >= 10 ? 'warn' : 'value';
        psiFull.push(blessed.escape(fitWidth(r, 36)) + th.fg(warn, `     ${f(p.some10)} ${f(p.some60)} ${f(p.some300)}`) + `     ${f(p.full10)} ${f(p.full60)} ${f(p.full300)}`);
        const short = r === 'memory' ? 'mem' : r;
        some.push(`${short} ${f2(p.some10)}`);
        if (p.full10 !== undefined) full.push(`${short} ${f2(p.full10)}`);
        hot ||= p.some10 >= 10;
      }
      const line = truncateWidth(`PSI % avg10 some: ${some.join(' ')}` + (full.length ? `  full: ${full.join(' ')}` : ''), W);
      psiShort.push(th.fg(hot ? 'warn' : 'label', blessed.escape(line)));
    }

    // The rest is the sample table; it keeps at least a few rows. Room goes,
    // in this order, to: the PSI line, the two graph blocks (CPU total and per
    // CPU; memory and PSI) 2 rows tall, the sparklines, taller graphs (up to
    // 8 rows), the full PSI table.
    const minRows = Math.min(5, Math.max(1, vm.samples.length));
    let rem = H - L.length - 3 - minRows; // a blank line, the table's two title lines
    const psiN = rem >= 1 ? 1 : 0;
    rem -= psiN;
    let gh = rem >= 5 ? 2 : 0;
    if (gh) rem -= 2 * gh + 1;
    const nSparks = Math.max(0, Math.min(sparks.length, rem - 1));
    if (nSparks) rem -= nSparks + 1;
    while (gh && gh < 8 && rem >= 2) { gh++; rem -= 2; }
    const psi = psiN && rem >= psiFull.length - 1 ? psiFull : psiShort;
    if (gh) {
      L.push(...this.graphBlocks(vm, W, gh));
      L.push('');
    }
    if (nSparks) {
      L.push(...sparks.slice(0, nSparks));
      L.push('');
    }
    if (psiN) L.push(...psi);
    L.push('');
    const room = Math.max(1, H - L.length - 2);
    const shown = vm.samples.slice(Math.max(0, vm.samples.length - room));
    const t = vmstatTable(shown, W);
    L.push(lab(truncateWidth(t.head[0], W)), lab(truncateWidth(t.head[1], W)));
    for (const row of t.rows) L.push(blessed.escape(truncateWidth(row, W)));
    this.box.setContent(L.join('\n'));
  }

  /** The two graph blocks, `gh` rows each: CPU busy % beside one graph per CPU; memory used % beside PSI (some, avg10). */
  private graphBlocks(vm: VmstatViewModel, W: number, gh: number): string[] {
    const th = this.ctx.theme;
    const m = vm.cur, h = vm.hist;
    const lw = Math.floor((W - 1) / 2);
    const rw = W - 1 - lw;
    const cpu = graphLines(th, { label: 'cpu busy', value: fixed(m.us + m.sy + m.st, 1) + '%', series: h.busy, color: 'cpuUser', max: 100 }, lw, gh);
    const cores = graphGrid(th, h.cores, (i) => `cpu${i}`, (i) => fixed(m.cpus[i] ?? 0, 0) + '%', 'cpuUser', rw, gh, 100);
    const used = h.usedPct.values().at(-1) ?? 0;
    const mem = graphLines(th, { label: 'mem used', value: fixed(used, 1) + '%', series: h.usedPct, color: 'memUsed', max: 100 }, lw, gh);
    let psi: string[];
    if (m.psi.available) {
      // One scale for the three (at least 10 %), so a 0.01 % stall does not fill a graph.
      const top = Math.max(10, h.psiCpu.values().reduce((a, b) => Math.max(a, b), 0), h.psiMem.values().reduce((a, b) => Math.max(a, b), 0), h.psiIo.values().reduce((a, b) => Math.max(a, b), 0));
      const series = [h.psiCpu, h.psiMem, h.psiIo];
      const names = ['psi cpu', 'psi mem', 'psi io'];
      const now = [m.psi.res.cpu?.some10, m.psi.res.memory?.some10, m.psi.res.io?.some10];
      psi = graphGrid(th, series, (i) => names[i], (i) => fixed(now[i] ?? 0, 1), 'warn', rw, gh, top);
    } else {
      psi = [th.fg('dim', blessed.escape(fitWidth(`pressure: ${m.psi.reason ?? 'PSI unavailable'}`, rw)))];
    }
    const out: string[] = [];
    for (const [a, b] of [[cpu, cores], [mem, psi]]) {
      if (!a.length) continue; // too narrow for graphs
      out.push(...sideBySide([a, b], [lw, rw]));
    }
    return out;
  }

  handleKey(): boolean {
    return false;
  }
  footer(): Array<[string, string]> {
    return [];
  }
  help(): Array<[string, string]> {
    return [
      ['table', 'one row per refresh, newest at the bottom, columns as `vmstat 1` (memory in MiB when KiB does not fit)'],
      ['r b', 'runnable / blocked (D state) tasks, from /proc/stat'],
      ['swpd free buff cache', 'kB; cache = Cached + SReclaimable'],
      ['used avail', 'free(1): available = MemAvailable, used = total - available'],
      ['si so / bi bo', 'swap in/out, block in/out: KiB/s in the table (as vmstat), byte rates in the graphs'],
      ['in cs', 'interrupts / context switches per second'],
      ['us sy id wa st', '% of CPU time: user+nice, system+irq+softirq, idle, iowait, steal'],
      ['PSI', 'share of time some/all tasks stalled on cpu, memory, io (avg over 10/60/300 s)'],
    ];
  }
}
