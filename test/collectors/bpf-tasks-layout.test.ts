// The task iterator's decoder reads struct tasks_rec (native/bpf/tasks.h) at
// fixed offsets; the addon exports the C offsetof/sizeof (tasksLayout()).
// This keeps the two in step. Needs the built addon, not root.
import { describe, expect, it } from 'vitest';
import { loadNative } from '../../src/native.js';
import { TASKS_REC } from '../../src/collectors/bpf-tasks.js';

const native = loadNative();
const addon = native.ok ? (native.addon as unknown as { tasksLayout?(): Record<string, { size: number; fields: Record<string, { offset: number }> }> }) : undefined;

describe.skipIf(!addon?.tasksLayout)('task iterator wire layout: TypeScript offsets == C offsetof', () => {
  it('struct tasks_rec', () => {
    const c = addon!.tasksLayout!().tasks_rec;
    expect(c).toBeDefined();
    expect(TASKS_REC.size).toBe(c.size);
    expect(c.size % 8).toBe(0);
    expect({ ...TASKS_REC.fields }).toEqual(Object.fromEntries(Object.entries(c.fields).map(([k, f]) => [k, f.offset])));
  });
});

if (!addon?.tasksLayout) {
  it('native addon without tasksLayout: layout test skipped', () => {
    console.warn(`task layout test skipped: ${native.ok ? 'addon lacks tasksLayout (rebuild)' : native.error.message}`);
  });
}
