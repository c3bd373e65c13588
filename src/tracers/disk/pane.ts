// Pane 2 (disk I/O): the disksnoop stream, or with `s`/`h` the disk
// aggregator's per device and direction latency histograms. Feeds the
// process table's disk_lat column.
import { RingPane, columnTable, histLines, note, paneColumns, type PaneColumn, type PaneLine, type PaneUi } from '../pane.js';
import type { PerPidMetric } from '../rates.js';
import { DISK_COLUMNS, DiskAggregator, devName, type DiskEvent } from './tracer.js';
import { formatBytes } from '../../util/format.js';


export class DiskPane extends RingPane<DiskEvent> {
  readonly tracer = 'disk';
  override readonly metric: PerPidMetric = 'diskLatMs';
  protected readonly agg: DiskAggregator;
  /** The stream shows `ostop trace disk`'s own columns (device names from devNameOf). */
  private cols: PaneColumn<DiskEvent>[];
  histograms = false;

  constructor(ui: PaneUi, devNameOf: (major: number, minor: number) => string = devName) {
    super(ui);
    this.agg = new DiskAggregator(devNameOf);
    this.cols = paneColumns(DISK_COLUMNS, [['time', 12], ['type', 1], ['bytes', 8], ['lat_ms', 8], ['dev', 8, { text: (e) => devNameOf(e.major, e.minor) }], ['pid', 7], ['comm', 0]]);
  }

  override add(events: readonly DiskEvent[]): void {
    super.add(events);
    for (const e of events) if (e.pid) this.window.add(e.pid, 1, e.latNs / 1e6);
  }

  override modeLabel(): string[] {
    return [this.histograms ? 'latency histograms' : 'disksnoop', ...super.modeLabel()];
  }

  draw(width: number, height: number): PaneLine[] {
    if (this.histograms) return this.drawHist(width, height);
    const rows = this.ring.last(height - 1);
    const t = columnTable(this.cols, rows, width, height, (e) => (e.error ? 'error' : undefined));
    if (!rows.length) t.push(note('waiting for block I/O completions...'));
    return t;
  }

  private drawHist(width: number, height: number): PaneLine[] {
    const devs = this.agg.devices();
    if (!devs.length) return [note('no block I/O completed yet')];
    const blocks = devs.map((d) => ({
      title: `${d.dev} ${d.dir}: ${d.ios} I/Os, ${formatBytes(d.bytes)}, avg ${d.avgMs.toFixed(2)} ms, p99< ${d.p99Ms.toFixed(2)} ms, max ${d.maxMs.toFixed(2)} ms${d.errors ? `, ${d.errors} errors` : ''}`,
      hist: d.hist,
    }));
    return histLines(this, [], blocks, 'usecs', 'I/Os', width, height);
  }

  override scrollable(): boolean {
    return this.histograms;
  }

  override countLabel(): string {
    if (!this.histograms) return super.countLabel();
    return `${this.agg.devices().reduce((n, d) => n + d.ios, 0)} I/Os`;
  }

  override handleKey(ch: string | undefined, name: string, full: string): boolean {
    if (ch === 's' || ch === 'h') { this.histograms = !this.histograms; return true; }
    return super.handleKey(ch, name, full);
  }

  override keys(): Array<[string, string]> {
    return [['s h', 'latency histograms per device/direction'], ['↑↓ PgUp PgDn', 'scroll the histograms'], ...super.keys()];
  }
}
