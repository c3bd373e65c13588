// /proc/sys/kernel/core_pattern and core_uses_pid: where the kernel puts a
// core dump. A pattern starting with '|' pipes the dump to a handler program
// (systemd-coredump, apport, abrt); otherwise it is a file name template,
// relative to the crashing process's cwd unless it starts with '/'.
// core_uses_pid = 1 appends ".PID" to file patterns without %p.
// The pattern is set by root; it is still returned raw (sanitize before display).

export interface CorePatternInfo {
  /** The raw pattern as the kernel holds it (without the newline it ends with). */
  pattern: string;
  kind: 'file' | 'pipe';
  /** Pipe: the handler program; file: null. */
  handler: string | null;
  /** A known handler's name: systemd-coredump, apport, abrt; null otherwise. */
  handlerName: 'systemd-coredump' | 'apport' | 'abrt' | null;
  /** File patterns only: relative patterns are relative to the crashing process's cwd. */
  relative: boolean;
  /** kernel.core_uses_pid: ".PID" appended to file patterns without %p. */
  usesPid: boolean;
}

/** core_pattern's text (with or without its newline); `usesPid` from core_uses_pid. */
export function parseCorePattern(text: string, usesPid = false): CorePatternInfo {
  const p = text.replace(/\n$/, '');
  if (p.startsWith('|')) {
    const handler = p.slice(1).trim().split(/\s+/)[0] ?? '';
    const base = handler.slice(handler.lastIndexOf('/') + 1);
    const handlerName = base === 'systemd-coredump' ? 'systemd-coredump' : base === 'apport' ? 'apport' : /abrt/.test(base) ? 'abrt' : null;
    return { pattern: p, kind: 'pipe', handler, handlerName, relative: false, usesPid };
  }
  return { pattern: p, kind: 'file', handler: null, handlerName: null, relative: !p.startsWith('/'), usesPid };
}

/** core_uses_pid: "1" (after trimming) means yes; anything else, no. */
export function parseCoreUsesPid(text: string): boolean {
  return text.trim() === '1';
}
