// /proc/PID/statm: sizes in pages (size resident shared text lib data dt).

/** statm: size resident shared text lib data dt (pages). */
export function parseStatm(text: string): { sizePages: number; residentPages: number; sharedPages: number } | undefined {
  const f = text.trim().split(/\s+/).map(Number);
  if (f.length < 3 || f.slice(0, 3).some((v) => !Number.isFinite(v))) return undefined;
  return { sizePages: f[0], residentPages: f[1], sharedPages: f[2] };
}
