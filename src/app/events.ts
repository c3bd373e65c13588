// Every input to the app is one AppEvent, handled by one dispatcher
// (App.dispatch), so ordering is explicit: keys, mouse, resize, ticks and
// tracer batches never race each other's state changes.
export type AppEvent =
  | { type: 'key'; ch: string | undefined; name: string; full: string }
  | { type: 'mouse'; action: 'click' | 'wheelup' | 'wheeldown'; x: number; y: number }
  | { type: 'resize' }
  | { type: 'tick' }
  | { type: 'tracer-batch'; tracer: string }
  | { type: 'tracer-error'; tracer: string; message: string }
  | { type: 'quit'; code: number };
