// The process drill-in view: Enter on a process in the top view, or
// `ostop -p PID`, shows it with params { pid }. No global key.
import type { ViewDef } from '../app/view.js';
import type { ProcessDetailModel } from '../model/process-detail.js';
import { ProcessScreen } from '../../screens/process-screen.js';
import { ProcessSource } from './process-source.js';
import { existingFailuresHub } from './failures-source.js';

function pidParam(params: Record<string, unknown>): number {
  const pid = Number(params.pid);
  if (!Number.isSafeInteger(pid) || pid <= 0) throw new Error(`process view: bad pid ${String(params.pid)}`);
  return pid;
}

export const processView: ViewDef<ProcessDetailModel> = {
  id: 'process',
  title: 'Process',
  // How a process ended comes from the exit tracer the failures recorder
  // already runs as root (no second tracer); without it, from the zombie.
  createSource: (params) => new ProcessSource(pidParam(params), { exitsOf: (pid) => existingFailuresHub()?.exitsOf(pid) ?? null }),
  createScreen: (ctx, params) => new ProcessScreen(ctx, pidParam(params)),
};
