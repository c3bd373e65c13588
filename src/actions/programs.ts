// Finding the programs ostop runs (gdb, coredumpctl) without a shell and,
// as root, without trusting PATH (docs/security.md 5).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { untrustedFileReason } from '../util/trust.js';

/** Where root looks for programs, whatever PATH says (sudo's secure_path). */
export const ROOT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Find a program (no shell) and return its absolute path. Relative PATH
 * entries are skipped. As root, PATH is not used at all (under `sudo -E`
 * it is another user's, and a `gdb` of theirs would run as root): only
 * ROOT_PATH, and only a file root owns that nobody else can write.
 */
export function which(prog: string, envPath = process.env.PATH ?? '/usr/bin:/bin'): string | null {
  const root = process.geteuid?.() === 0;
  for (const dir of (root ? ROOT_PATH : envPath).split(':')) {
    if (!path.isAbsolute(dir)) continue;
    const p = path.join(dir, prog);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (root && untrustedFileReason(p) !== null) continue;
      return p;
    } catch { /* next */ }
  }
  return null;
}
