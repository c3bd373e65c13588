// The failures view on recorded data (replay): a hub in recorded mode
// (src/failures/hub.ts: it reads no kernel log and starts no tracer) fed the
// events recorded up to the replay cursor, and the model built as live
// (collectModel) with "now" the cursor's tick. Moving the cursor forward
// ingests only the events after what was ingested; moving it back rebuilds
// the timeline from the start of the recording (the timeline merges events
// as it adds them: it cannot drop the newest).
import type { Source } from '../model/view-contract.js';
import { DEFAULT_FAILURES_REQUEST, type FailuresModel, type FailuresRequest } from '../model/failures.js';
import type { RecordedEvents, RecordedTick } from '../model/recorded.js';
import { FailuresHub } from './hub.js';
import { collectModel } from './source.js';

export interface RecordedFailuresInput {
  /** The recorded events of the ticks whose time is in [t0, t1], oldest first (StoreReader.events). */
  events(t0: number, t1: number): Iterable<{ time: number; events: RecordedEvents }>;
  /** The tick at the cursor (the feed's current one). */
  current(): RecordedTick;
}

export class RecordedFailuresSource implements Source<FailuresModel, FailuresRequest> {
  private hub = new FailuresHub({ recorded: true });
  /** Time of the newest tick whose events are in the hub. */
  private upTo = -Infinity;
  private last: FailuresModel | undefined;

  constructor(private readonly input: RecordedFailuresInput) {}

  collect(_now: number, request: FailuresRequest = DEFAULT_FAILURES_REQUEST): void {
    const t = this.input.current();
    if (t.time < this.upTo) this.rewind();
    for (const e of this.input.events(this.upTo, t.time)) if (e.time > this.upTo) this.hub.ingest(e.events);
    this.upTo = t.time;
    this.last = collectModel(this.hub, {
      showExits: request.showExits, sinceBoot: true, pattern: null, patternError: null, dumps: this.hub.recordedDumps, target: null,
      now: { wallMs: t.time, monoUsec: t.mono * 1e6 },
    });
  }

  model(): FailuresModel | undefined {
    return this.last;
  }

  /** The cursor went back: the timeline is rebuilt from the start of the recording. */
  rewind(): void {
    this.hub.close();
    this.hub = new FailuresHub({ recorded: true });
    this.upTo = -Infinity;
  }

  dispose(): void {
    this.hub.close();
  }
}
