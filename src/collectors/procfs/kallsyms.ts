// /proc/kallsyms: "ffffffff81000000 T _stext" or, for a module's symbol,
// "ffffffffc0a01000 t ext4_fill_super\t[ext4]". Only text symbols (t, T, w,
// W) are kept: a stack frame is always in code. With kernel.kptr_restrict
// set (or without CAP_SYSLOG) every address reads as 0: then `restricted`
// is true and nothing resolves, and the caller says why.
//
// Kernel addresses do not fit a JS number exactly (0xffffffff81000000 >
// 2^53), so they are kept as offsets from KERNEL_BASE (0xffff000000000000:
// every x86-64 and arm64 kernel address is above it), which do.
import { lastAtOrBelow } from '../../util/search.js';

export const KERNEL_BASE = 0xffff000000000000n;
const KERNEL_BASE_HI = 0xffff0000;

/** A kernel address as an offset from KERNEL_BASE (exact in a double), from its two 32-bit halves. */
export function kernelOffset(hi: number, lo: number): number {
  return (hi - KERNEL_BASE_HI) * 4294967296 + lo;
}

/** A kernel offset back to hex, for display ("ffffffff81000000"). */
export function kernelHex(off: number): string {
  return (KERNEL_BASE + BigInt(off)).toString(16);
}

export interface KernelSymbols {
  /** Sorted ascending; offsets from KERNEL_BASE. */
  addrs: Float64Array;
  names: string[];
  /** Module of each symbol ('' for the kernel image). */
  modules: string[];
  /** Every address was 0: kptr_restrict (or no CAP_SYSLOG) hides them. */
  restricted: boolean;
}

/** Accumulates kallsyms lines; the same code for the one-go and the sliced parse. */
class KallsymsBuilder {
  addrs: number[] = [];
  names: string[] = [];
  modules: string[] = [];
  lines = 0;
  zeros = 0;

  /** Parse lines of `text` from `pos` until `stopLines` lines were seen or the end; returns the next position. */
  feed(text: string, pos: number, stopLines: number): number {
    const n = text.length;
    let seen = 0;
    while (pos < n && seen < stopLines) {
      let eol = text.indexOf('\n', pos);
      if (eol < 0) eol = n;
      this.line(text, pos, eol);
      pos = eol + 1;
      seen++;
    }
    return pos;
  }

  // addr(hex) SP type SP name [\t[module]]
  private line(text: string, a: number, eol: number): void {
    const s1 = text.indexOf(' ', a);
    if (s1 <= a || s1 + 2 >= eol || text.charCodeAt(s1 + 2) !== 32) return;
    this.lines++;
    const hexLen = s1 - a;
    if (hexLen > 16) return;
    let zero = true;
    for (let i = a; i < s1; i++) {
      const c = text.charCodeAt(i);
      if (c !== 48) zero = false;
      if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return;
    }
    if (zero) {
      this.zeros++;
      return;
    }
    const type = text.charCodeAt(s1 + 1);
    // Text symbols only: t T w W.
    if (type !== 116 && type !== 84 && type !== 119 && type !== 87) return;
    if (hexLen !== 16 || !text.startsWith('ffff', a)) return;
    const nameStart = s1 + 3;
    let tab = -1;
    for (let i = nameStart; i < eol; i++) {
      if (text.charCodeAt(i) === 9) {
        tab = i;
        break;
      }
    }
    const name = text.slice(nameStart, tab < 0 ? eol : tab);
    if (!name) return;
    let mod = '';
    if (tab >= 0 && text.charCodeAt(tab + 1) === 91) {
      const close = text.indexOf(']', tab + 2);
      if (close > 0 && close <= eol) mod = text.slice(tab + 2, close);
    }
    this.addrs.push(kernelOffset(parseInt(text.slice(a, a + 8), 16), parseInt(text.slice(a + 8, a + 16), 16)));
    this.names.push(name);
    this.modules.push(mod);
  }

  finish(): KernelSymbols {
    const { addrs, names, modules } = this;
    let sorted = true;
    for (let i = 1; i < addrs.length && sorted; i++) if (addrs[i] < addrs[i - 1]) sorted = false;
    // /proc/kallsyms is in address order but for the modules' part: sort only when needed.
    const order = sorted ? null : addrs.map((_, i) => i).sort((x, y) => addrs[x] - addrs[y] || x - y);
    return {
      addrs: order ? Float64Array.from(order, (i) => addrs[i]) : Float64Array.from(addrs),
      names: order ? order.map((i) => names[i]) : names,
      modules: order ? order.map((i) => modules[i]) : modules,
      restricted: this.lines > 0 && this.zeros === this.lines,
    };
  }
}

/** Parse /proc/kallsyms (text symbols only, sorted by address). */
export function parseKallsyms(text: string): KernelSymbols {
  const b = new KallsymsBuilder();
  b.feed(text, 0, Infinity);
  return b.finish();
}

/** The same, `linesPerSlice` lines at a time with `pause()` between (the UI keeps its keys meanwhile). */
export async function parseKallsymsSliced(text: string, pause: () => Promise<void>, linesPerSlice = 8192): Promise<KernelSymbols> {
  const b = new KallsymsBuilder();
  let pos = 0;
  while (pos < text.length) {
    pos = b.feed(text, pos, linesPerSlice);
    await pause();
  }
  return b.finish();
}

/** Largest distance from a symbol's start still taken as inside it (no sizes in kallsyms: beyond the last symbol of a region is no man's land). */
const MAX_SYMBOL_SPAN = 1 << 20;

/** The symbol holding kernel offset `off` (binary search), or undefined. */
export function lookupKernel(k: KernelSymbols, off: number): { name: string; module: string; offset: number } | undefined {
  const a = k.addrs;
  const found = lastAtOrBelow(a, off);
  if (found < 0 || off - a[found] > MAX_SYMBOL_SPAN) return undefined;
  return { name: k.names[found], module: k.modules[found], offset: off - a[found] };
}
