// Every input to the app is one AppEvent, handled by one dispatcher
// (App.dispatch), so ordering is explicit: keys, mouse, resize and ticks
// never race each other's state changes. Tracer batches are not events:
// the trace panes fold them into their aggregates as they arrive and ask
// for a redraw at most ten times a second (src/app/panes.ts), so an event
// storm cannot flood the dispatcher.
export type AppEvent =
  | { type: 'key'; ch: string | undefined; name: string; full: string }
  | { type: 'mouse'; action: 'click' | 'wheelup' | 'wheeldown'; x: number; y: number }
  | { type: 'resize' }
  | { type: 'tick' }
  | { type: 'quit'; code: number };
