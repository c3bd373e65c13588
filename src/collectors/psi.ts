// Pressure stall information from /proc/pressure/{cpu,memory,io} (parser:
// src/collectors/procfs/pressure.ts). Invariant: a PsiSample always says
// why pressure is missing, so a screen can tell the person.
import * as fs from 'node:fs';
import { PSI_RESOURCES, parsePsi, psiReason, type PsiResource, type PsiResourceSample } from './procfs/pressure.js';

export { PSI_RESOURCES, type PsiLine, type PsiResource, type PsiResourceSample } from './procfs/pressure.js';

export interface PsiSample {
  available: boolean;
  /** Why not, when not available: a sentence for the screen. */
  reason?: string;
  res: Partial<Record<PsiResource, PsiResourceSample>>;
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
