// /proc/PID/stack (root only: the kernel stack of a task, one frame a line,
// "[<0>] do_select+0x6c1/0x7f0" or "[<0>] nfs_wait_bit_killable+0x1a/0x60 [nfs]")
// and /proc/PID/wchan (the function a sleeping task waits in, or "0" when it
// runs). The address in brackets has read as 0 since Linux 4.x (kptr
// hiding); the symbol+offset/size is what the kernel gives. Together they
// answer "why is a process in D state stuck".

export interface KernelFrame {
  /** Function name ('?' when the kernel printed no symbol). */
  name: string;
  /** Offset into the function and its size, bytes (null when not printed). */
  offset: number | null;
  size: number | null;
  /** Module the function is in ('' for the kernel image). */
  module: string;
}

const FRAME = /^\[<([0-9a-f]+)>\]\s+(.*)$/;
const SYM = /^(\S+?)\+0x([0-9a-f]+)\/0x([0-9a-f]+)(?:\s+\[([^\]\s]+)\])?$/;

/** Parse /proc/PID/stack: the frames innermost first; lines that are not frames are skipped. */
export function parseKernelStack(text: string): KernelFrame[] {
  const out: KernelFrame[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const m = FRAME.exec(line);
    if (!m) continue;
    const sym = m[2].trim();
    const s = SYM.exec(sym);
    if (s) out.push({ name: s[1], offset: parseInt(s[2], 16), size: parseInt(s[3], 16), module: s[4] ?? '' });
    else if (/^\S+$/.test(sym)) out.push({ name: sym, offset: null, size: null, module: '' });
    else out.push({ name: '?', offset: null, size: null, module: '' });
  }
  return out;
}

/** A frame as the kernel prints it: "do_select+0x6c1/0x7f0 [mod]". */
export function formatKernelFrame(f: KernelFrame): string {
  const where = f.offset !== null && f.size !== null ? `+0x${f.offset.toString(16)}/0x${f.size.toString(16)}` : '';
  return `${f.name}${where}${f.module ? ` [${f.module}]` : ''}`;
}

/** Parse /proc/PID/wchan: the wait channel's function, or null when the task is not sleeping ("0" or empty). */
export function parseWchan(text: string): string | null {
  const t = text.trim();
  if (t === '' || t === '0') return null;
  // One symbol name; anything else (a hex address from an old kernel, garbage) is not a name.
  return /^[A-Za-z_.$][\w.$]*$/.test(t) ? t : null;
}
