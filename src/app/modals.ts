// The shell's modals, the same for every view: the input bar (search and
// filter as you type), the one-line prompt, the menu, the y/N confirmation
// and the paged F1 help. While one is open keys go to it only (the
// dispatcher sees `open` and stays out); a modal skips the key that opened
// it (blessed calls listeners added during an emit).
import blessed from 'blessed';
import type { Theme } from './theme.js';
import { keyFull, type BlessedKey } from './keymap.js';
import { displayWidth, sanitize, truncateWidth } from '../util/text.js';

/** The shell's own input line (search and filter bars): every edit is reported at once. */
export interface InputBarOptions {
  /** 'Search: ' */
  label: string;
  initial?: string;
  /** Keys shown after the text, e.g. 'F3 next  S-F3 prev  Esc cancel'. */
  hint?: string;
  /** After every edit (typed character, Backspace, Ctrl-U, Ctrl-W); a string returned is shown in the bar ('not found'). */
  onChange?(value: string): string | void;
  /** Keys that do not edit (F3, S-F3...): false = not handled (ignored); a string is shown in the bar. */
  onKey?(full: string, value: string): boolean | string;
  /** Enter: the text; Esc: null. */
  done(value: string | null): void;
}

/** Implemented by the shell; views call it when present and fall back to prompt(). */
export interface InputBarHost {
  inputBar(o: InputBarOptions): void;
}

/** What the modals need of the shell. */
export interface ModalHost {
  /** Redraw the current view and the bars (under the modal). */
  render(): void;
}

export class Modals {
  /** The open modal's element, if any. */
  open: blessed.Widgets.BlessedElement | undefined;

  constructor(private screen: blessed.Widgets.Screen, private theme: Theme, private host: ModalHost) {}

  close(): void {
    this.relayout = undefined;
    if (this.open) {
      this.open.destroy();
      this.open = undefined;
    }
    this.host.render();
  }

  /** Redraws the open modal for a new terminal size (the help pages). */
  relayout: (() => void) | undefined;

  /**
   * The key being handed out (blessed's key object, new for every key). A
   * modal opened by a key listens from then on, and blessed's emitter goes on
   * to call listeners added during the emit: the modal skips this key, the
   * one that opened it.
   */
  lastKey: BlessedKey | undefined;

  /**
   * A one-line input bar over the status line (htop's search and filter
   * bars): every edit calls onChange at once and the view is redrawn, F3 and
   * the like go to onKey, Enter ends with the text, Esc with null. Keys go to
   * the bar only (modal): a digit typed into it never reaches a trace pane.
   */
  inputBar(o: InputBarOptions): void {
    const t = this.theme;
    const style = t.mono ? { inverse: true } : { bg: 'cyan', fg: 'black' };
    const bar = blessed.box({ parent: this.screen, bottom: 1, left: 0, right: 0, height: 1, tags: true, style });
    let value = o.initial ?? '';
    let note = '';
    const draw = () => {
      const w = Math.max(1, this.screen.width as number);
      const label = sanitize(o.label);
      const hint = o.hint ? `   ${o.hint}` : '';
      const noteText = note ? `  ${note}` : '';
      // label, text, a block cursor, a note, the hint: when it is too long the
      // hint goes first, then the start of the text (its end stays visible).
      const lw = displayWidth(label), nw = displayWidth(noteText), hw = displayWidth(hint);
      let shown = sanitize(value);
      const showHint = lw + displayWidth(shown) + 1 + nw + hw <= w;
      const room = Math.max(0, w - lw - 1 - nw);
      while (displayWidth(shown) > room && shown) shown = [...shown].slice(1).join('');
      const cursor = t.mono ? '{/inverse} {inverse}' : '{black-bg} {/black-bg}';
      bar.setContent(`{bold}${blessed.escape(label)}{/bold}${blessed.escape(shown)}${cursor}` +
        (noteText ? (t.mono ? `{bold}${blessed.escape(noteText)}{/bold}` : `{red-bg}{white-fg}${blessed.escape(noteText)}{/white-fg}{/red-bg}`) : '') +
        (showHint ? blessed.escape(hint) : ''));
    };
    const redraw = () => {
      this.host.render();
      draw();
      this.screen.render();
    };
    const changed = () => {
      const r = o.onChange?.(value);
      note = typeof r === 'string' ? r : '';
      redraw();
    };
    const finish = (v: string | null) => {
      this.screen.removeListener('keypress', onKey);
      this.relayout = undefined;
      this.open = undefined;
      bar.destroy();
      o.done(v);
      this.host.render();
    };
    const opener = this.lastKey;
    const onKey = (ch: string | undefined, key: BlessedKey) => {
      if (!key || key === opener || key.name === 'return') return; // blessed sends Enter twice: as 'enter', then as 'return'
      const full = keyFull(ch, key);
      switch (full) {
        case 'enter': return finish(value);
        case 'escape': return finish(null);
        case 'backspace':
          value = [...value].slice(0, -1).join('');
          return changed();
        case 'C-u':
          value = '';
          return changed();
        case 'C-w':
          value = value.replace(/\S*\s*$/, '');
          return changed();
      }
      const r = o.onKey?.(full, value);
      if (r !== undefined && r !== false) {
        note = typeof r === 'string' ? r : '';
        return redraw();
      }
      if (ch && !key.ctrl && !key.meta && ch.length === 1 && ch >= ' ' && ch !== '\x7f') {
        value += ch;
        changed();
      }
    };
    this.open = bar;
    this.relayout = draw;
    // Registered after the shell's own listener: that one sees the modal and stays out.
    this.screen.on('keypress', onKey);
    draw();
    this.screen.render();
  }

