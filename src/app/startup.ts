// A start-up milestone other code can wait for without importing the app:
// the TUI has drawn its first frames and loaded every view's code.
// bin/ostop.js then writes its V8 code cache, which by that point holds
// the functions the first frame compiled.
const waiting: Array<() => void> = [];
let reached = false;

export function whenStarted(cb: () => void): void {
  if (reached) cb();
  else waiting.push(cb);
}

export function started(): void {
  if (reached) return;
  reached = true;
  for (const cb of waiting.splice(0)) {
    try {
      cb();
    } catch {
      /* a hook's failure is its own business */
    }
  }
}
