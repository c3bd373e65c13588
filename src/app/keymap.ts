// Keys defined once: a keymap is a table of bindings (the keys, the footer
// label, the F1 help line, the handler). The same table drives the key
// handler, the footer and the help screen, so they cannot disagree.
// The shell's global keys are one table (src/app/app.ts); a screen may
// define its own and answer handleKey/footer/help from it.

/** What blessed passes with a keypress. */
export interface BlessedKey { name?: string; full?: string; ctrl?: boolean; meta?: boolean; shift?: boolean; code?: string }

/**
 * The shifted F1-F4 blessed leaves unnamed (and then drops): xterm's
 * CSI 1;2 P..S (what xterm, VTE and xterm.js send for Shift-F3) and rxvt's
 * CSI 25~ / 26~ (S-F3, S-F4). tmux sends SS3 2 R, which blessed names.
 */
export function shiftedFunctionKey(key: BlessedKey): string | undefined {
  if (key.ctrl || key.meta) return undefined;
  if (key.code === '[25~') return 'f3';
  if (key.code === '[26~') return 'f4';
  const xterm: Record<string, string> = { '[P': 'f1', '[Q': 'f2', '[R': 'f3', '[S': 'f4' };
  return key.shift && key.code !== undefined ? xterm[key.code] : undefined;
}

/** blessed's key.full (what the key bindings match). */
export function keyFull(ch: string | undefined, key: BlessedKey): string {
  return key.full ?? key.name ?? ch ?? '';
}

/** A key press as a binding's handler sees it. */
export interface KeyPress {
  ch: string | undefined;
  /** blessed's key.name */
  name: string;
  /** blessed's key.full: what `keys` match */
  full: string;
}

export interface KeyBinding<C = void> {
  /** blessed key.full values that run this binding (e.g. ['f3', '/']). */
  keys: readonly string[];
  /** How the footer and the help name the keys (default: the keys joined by a space). */
  label?: string;
  /** Footer text, when the binding has a place in the footer (a function: it depends on state, e.g. 'Tree'/'List'). */
  footer?: string | ((ctx: C) => string);
  /** F1 help text; a binding without help is not listed (e.g. a key that only repeats another). */
  help?: string;
  /** How the help line names its keys when it covers several bindings (e.g. 'p / a'); default: label. */
  helpKeys?: string;
  /** Runs the binding; false = not handled after all (the key goes on to the next handler). */
  run(ctx: C, key: KeyPress): boolean | void;
}

export type Keymap<C = void> = ReadonlyArray<KeyBinding<C>>;

/** The binding for a key, if any. */
export function bindingFor<C>(map: Keymap<C>, full: string): KeyBinding<C> | undefined {
  return map.find((b) => b.keys.includes(full));
}

/**
 * Runs the binding of `key`; true when one handled it. With `byName`, a
 * named key with a modifier the table does not bind (S-left) falls back to
 * its name (left), for screens that matched keys by blessed's key.name.
 */
export function runKey<C>(map: Keymap<C>, ctx: C, key: KeyPress, opts: { byName?: boolean } = {}): boolean {
  const b = bindingFor(map, key.full) ?? (opts.byName && key.name.length > 1 && key.full !== key.name ? bindingFor(map, key.name) : undefined);
  if (!b) return false;
  return b.run(ctx, key) !== false;
}

const labelOf = (b: KeyBinding<unknown>) => b.label ?? b.keys.join(' ');

/** Footer entries [key, label], in table order. */
export function footerOf<C>(map: Keymap<C>, ctx: C): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const b of map) {
    if (b.footer === undefined) continue;
    out.push([labelOf(b as KeyBinding<unknown>), typeof b.footer === 'function' ? b.footer(ctx) : b.footer]);
  }
  return out;
}

/** F1 help lines [keys, text], in table order. */
export function helpOf<C>(map: Keymap<C>): Array<[string, string]> {
  return map.filter((b) => b.help !== undefined).map((b) => [b.helpKeys ?? labelOf(b as KeyBinding<unknown>), b.help!]);
}
