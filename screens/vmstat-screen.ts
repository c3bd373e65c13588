// The vmstat screen: the current vmstat line, text sparkline history for
// the CPU split, memory, swap, block I/O, interrupts and context switches,
// and pressure stall information (or why there is none). Draws only from
// VmstatViewModel; reads nothing itself. Text sparklines keep a redraw to
// one setContent per tick, cheap over SSH.
import blessed from 'blessed';
import type { Widgets } from 'blessed';
import type { Screen, ViewContext } from '../src/app/view.js';
import type { VmstatViewModel } from '../src/views/vmstat.js';
import { fitWidth } from '../src/util/text.js';
import { fixed, humanBytes, humanRate, sparkline, type History } from '../src/views/vmstat-util.js';
import { formatRate } from '../src/util/format.js';
import type { ThemeColor } from './theme.js';

export class VmstatScreen implements Screen<VmstatViewModel> {
  private box?: Widgets.BoxElement;
  constructor(private ctx: ViewContext) {}

  mount(parent: Widgets.BoxElement): void {
    this.box = blessed.box({ parent, top: 0, left: 0, width: '100%', height: '100%', tags: true, scrollable: true, alwaysScroll: true, content: 'procs -----------memory----------------- ---swap-- -----io---- -system-- -------cpu------\n r  b   swpd     free   buff    cache    avail   si   so    bi    bo    in    cs  us  sy  id  wa  st\n\ncollecting: rates need a second sample, shown in a moment...' });
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
    const m = vm.cur, h = vm.hist;
    const L: string[] = [];
    const lab = (s: string) => th.fg('label', blessed.escape(s));
    const head = 'procs -----------memory----------------- ---swap-- -----io---- -system-- -------cpu------';
    const cols = ' r  b   swpd     free   buff    cache    avail   si   so    bi    bo    in    cs  us  sy  id  wa  st';
    const pad = (v: number | string, w: number) => String(v).padStart(w);
    const line = [pad(m.r, 2), pad(m.b, 2), pad(m.swpd, 6), pad(m.free, 8), pad(m.buff, 6), pad(m.cache, 8), pad(m.avail, 8),
      pad(Math.round(m.si), 4), pad(Math.round(m.so), 4), pad(Math.round(m.bi), 5), pad(Math.round(m.bo), 5),
      pad(Math.round(m.in), 5), pad(Math.round(m.cs), 5), pad(Math.round(m.us), 3), pad(Math.round(m.sy), 3), pad(Math.round(m.id), 3), pad(Math.round(m.wa), 3), pad(Math.round(m.st), 3)].join(' ');
    L.push(lab(head.slice(0, W)), lab(cols.slice(0, W)), blessed.escape(line.slice(0, W)));
    L.push(lab('minflt/s ') + humanRate(m.minflt) + '  ' + lab('majflt/s ') + humanRate(m.majflt) + '  ' + lab('forks/s ') + humanRate(m.forks) +
      '  ' + lab('mem ') + humanBytes(m.memTotal * 1024) + '  ' + lab('swap ') + humanBytes(m.swapTotal * 1024));
    L.push('');
    const gw = Math.max(10, W - 26);
    const graph = (name: string, hist: History, value: string, color: ThemeColor, max?: number) =>
      lab(fitWidth(name, 10)) + th.fg(color, sparkline(hist.values(), gw, max)) + ' ' + blessed.escape(value.padStart(12));
    L.push(graph('cpu us %', h.us, fixed(m.us, 1), 'cpuUser', 100));
    L.push(graph('cpu sy %', h.sy, fixed(m.sy, 1), 'cpuSystem', 100));
    L.push(graph('cpu wa %', h.wa, fixed(m.wa, 1), 'cpuIowait', 100));
    L.push(graph('cpu st %', h.st, fixed(m.st, 1), 'cpuSteal', 100));
    L.push(graph('mem used%', h.usedPct, fixed(h.usedPct.values().at(-1) ?? 0, 1), 'memUsed', 100));
    L.push(graph('buf+cache', h.cachePct, fixed(h.cachePct.values().at(-1) ?? 0, 1) + '%', 'memCache', 100));
    L.push(graph('swap in', h.si, formatRate(m.si * 1024), 'swap'));
    L.push(graph('swap out', h.so, formatRate(m.so * 1024), 'swap'));
    L.push(graph('blk in', h.bi, formatRate(m.bi * 1024), 'graph4'));
    L.push(graph('blk out', h.bo, formatRate(m.bo * 1024), 'graph3'));
    L.push(graph('intr/s', h.in, humanRate(m.in), 'graph1'));
    L.push(graph('ctxsw/s', h.cs, humanRate(m.cs), 'graph2'));
    L.push('');
    L.push(lab('pressure (PSI, % of time stalled)   some avg10  avg60 avg300   full avg10  avg60 avg300'));
    if (!m.psi.available) {
      L.push(th.fg('warn', blessed.escape(m.psi.reason ?? 'PSI unavailable')));
    } else {
      for (const r of ['cpu', 'memory', 'io'] as const) {
        const p = m.psi.res[r];
        if (!p) { L.push(blessed.escape(fitWidth(r, 36)) + '-'); continue; }
        const f = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(2)).padStart(6);
        const warn = p.some10 >= 10 ? 'warn' : 'value';
        L.push(blessed.escape(fitWidth(r, 36)) + th.fg(warn, `     ${f(p.some10)} ${f(p.some60)} ${f(p.some300)}`) + `     ${f(p.full10)} ${f(p.full60)} ${f(p.full300)}`);
      }
    }
    this.box.setContent(L.join('\n'));
  }

  handleKey(): boolean {
    return false;
  }
  footer(): Array<[string, string]> {
    return [];
  }
  help(): Array<[string, string]> {
    return [
      ['r b', 'runnable / blocked (D state) tasks, from /proc/stat'],
      ['swpd free buff cache avail', 'kB; cache = Cached + SReclaimable, avail = MemAvailable'],
      ['si so / bi bo', 'swap in/out, block in/out: KiB/s in the table (as vmstat), byte rates in the graphs'],
      ['in cs', 'interrupts / context switches per second'],
      ['us sy id wa st', '% of CPU time: user+nice, system+irq+softirq, idle, iowait, steal'],
      ['PSI', 'share of time some/all tasks stalled on cpu, memory, io (avg over 10/60/300 s)'],
    ];
  }
}
