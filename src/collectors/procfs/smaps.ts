// /proc/PID/smaps: only what ostop needs of it, the kernel page size
// (KernelPageSize of the first mapping, in kB).

/** Bytes per page from the first KernelPageSize line; undefined when there is none. */
export function parseKernelPageSize(text: string): number | undefined {
  const m = /^KernelPageSize:\s+(\d+) kB/m.exec(text);
  return m ? Number(m[1]) * 1024 : undefined;
}
