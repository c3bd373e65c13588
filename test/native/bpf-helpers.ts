// Helpers for privileged tests: which ostop BPF programs the kernel holds.
import { execFileSync } from 'node:child_process';

export const isRoot = typeof process.geteuid === 'function' && process.geteuid() === 0;
export const notRootReason = 'privileged BPF test: needs root (CI runs as root)';

export interface LoadedProg { id: number; name: string }

/** Programs whose name starts with ostop_ (every ostop program does; the kernel keeps 15 chars). */
export function loadedOstopProgs(): LoadedProg[] {
  const out = execFileSync('bpftool', ['-j', 'prog', 'show'], { encoding: 'utf8' });
  const list = JSON.parse(out || '[]') as { id: number; name?: string }[];
  return list.filter((p) => (p.name ?? '').startsWith('ostop_')).map((p) => ({ id: p.id, name: p.name! }));
}

/** Resolves once none of `ids` is loaded (program freeing is deferred a little after the last fd closes). */
export async function waitUnloaded(ids: number[], timeoutMs = 5000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const live = new Set(loadedOstopProgs().map((p) => p.id));
    const left = ids.filter((id) => live.has(id));
    if (!left.length || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function waitFor<T>(f: () => T | undefined | null | false, timeoutMs = 5000, stepMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
