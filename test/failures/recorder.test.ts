// One failure recorder per TUI, owned by the composition root (no module
// singleton): the failures view's Source and the drill-in's "how it ended"
// read the same hub, and a second TUI (or test) gets its own.
import { describe, expect, it } from 'vitest';
import { failureRecorder, tuiViews } from '../../src/tui.js';
import { UserNames } from '../../src/collectors/users.js';
import { FailuresHub } from '../../src/failures/hub.js';

describe('failureRecorder', () => {
  it('makes its hub on first open and keeps it; another recorder has another hub', async () => {
    const r = failureRecorder();
    expect(r.current()).toBeUndefined();
    const hub = await r.open();
    expect(hub).toBeInstanceOf(FailuresHub);
    expect(await r.open()).toBe(hub);
    expect(r.current()).toBe(hub);
    const other = failureRecorder();
    expect(await other.open()).not.toBe(hub);
    hub.close();
    other.current()?.close();
  });

  it('the failures view\'s Source records into the TUI\'s recorder', async () => {
    const recorder = failureRecorder();
    const views = tuiViews({ users: new UserNames(), topInputs: () => ({}), recorder });
    const f = await views.find((v) => v.id === 'failures')!.load();
    const src = f.createSource({});
    expect((src as unknown as { hub: FailuresHub }).hub).toBe(recorder.current());
    expect(recorder.current()).toBeInstanceOf(FailuresHub);
    recorder.current()!.close();
  });
});
