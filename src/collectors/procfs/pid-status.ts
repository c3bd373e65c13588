// /proc/PID/status: "Key:\tvalue" lines. One parser for the process table
// (USER, SWAP), the drill-in and the per-thread context switches. Values are
// raw here; `Name:` is unescaped so it matches stat's comm (both are then
// sanitized for display like any comm). Never throws except
// parseCtxtSwitches, which says which line is at fault.

export interface StatusInfo {
  name?: string;
  umask?: string;
  state?: string;
  tgid?: number;
  ppid?: number;
  /** real, effective, saved, filesystem */
  uids?: number[];
  gids?: number[];
  /** The pid in each PID namespace it is in, outermost first (NSpid). */
  nspid?: number[];
  threads?: number;
  vmPeakKb?: number;
  vmSizeKb?: number;
  vmHwmKb?: number;
  vmRssKb?: number;
  rssAnonKb?: number;
  rssFileKb?: number;
  rssShmemKb?: number;
  vmSwapKb?: number;
  voluntaryCtxt?: number;
  nonvoluntaryCtxt?: number;
  seccomp?: number;
  capEff?: string;
  /** Every key: value line, raw. */
  fields: Record<string, string>;
}

function kb(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const m = /^\s*(\d+)/.exec(v);
  return m ? Number(m[1]) : undefined;
}

function int(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v.trim());
  return v.trim() !== '' && Number.isFinite(n) ? n : undefined;
}

/** An unsigned decimal counter ("123"); anything else (sign, junk, empty) is undefined. */
function counter(v: string | undefined): number | undefined {
  if (v === undefined || !/^\d+$/.test(v.trim())) return undefined;
  const n = Number(v.trim());
  return Number.isSafeInteger(n) ? n : undefined;
}

export interface CtxtSwitches {
  voluntary: number;
  nonvoluntary: number;
}

/**
 * The context-switch counters of one task's status
 * (/proc/PID/task/TID/status): the kernel keeps them per thread (the
 * process's own status shows its main thread's only). Throws with the
 * line at fault when a counter is missing or not an unsigned number.
 */
export function parseCtxtSwitches(text: string): CtxtSwitches {
  let voluntary: number | undefined, nonvoluntary: number | undefined;
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const key = line.slice(0, i);
    if (key !== 'voluntary_ctxt_switches' && key !== 'nonvoluntary_ctxt_switches') continue;
    const v = counter(line.slice(i + 1));
    if (v === undefined) throw new Error(`malformed status line ${JSON.stringify(line.slice(0, 80))}: expected an unsigned count`);
    if (key === 'voluntary_ctxt_switches') voluntary ??= v;
    else nonvoluntary ??= v;
  }
  if (voluntary === undefined || nonvoluntary === undefined) {
    throw new Error(`status has no ${voluntary === undefined ? 'voluntary_ctxt_switches' : 'nonvoluntary_ctxt_switches'} line`);
  }
  return { voluntary, nonvoluntary };
}

const STATUS_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', a: '\x07', e: '\x1b', '\\': '\\', '"': '"' };

/** Undo the kernel's escaping of comm in status `Name:` (ESCAPE_SPACE | ESCAPE_SPECIAL). */
export function unescapeStatusName(s: string): string {
  return s.replace(/\\([ntrfvae\\"])/g, (_m, c: string) => STATUS_ESCAPES[c]);
}

/**
 * The value of one key, as parseStatus keeps it (the first line of that key,
 * the tab after the colon dropped, trimmed), without reading the other
 * lines: the process table reads Uid and VmSwap of thousands of processes.
 */
export function statusValue(text: string, key: string): string | undefined {
  const needle = key + ':';
  let at: number;
  if (text.startsWith(needle)) at = 0;
  else {
    const i = text.indexOf('\n' + needle);
    if (i < 0) return undefined;
    at = i + 1;
  }
  const start = at + needle.length;
  let end = text.indexOf('\n', start);
  if (end < 0) end = text.length;
  return text.slice(start, end).replace(/^\t/, '').trim();
}

/** Uid:/Gid: values: real, effective, saved, filesystem. */
export function statusIds(v: string | undefined): number[] | undefined {
  return v === undefined ? undefined : v.split(/\s+/).filter(Boolean).map(Number);
}

/** A "<n> kB" value (VmSwap, VmRSS...) in kB; undefined when absent or not a number. */
export function statusKb(v: string | undefined): number | undefined {
  return kb(v);
}

/**
 * Parse /proc/PID/status. `Name:` escapes whitespace, backslash, quote,
 * BEL and ESC in comm ("\n", "\e"...), which we undo so the name matches
 * stat's comm (both are then sanitized for display like any comm).
 */
export function parseStatus(text: string): StatusInfo {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const key = line.slice(0, i);
    if (key in fields) continue;
    fields[key] = line.slice(i + 1).replace(/^\t/, '').trim();
  }
  const ids = statusIds;
  const name = fields.Name === undefined ? undefined : unescapeStatusName(fields.Name);
  return {
    name,
    umask: fields.Umask,
    state: fields.State,
    tgid: int(fields.Tgid),
    ppid: int(fields.PPid),
    uids: ids(fields.Uid),
    gids: ids(fields.Gid),
    nspid: ids(fields.NSpid),
    threads: int(fields.Threads),
    vmPeakKb: kb(fields.VmPeak),
    vmSizeKb: kb(fields.VmSize),
    vmHwmKb: kb(fields.VmHWM),
    vmRssKb: kb(fields.VmRSS),
    rssAnonKb: kb(fields.RssAnon),
    rssFileKb: kb(fields.RssFile),
    rssShmemKb: kb(fields.RssShmem),
    vmSwapKb: kb(fields.VmSwap),
    voluntaryCtxt: counter(fields.voluntary_ctxt_switches),
    nonvoluntaryCtxt: counter(fields.nonvoluntary_ctxt_switches),
    seccomp: int(fields.Seccomp),
    capEff: fields.CapEff,
    fields,
  };
}
