// The TUI's command-line options, parsed by src/cli.ts and used by the
// composition root (src/tui.ts).
export interface UiOptions {
  delaySec?: number;
  pids?: number[];
  user?: string;
  noColor: boolean;
}