  prompt(label: string, initial: string, done: (value: string | null) => void): void {
    const style = this.theme.mono ? { inverse: true } : { bg: 'cyan', fg: 'black' };
    const wrap = blessed.box({ parent: this.screen, bottom: 1, left: 0, right: 0, height: 1, style });
    blessed.text({ parent: wrap, left: 0, top: 0, height: 1, content: label, style: { ...style, bold: true } });
    const box = blessed.textbox({ parent: wrap, left: label.length, right: 0, top: 0, height: 1, inputOnFocus: false, style });
    box.setValue(initial);
    this.open = wrap;
    this.screen.render();
    box.readInput((err: unknown, value?: string | null) => {
      this.close();
      done(err || value === undefined || value === null ? null : value);
    });
  }

  menu(title: string, items: string[], done: (index: number | null) => void, selected = 0): void {
    const height = Math.min(items.length + 2, Math.max(5, (this.screen.height as number) - 4));
    // The label starts 2 cells in and has a space each side; the corners stay visible.
    const cleanTitle = sanitize(title);
    const width = Math.min(Math.max(displayWidth(cleanTitle) + 6, 12, ...items.map((i) => displayWidth(sanitize(i)) + 4)), (this.screen.width as number) - 2);
    const list = blessed.list({
      parent: this.screen, top: 'center', left: 'center', width, height, label: ` ${blessed.escape(truncateWidth(cleanTitle, Math.max(1, width - 6)))} `, border: 'line', keys: true, vi: false, mouse: true,
      items: items.map((i) => blessed.escape(sanitize(i))), tags: true,
      style: this.theme.mono ? { selected: { inverse: true }, border: {} } : { selected: { bg: 'cyan', fg: 'black' }, border: { fg: 'cyan' } },
    });
    this.open = list;
    list.select(Math.max(0, Math.min(items.length - 1, selected)));
    list.focus();
    const finish = (i: number | null) => {
      this.close();
      done(i);
    };
    list.on('select', (_item: unknown, index: number) => finish(index));
    list.key(['escape', 'q', 'f10'], () => finish(null));
    this.screen.render();
  }

  confirm(question: string, done: (yes: boolean) => void): void {
    const box = blessed.box({
      parent: this.screen, top: 'center', left: 'center', width: Math.min(question.length + 16, (this.screen.width as number) - 2), height: 3,
      border: 'line', content: `${blessed.escape(sanitize(question))} [y/N]`, tags: true,
      style: this.theme.mono ? {} : { border: { fg: 'red' } },
    });
    this.open = box;
    const onKey = (_ch: string, key: { name: string }) => {
      this.screen.removeListener('keypress', onKey);
      this.close();
      done(key.name === 'y');
    };
    // Let the keypress that opened the dialog finish first.
    setImmediate(() => this.screen.on('keypress', onKey));
    this.screen.render();
  }

