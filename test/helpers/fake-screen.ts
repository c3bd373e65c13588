// A blessed screen on in-memory streams (cols x rows, xterm-256color), for
// rendering screens in unit tests without a terminal. `onData` sees every
// byte the screen writes (to feed a headless terminal, count bytes...).
import blessed, { type Widgets } from 'blessed';
import { PassThrough } from 'node:stream';

export function fakeScreen(cols: number, rows: number, opts: { onData?: (d: Buffer) => void; screen?: Partial<Widgets.IScreenOptions> } = {}): Widgets.Screen {
  const output = new PassThrough() as PassThrough & { columns: number; rows: number; isTTY: boolean };
  output.columns = cols;
  output.rows = rows;
  output.isTTY = true;
  const input = new PassThrough() as PassThrough & { isTTY: boolean; setRawMode: () => void };
  input.isTTY = true;
  input.setRawMode = () => {};
  output.on('data', opts.onData ?? (() => {}));
  return blessed.screen({ input, output, terminal: 'xterm-256color', fullUnicode: true, warnings: false, ...opts.screen } as Widgets.IScreenOptions);
}
