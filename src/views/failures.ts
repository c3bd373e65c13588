// The failures view (key 'f'): crashes, core dumps, OOM kills and the
// kernel log. The Source and the Screen of one instance share a small UI
// state (toggles that change what the Source builds, the target PID whose
// core limit it reads); the timeline itself lives in the process-wide hub,
// so it survives the view being closed and reopened.
// params: { pid?: number } — start with that process as the target.
import type { ViewDef } from '../app/view.js';
import type { FailuresModel } from '../model/failures-model.js';
import { FailuresScreen, initialUiState, type FailuresUiState } from '../../screens/failures-screen.js';
import { FailuresSource, failuresHub, type FailuresControl } from './failures-source.js';
// Installs the eBPF exit-tracer feed (loaded lazily: native code is touched only when a feed starts).
import './failures-ebpf-feed.js';

interface Shared { ui: FailuresUiState; control: FailuresControl }
// createSource and createScreen are called back to back with the same params object.
const pairs = new WeakMap<Record<string, unknown>, Shared>();

function shared(params: Record<string, unknown>): Shared {
  let s = pairs.get(params);
  if (!s) {
    const pid = Number(params.pid);
    s = { ui: initialUiState(), control: { targetPid: Number.isSafeInteger(pid) && pid > 0 ? pid : null, selectedParentPid: null } };
    pairs.set(params, s);
  }
  return s;
}

export const failuresView: ViewDef<FailuresModel> = {
  id: 'failures',
  title: 'Failures',
  key: 'f',
  createSource: (params) => {
    const s = shared(params);
    return new FailuresSource(failuresHub(), s.control, { showExits: () => s.ui.showExits, sinceBoot: () => s.ui.sinceBoot });
  },
  createScreen: (ctx, params) => {
    const s = shared(params);
    return new FailuresScreen(ctx, s.ui, s.control);
  },
};
