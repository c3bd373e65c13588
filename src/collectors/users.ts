// uid -> user name from /etc/passwd, read once and re-read only when an
// unknown uid appears (at most once per 10 s), so the per-tick loop never
// spawns or blocks. Names are untrusted text (sanitized by callers).
import { readFileFast } from './procfs.js';

export function parsePasswd(text: string): Map<number, string> {
  const m = new Map<number, string>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 4) continue;
    const uid = Number(f[2]);
    if (Number.isInteger(uid) && !m.has(uid)) m.set(uid, f[0]);
  }
  return m;
}

export class UserNames {
  private map = new Map<number, string>();
  private loadedAt = -Infinity;
  constructor(private passwdPath = '/etc/passwd') {
    this.load();
  }
  private load(): void {
    this.loadedAt = Date.now();
    const t = readFileFast(this.passwdPath);
    if (t) this.map = parsePasswd(t);
  }
  name(uid: number): string {
    let n = this.map.get(uid);
    if (n === undefined && Date.now() - this.loadedAt > 10_000) {
      this.load();
      n = this.map.get(uid);
    }
    return n ?? String(uid);
  }
  uidOf(name: string): number | undefined {
    for (const [uid, n] of this.map) if (n === name) return uid;
    if (/^\d+$/.test(name)) return Number(name);
    return undefined;
  }
}
