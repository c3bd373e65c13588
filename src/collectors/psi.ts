// Pressure stall information from /proc/pressure/{cpu,memory,io}.
// The files may be missing (CONFIG_PSI=n, old kernels) or fail with
// EOPNOTSUPP (CONFIG_PSI_DEFAULT_DISABLED=y without psi=1 on the kernel
// command line). Invariant: a PsiSample always says which of these it is,
// so a screen can tell the person why pressure is not shown.
import * as fs from 'node:fs';

export type PsiResource = 'cpu' | 'memory' | 'io';
export const PSI_RESOURCES: readonly PsiResource[] = ['cpu', 'memory', 'io'];

export interface PsiLine { avg10: number; avg60: number; avg300: number; /** stall time in microseconds since boot */ total: number }

export interface PsiResourceSample {
  some?: PsiLine;
  /** cpu "full" exists only on 5.13+ kernels (and is 0 at system level). */
  full?: PsiLine;
}

export interface PsiSample {
  available: boolean;
  /** Why not, when not available: a sentence for the screen. */
  reason?: string;
  res: Partial<Record<PsiResource, PsiResourceSample>>;
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

export function readPsiSample(procRoot = '/proc'): PsiSample {
  const res: PsiSample['res'] = {};
  let reason: string | undefined;
  for (const r of PSI_RESOURCES) {
    try {
      res[r] = parsePsi(fs.readFileSync(`${procRoot}/pressure/${r}`, 'latin1'));
    } catch (e) {
      reason ??= psiReason((e as NodeJS.ErrnoException).code);
    }
  }
  const available = Object.keys(res).length > 0;
  return { available, reason: available ? undefined : reason, res };
}
