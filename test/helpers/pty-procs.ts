// Child processes the e2e and accuracy tests start and look for in ostop:
// a `sleep` run through a uniquely named symlink (so its comm, which the
// kernel takes from the executed file name, is unique too) with a chosen
// argv[0] (so its cmdline is chosen too). Everything started here is killed
// by killAll(); the temp dir holding the symlinks is removed.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface Kid {
  child: ChildProcess;
  pid: number;
  /** The comm the kernel shows (file name, cut to 15 bytes). */
  comm: string;
  argv0: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: Kid[] = [];
let linkDir: string | undefined;

function dir(): string {
  if (!linkDir) linkDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-kids-'));
  return linkDir;
}

/** A random lowercase tag, to make names unique per run. */
export function uniqueTag(prefix = 'oe'): string {
  return prefix + Math.random().toString(36).slice(2, 8);
}

/**
 * Run `file args...` through a symlink named `linkName` (which becomes the comm),
 * with argv[0] = argv0 (default: linkName).
 */
export async function startNamed(linkName: string, opts: { target?: string; args?: string[]; argv0?: string } = {}): Promise<Kid> {
  const target = opts.target ?? '/bin/sleep';
  const link = path.join(dir(), linkName);
  fs.rmSync(link, { force: true });
  fs.symlinkSync(target, link);
  const argv0 = opts.argv0 ?? linkName;
  const child = spawn(link, opts.args ?? ['1000'], { argv0, stdio: 'ignore' });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.once('exit', (code, signal) => res({ code, signal })));
  await new Promise<void>((res, rej) => {
    child.once('spawn', () => res());
    child.once('error', rej);
  });
  // Wait until the exec is visible in /proc (comm changed from the forking node).
  const want = Buffer.from(linkName).subarray(0, 15).toString('latin1');
  for (let i = 0; i < 100; i++) {
    try {
      if (fs.readFileSync(`/proc/${child.pid}/comm`, 'latin1').replace(/\n$/, '') === want) break;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  const kid: Kid = { child, pid: child.pid!, comm: linkName, argv0, exited };
  started.push(kid);
  return kid;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie still answers kill(0): look at its state.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

export async function killAll(): Promise<void> {
  for (const k of started.splice(0)) {
    try {
      k.child.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
  if (linkDir) {
    fs.rmSync(linkDir, { recursive: true, force: true });
    linkDir = undefined;
  }
}