  /**
   * F1: every key of the shell, the trace panes and the current view. On a
   * terminal too small for all of it the help is cut into pages (two columns
   * when the width allows) and its last line says so ("more": Space/PgDn,
   * PgUp); Esc, q, F1 or Enter closes it. Keys go to the help only.
   */
  showHelp(sections: Array<[string, Array<[string, string]>]>): void {
    const t = this.theme;
    const keyW = 14;
    // [tagged, plain] lines for a column `colW` wide: a long description wraps
    // under itself, a long key puts it on the next line.
    const linesFor = (colW: number): Array<[string, string]> => {
      const out: Array<[string, string]> = [];
      const indent = 2 + keyW + 1;
      const descW = Math.max(10, colW - indent);
      for (const [title, entries] of sections) {
        if (out.length) out.push(['', '']);
        out.push([t.fg('header', blessed.escape(title)), title]);
        for (const [k, d] of entries) {
          const key = sanitize(k);
          const words = sanitize(d).split(' ');
          const desc: string[] = [];
          let cur = '';
          for (const w of words) {
            if (cur && displayWidth(cur) + 1 + displayWidth(w) > descW) {
              desc.push(cur);
              cur = w;
            } else cur = cur ? `${cur} ${w}` : w;
          }
          if (cur) desc.push(cur);
          const keyText = `  ${t.fg('label', blessed.escape(key.padEnd(keyW)))} `;
          const keyPlain = `  ${key.padEnd(keyW)} `;
          let first = 0;
          if (displayWidth(keyPlain) > indent) out.push([`  ${t.fg('label', blessed.escape(key))}`, `  ${key}`]);
          else {
            out.push([keyText + blessed.escape(desc[0] ?? ''), keyPlain + (desc[0] ?? '')]);
            first = 1;
          }
          for (const more of desc.slice(first)) out.push([' '.repeat(indent) + blessed.escape(more), ' '.repeat(indent) + more]);
        }
      }
      return out;
    };
    const box = blessed.box({ parent: this.screen, top: 0, left: 0, width: '100%', height: '100%', tags: true, border: 'line', label: ' Help: ostop keys ', wrap: false });
    this.open = box;
    let page = 0;
    let pages = 1;
    const layout = () => {
      const W = Math.max(10, (this.screen.width as number) - 2);
      const rows = Math.max(1, (this.screen.height as number) - 3); // the border, and the last line for the hint
      // Two columns when one does not fit and each can still be 60 wide.
      let cols = 1;
      let colW = W;
      let lines = linesFor(colW);
      if (lines.length > rows && W >= 2 * 60 + 3) {
        cols = 2;
        colW = Math.floor((W - 3) / 2);
        lines = linesFor(colW);
      }
      const perPage = rows * cols;
      pages = Math.max(1, Math.ceil(lines.length / perPage));
      page = Math.max(0, Math.min(page, pages - 1));
      const cell = (i: number) => {
        const l = lines[i];
        if (!l) return ' '.repeat(colW);
        // Cut by the plain text's width, so a long description never wraps.
        if (displayWidth(l[1]) <= colW) return l[0] + ' '.repeat(colW - displayWidth(l[1]));
        return blessed.escape(truncateWidth(l[1], colW - 1)) + '…';
      };
      const out: string[] = [];
      const first = page * perPage;
      for (let r = 0; r < rows; r++) {
        out.push(cols === 2 ? `${cell(first + r)}   ${cell(first + rows + r)}` : cell(first + r));
      }
      const hint = pages > 1
        ? `-- more: page ${page + 1}/${pages}  Space/PgDn next  PgUp previous  Esc/q close --`
        : 'Esc/q close';
      out.push(t.fg('warn', blessed.escape(truncateWidth(hint, W))));
      box.setContent(out.join('\n'));
    };
    const opener = this.lastKey;
    const onKey = (_ch: string | undefined, key: BlessedKey) => {
      if (!key || key === opener || key.name === 'return') return; // blessed sends Enter twice: as 'enter', then as 'return'
      const full = keyFull(_ch, key);
      const step: Record<string, number> = { space: 1, pagedown: 1, down: 1, right: 1, j: 1, pageup: -1, up: -1, left: -1, b: -1, k: -1 };
      if (full in step || full === 'home' || full === 'end') {
        page = full === 'home' ? 0 : full === 'end' ? pages - 1 : page + step[full];
        layout();
        this.screen.render();
        return;
      }
      if (['escape', 'q', 'f1', '?', 'h', 'enter', 'f10'].includes(full)) {
        this.screen.removeListener('keypress', onKey);
        this.close();
      }
      // Any other key: ignored while the help is open.
    };
    layout();
    this.relayout = layout;
    this.screen.on('keypress', onKey);
    this.screen.render();
  }
}
