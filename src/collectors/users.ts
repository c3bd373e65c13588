// uid -> user name from /etc/passwd (parser: src/collectors/procfs/passwd.ts), read once and re-read only when an
// unknown uid appears (at most once per 10 s), so the per-tick loop never
// spawns or blocks. Names are untrusted text (sanitized by callers).
import { directReader, type FileReader } from './procfs/read.js';
import { parsePasswd } from './procfs/passwd.js';

export class UserNames {
  private map = new Map<number, string>();
  private loadedAt = -Infinity;
  constructor(private passwdPath = '/etc/passwd', private reader: FileReader = directReader) {
    this.load();
  }
  private load(): void {
    this.loadedAt = Date.now();
    const t = this.reader.text(this.passwdPath);
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
