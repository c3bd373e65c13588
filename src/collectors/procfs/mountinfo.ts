// /proc/PID/mountinfo: one line per mount. Mount points and sources are
// untrusted: octal-escaped by the kernel, decoded here, then sanitized (the
// raw bytes are kept for statfs).
import { sanitize } from '../../util/text.js';

export interface MountEntry {
  mountId: number;
  dev: string; // "major:minor"
  mountPoint: string;
  fsType: string;
  source: string;
  /** The mount point as raw bytes, for statfs (the display form is sanitized). */
  rawMountPoint?: Buffer;
}

export function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8)));
}

function decodeField(s: string): string {
  return sanitize(Buffer.from(unescapeMount(s), 'latin1').toString('utf8'));
}

/** Parse /proc/<pid>/mountinfo. */
export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    const sep = f.indexOf('-', 6);
    if (f.length < 10 || sep < 0 || sep + 3 > f.length) continue;
    out.push({ mountId: Number(f[0]), dev: f[2], mountPoint: decodeField(f[4]), rawMountPoint: Buffer.from(unescapeMount(f[4]), 'latin1'), fsType: decodeField(f[sep + 1]), source: decodeField(f[sep + 2]) });
  }
  return out;
}
