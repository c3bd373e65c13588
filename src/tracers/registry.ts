// The TypeScript tracer registry: one line per tracer (its descriptor).
// The native side has its own one-line registry in native/addon/tracers.def.
import type { TracerDescriptor } from './types.js';
import { opensTracer } from './opens.js';
import { execTracer } from './exec.js';
import { exitTracer } from './exit.js';
import { diskTracer } from './disk.js';
import { syscallsTracer } from './syscalls.js';
import { tcpTracer } from './tcp.js';
import { runqlatTracer } from './runqlat.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const TRACERS: readonly TracerDescriptor<any>[] = [
  opensTracer,
  execTracer,
  exitTracer,
  diskTracer,
  syscallsTracer,
  tcpTracer,
  runqlatTracer,
];

/** Every tracer `ostop trace` knows by name, registered or not yet. */
export const KNOWN_TRACERS = ['opens', 'disk', 'exec', 'exit', 'syscalls', 'tcp', 'runqlat'] as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function findTracer(name: string): TracerDescriptor<any> | undefined {
  return TRACERS.find((t) => t.name === name);
}
