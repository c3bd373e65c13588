// /proc/kallsyms: "ffffffff81000000 T _stext" or, for a module's symbol,
// "ffffffffc0a01000 t ext4_fill_super\t[ext4]". Only text symbols (t, T, w,
// W) are kept: a stack frame is always in code. With kernel.kptr_restrict
// set (or without CAP_SYSLOG) every address reads as 0: then `restricted`
// is true and nothing resolves, and the caller says why.
//
// Kernel addresses do not fit a JS number exactly (0xffffffff81000000 >
// 2^53), so they are kept as offsets from KERNEL_BASE (0xffff000000000000:
// every x86-64 and arm64 kernel address is above it), which do.

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

const TEXT = new Set(['t', 'T', 'w', 'W']);

/** Parse /proc/kallsyms (text symbols only, sorted by address). */
export function parseKallsyms(text: string): KernelSymbols {
  const addrs: number[] = [];
  const names: string[] = [];
  const modules: string[] = [];
  let lines = 0, zeros = 0;
  let pos = 0;
  const n = text.length;
  while (pos < n) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = n;
    const line = text.slice(pos, eol);
    pos = eol + 1;
    // addr(hex) SP type SP name [\t[module]]
    const s1 = line.indexOf(' ');
    if (s1 <= 0 || line.charAt(s1 + 2) !== ' ') continue;
    lines++;
    const type = line.charAt(s1 + 1);
    const hex = line.slice(0, s1);
    if (!/^[0-9a-f]{1,16}$/.test(hex)) continue;
    if (/^0+$/.test(hex)) {
      zeros++;
      continue;
    }
    if (!TEXT.has(type) || hex.length !== 16 || !hex.startsWith('ffff')) continue;
    const rest = line.slice(s1 + 3);
    const tab = rest.indexOf('\t');
    const name = tab < 0 ? rest : rest.slice(0, tab);
    let mod = '';
    if (tab >= 0) {
      const m = /^\[([^\]]*)\]/.exec(rest.slice(tab + 1));
      if (m) mod = m[1];
    }
    if (!name) continue;
    addrs.push(kernelOffset(parseInt(hex.slice(0, 8), 16), parseInt(hex.slice(8), 16)));
    names.push(name);
    modules.push(mod);
  }
  const order = addrs.map((_, i) => i).sort((a, b) => addrs[a] - addrs[b] || a - b);
  return {
    addrs: Float64Array.from(order, (i) => addrs[i]),
    names: order.map((i) => names[i]),
    modules: order.map((i) => modules[i]),
    restricted: lines > 0 && zeros === lines,
  };
}

/** Largest distance from a symbol's start still taken as inside it (no sizes in kallsyms: beyond the last symbol of a region is no man's land). */
const MAX_SYMBOL_SPAN = 1 << 20;

/** The symbol holding kernel offset `off` (binary search), or undefined. */
export function lookupKernel(k: KernelSymbols, off: number): { name: string; module: string; offset: number } | undefined {
  const a = k.addrs;
  let lo = 0, hi = a.length - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] <= off) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found < 0 || off - a[found] > MAX_SYMBOL_SPAN) return undefined;
  return { name: k.names[found], module: k.modules[found], offset: off - a[found] };
}
