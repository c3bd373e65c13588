// Pane 6 (TCP): tcplife with connect/accept and retransmits as they happen,
// or with `s` the tcp aggregator's retransmits per connection.
import { RingPane, note, table, type PaneCol, type PaneLine, type PaneStyle } from '../pane.js';
import { clockTime } from '../types.js';
import { TcpAggregator, closeProblem, failedConnect, type TcpEvent } from './tracer.js';
import { formatBytes } from '../../util/format.js';

const TCP_COLS: PaneCol[] = [
  { title: 'TIME', width: 12 }, { title: 'EVENT', width: 7 }, { title: 'PID', width: 7, align: 'right' }, { title: 'COMM', width: 12 },
  { title: 'LOCAL', width: 21, align: 'right' }, { title: 'REMOTE', width: 21, align: 'right' }, { title: 'TX_B', width: 7, align: 'right' },
  { title: 'RX_B', width: 7, align: 'right' }, { title: 'MS', width: 8, align: 'right' }, { title: 'RETR', width: 4, align: 'right' },
  { title: 'NOTE', width: 0 },
];
const RETX_COLS: PaneCol[] = [
  { title: 'RETR', width: 6, align: 'right' }, { title: 'PID', width: 7, align: 'right' }, { title: 'COMM', width: 12 },
  { title: 'LOCAL', width: 21, align: 'right' }, { title: 'REMOTE', width: 21, align: 'right' }, { title: 'STATE', width: 0 },
];

const ep = (a: string, p: number) => (a.includes(':') ? `[${a}]:${p}` : `${a}:${p}`);

export class TcpPane extends RingPane<TcpEvent> {
  readonly tracer = 'tcp';
  protected readonly agg = new TcpAggregator();
  summary = false;

  override modeLabel(): string[] {
    return [this.summary ? 'retransmits per connection' : 'tcplife + connect/accept', ...super.modeLabel()];
  }

  draw(width: number, height: number): PaneLine[] {
    if (this.summary) {
      const rows = this.agg.retransmits().map((r) => ({ cells: [String(r.retrans), r.pid ? String(r.pid) : '-', r.pid ? r.comm : '-', ep(r.laddr, r.lport), ep(r.raddr, r.rport), r.state] }));
      const t = table(RETX_COLS, rows, width, height);
      if (!rows.length) t.push(note('no retransmits seen'));
      return t;
    }
    const rows = this.ring.last(height - 1).map((e) => {
      // A connect that never got through has no byte counts: its error says what happened.
      const problem = closeProblem(e);
      const bytes = e.type === 'CLOSE' && !failedConnect(e);
      return {
        cells: [
          clockTime(e.time), e.type, e.pid ? String(e.pid) : '-', e.pid ? e.comm : '-', ep(e.laddr, e.lport), ep(e.raddr, e.rport),
          bytes ? formatBytes(e.txBytes) : '', bytes ? formatBytes(e.rxBytes) : '', e.durMs === null ? '' : e.durMs.toFixed(2), e.retrans ? String(e.retrans) : '', problem,
        ],
        style: (problem ? 'error' : e.type === 'RETRANS' ? 'warn' : e.type === 'CLOSE' ? undefined : 'dim') as PaneStyle,
      };
    });
    const t = table(TCP_COLS, rows, width, height);
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
