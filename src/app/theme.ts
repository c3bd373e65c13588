// Colours for every screen, chosen once from the terminal's capabilities.
// Screens use these names (blessed tag colours), never literal colours, so
// monochrome (vt100, NO_COLOR) is one switch: every entry becomes ''.
export interface Theme {
  mono: boolean;
  /** blessed tag wrappers; in mono they return the text unchanged (or bold/inverse where meaning needs it). */
  fg(name: ThemeColor, text: string): string;
  colors: Record<ThemeColor, string>;
}

export type ThemeColor =
  | 'header' | 'label' | 'value' | 'dim' | 'ok' | 'warn' | 'error' | 'selected'
  | 'cpuUser' | 'cpuNice' | 'cpuSystem' | 'cpuIowait' | 'cpuSteal' | 'cpuIrq'
  | 'memUsed' | 'memBuffers' | 'memCache' | 'memShared' | 'swap'
  | 'stateRunning' | 'stateDisk' | 'stateZombie' | 'thread' | 'kernelThread'
  | 'graph1' | 'graph2' | 'graph3' | 'graph4';

const COLORS: Record<ThemeColor, string> = {
  header: 'cyan', label: 'cyan', value: 'white', dim: 'gray', ok: 'green', warn: 'yellow', error: 'red', selected: 'cyan',
  cpuUser: 'green', cpuNice: 'blue', cpuSystem: 'red', cpuIowait: 'magenta', cpuSteal: 'yellow', cpuIrq: 'gray',
  memUsed: 'green', memBuffers: 'blue', memCache: 'yellow', memShared: 'magenta', swap: 'red',
  stateRunning: 'green', stateDisk: 'magenta', stateZombie: 'red', thread: 'green', kernelThread: 'gray',
  graph1: 'green', graph2: 'red', graph3: 'yellow', graph4: 'blue',
};

export function makeTheme(mono: boolean): Theme {
  const colors = { ...COLORS };
  if (mono) for (const k of Object.keys(colors) as ThemeColor[]) colors[k] = '';
  return {
    mono,
    colors,
    fg(name, text) {
      const c = colors[name];
      return c ? `{${c}-fg}${text}{/${c}-fg}` : text;
    },
  };
}
