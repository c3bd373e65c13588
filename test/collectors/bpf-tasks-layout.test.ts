// The iterators' decoders read struct tasks_rec (native/bpf/tasks.h) and
// struct taskfiles_rec (native/bpf/taskfiles.h) at fixed offsets; the addon
// exports the C offsetof/sizeof (tasksLayout(), taskFilesLayout()). This
// keeps the two in step. Needs the built addon, not root: without it the
// test is skipped with the reason, and fails in CI and as root
// (test/helpers/native.ts).
import { describe, expect, it } from 'vitest';
import { loadNative, type NativeLayout } from '../../src/native.js';
import { TASKS_REC } from '../../src/collectors/bpf-tasks.js';
import { TASKFILES_REC } from '../../src/collectors/socket-owners-bpf.js';
import { addonSkipReason } from '../helpers/native.js';

const skip = addonSkipReason('iterator wire layout');

function addon() {
  const n = loadNative();
  if (!n.ok) throw n.error;
  return n.addon;
}

const offsets = (l: NativeLayout) => Object.fromEntries(Object.entries(l.fields).map(([k, f]) => [k, f.offset]));

describe.skipIf(skip !== null)('iterator wire layouts: TypeScript offsets == C offsetof', () => {
  it('struct tasks_rec', () => {
    const c = addon().tasksLayout().tasks_rec;
    expect(c).toBeDefined();
    expect(TASKS_REC.size).toBe(c.size);
    expect(c.size % 8).toBe(0);
    expect({ ...TASKS_REC.fields }).toEqual(offsets(c));
  });

  it('struct taskfiles_rec', () => {
    const c = addon().taskFilesLayout().taskfiles_rec;
    expect(c).toBeDefined();
    expect(TASKFILES_REC.size).toBe(c.size);
    expect(addon().taskFilesRecordSize()).toBe(c.size);
    expect(c.size % 8).toBe(0);
    const { size: _size, ...fields } = TASKFILES_REC;
    expect(fields).toEqual(offsets(c));
  });
});
