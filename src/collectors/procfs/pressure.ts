// /proc/pressure/{cpu,memory,io}: pressure stall information. The files
// may be missing (CONFIG_PSI=n, old kernels) or fail with EOPNOTSUPP
// (CONFIG_PSI_DEFAULT_DISABLED=y without psi=1): psiReason says which.

export type PsiResource = 'cpu' | 'memory' | 'io';
export const PSI_RESOURCES: readonly PsiResource[] = ['cpu', 'memory', 'io'];

export interface PsiLine { avg10: number; avg60: number; avg300: number; /** stall time in microseconds since boot */ total: number }

export interface PsiResourceSample {
  some?: PsiLine;
  /** cpu "full" exists only on 5.13+ kernels (and is 0 at system level). */
  full?: PsiLine;
}

/** Parse one /proc/pressure/<res> file. */
export function parsePsi(text: string): PsiResourceSample {
  const r: PsiResourceSample = {};
  for (const line of text.split('\n')) {
    const m = /^(some|full)\s+avg10=([\d.]+)\s+avg60=([\d.]+)\s+avg300=([\d.]+)\s+total=(\d+)/.exec(line);
    if (!m) continue;
    r[m[1] as 'some' | 'full'] = { avg10: Number(m[2]), avg60: Number(m[3]), avg300: Number(m[4]), total: Number(m[5]) };
  }
  return r;
}

export function psiReason(code: string | undefined): string {
  if (code === 'EOPNOTSUPP' || code === 'ENOTSUP') return 'PSI is built into this kernel but disabled: boot with psi=1 to enable it';
  if (code === 'ENOENT') return 'PSI is not available: kernel built without CONFIG_PSI (or older than 4.20)';
  if (code === 'EACCES' || code === 'EPERM') return 'PSI files are not readable by this user';
  return `PSI unavailable (${code ?? 'unknown error'})`;
}
