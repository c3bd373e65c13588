// Pane 6 (TCP): tcplife with connect/accept and retransmits as they happen,
// or with `s` the tcp aggregator's retransmits per connection. Both tables
// show the tracer's own columns (`ostop trace tcp`'s events and its
// `retransmits` summary table), in compact forms.
import { RingPane, columnTable, note, paneColumns, type PaneForm, type PaneLine } from '../pane.js';
import { TCP_COLUMNS, TCP_RETRANS_COLUMNS, TcpAggregator, closeProblem, failedConnect, type TcpEvent } from './tracer.js';
import { formatBytes } from '../../util/format.js';

type Ends = { laddr: string; lport: number; raddr: string; rport: number };
const ep = (a: string, p: number) => (a.includes(':') ? `[${a}]:${p}` : `${a}:${p}`);
/** laddr and raddr with their ports, as one LOCAL / REMOTE cell each. */
const local: PaneForm<Ends> = { title: 'LOCAL', align: 'right', text: (r) => ep(r.laddr, r.lport) };
const remote: PaneForm<Ends> = { title: 'REMOTE', align: 'right', text: (r) => ep(r.raddr, r.rport) };
/** Byte counts as sizes, only on a close that got through (a failed connect has none: its error says what happened). */
const bytes = (get: (e: TcpEvent) => number): PaneForm<TcpEvent> => ({ text: (e) => (e.type === 'CLOSE' && !failedConnect(e) ? formatBytes(get(e)) : '') });

const STREAM_COLS = paneColumns(TCP_COLUMNS, [
  ['time', 12], ['event', 7], ['pid', 7], ['comm', 12], ['laddr', 21, local], ['raddr', 21, remote],
  ['tx_bytes', 7, bytes((e) => e.txBytes)], ['rx_bytes', 7, bytes((e) => e.rxBytes)],
  ['dur_ms', 8, { text: (e) => (e.durMs === null ? '' : e.durMs.toFixed(2)) }],
  ['retrans', 4, { text: (e) => (e.retrans ? String(e.retrans) : '') }],
  // Why a connection ended abnormally, in words ('' for a normal close).
  ['error', 0, { title: 'NOTE', text: closeProblem }],
]);
const RETRANS_COLS = paneColumns(TCP_RETRANS_COLUMNS, [
  ['retrans', 6], ['pid', 7], ['comm', 12], ['laddr', 21, local], ['raddr', 21, remote], ['state', 0],
]);

export class TcpPane extends RingPane<TcpEvent> {
  readonly tracer = 'tcp';
  protected readonly agg = new TcpAggregator();
  summary = false;

  override modeLabel(): string[] {
    return [this.summary ? 'retransmits per connection' : 'tcplife + connect/accept', ...super.modeLabel()];
  }

  draw(width: number, height: number): PaneLine[] {
    if (this.summary) {
      const rows = this.agg.retransmits();
      const t = columnTable(RETRANS_COLS, rows, width, height);
      if (!rows.length) t.push(note('no retransmits seen'));
      return t;
    }
    const rows = this.ring.last(height - 1);
    const t = columnTable(STREAM_COLS, rows, width, height, (e) => (closeProblem(e) ? 'error' : e.type === 'RETRANS' ? 'warn' : e.type === 'CLOSE' ? undefined : 'dim'));
    if (!rows.length) t.push(note('waiting for TCP connections...'));
    return t;
  }

  override handleKey(ch: string | undefined, name: string, full: string): boolean {
    if (ch === 's') { this.summary = !this.summary; return true; }
    return super.handleKey(ch, name, full);
  }

  override keys(): Array<[string, string]> {
    return [['s', 'retransmits per connection'], ...super.keys()];
  }
}
