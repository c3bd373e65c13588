import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig, saveConfig, configPath, DEFAULT_CONFIG } from '../../src/app/config.js';
import { parseUiArgs, parseDumpArgs } from '../../src/cli.js';
import { UsageError } from '../../src/model/dump-view.js';
import { chooseTerminal, toLegacyTerminfo } from '../../src/app/terminal.js';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-cfg-'));
}

describe('config file', () => {
  it('lives under XDG_CONFIG_HOME, else ~/.config', () => {
    expect(configPath({ XDG_CONFIG_HOME: '/x/y', HOME: '/h' })).toBe('/x/y/ostop/config.json');
    expect(configPath({ HOME: '/h' })).toBe('/h/.config/ostop/config.json');
    expect(configPath({ XDG_CONFIG_HOME: 'relative', HOME: '/h' })).toBe('/h/.config/ostop/config.json');
  });
  it('missing file gives defaults without error', () => {
    const l = loadConfig(path.join(tmp(), 'none.json'));
    expect(l.error).toBeUndefined();
    expect(l.config).toEqual(DEFAULT_CONFIG);
  });
  it('round-trips what the UI saves', () => {
    const f = path.join(tmp(), 'ostop', 'config.json');
    saveConfig(f, { ...DEFAULT_CONFIG, columns: ['pid', 'oom', 'command'], sort: 'oom', tree: true, delaySec: 2 });
    const l = loadConfig(f);
    expect(l.error).toBeUndefined();
    expect(l.config.columns).toEqual(['pid', 'oom', 'command']);
    expect(l.config.tree).toBe(true);
  });
  it.each([
    ['{"columns": ["pid",]}', /not valid JSON: Unexpected token/],
    ['{"tree": true\n"sort": "pid"}', /not valid JSON: .*line 2, column 1/],
    ['[1,2]', /top level must be a JSON object/],
    ['{"columns": ["pid", "bogus"]}', /unknown column 'bogus'/],
    ['{"sort": "nope"}', /'sort': unknown column "nope"/],
    ['{"delaySec": -1}', /'delaySec' must be a number of seconds/],
    ['{"tree": "yes"}', /'tree' must be true or false/],
    ['{"colums": []}', /unknown key 'colums'/],
  ])('names the problem in %s and keeps the file', (text, re) => {
    const f = path.join(tmp(), 'config.json');
    fs.writeFileSync(f, text);
    const l = loadConfig(f);
    expect(l.error).toMatch(re);
    expect(l.error).toContain(f);
    expect(l.config).toEqual(DEFAULT_CONFIG);
    expect(fs.readFileSync(f, 'utf8')).toBe(text);
  });
});

describe('CLI parsing', () => {
  it('accepts top-like flags in their usual spellings', () => {
    // PIDs must exist: this test's own process and its parent do.
    expect(parseUiArgs(['-d', '2', '-p', `${process.pid},${process.ppid}`, '-u', 'root'])).toEqual({ noColor: false, delaySec: 2, pids: [process.pid, process.ppid], user: 'root' });
    expect(parseUiArgs(['-d0.5', `--pid=${process.pid}`, '-u', '0'])).toMatchObject({ delaySec: 0.5, pids: [process.pid], user: '0' });
  });
  it.each([[['--bogus']], [['-d', 'fast']], [['-d', '0']], [['-d', '0x10']], [['-d', ' 2']], [['-d', '+2']], [['-d', '2e0']], [['-p', 'abc']], [['-p']], [['-p', '0']],
    [['-p', '4294967297']], [['-p', `${process.pid},`]], [['-u', 'no-such-user-here']], [['-u', '']], [['extra']]])('rejects %j with a usage error', (argv) => {
    expect(() => parseUiArgs(argv)).toThrow(UsageError);
  });
  it('parses dump options and rejects unknown ones', () => {
    const sig = new AbortController().signal;
    const { view, opts } = parseDumpArgs(['processes', '-n', '3', '-d', '0.5', '--format', 'json', '--sort', 'mem'], sig, () => {}, () => {});
    expect(view.name).toBe('processes');
    expect(opts).toMatchObject({ n: 3, delaySec: 0.5, format: 'json', flags: { sort: 'mem' } });
    expect(() => parseDumpArgs(['processes', '--wat'], sig, () => {}, () => {})).toThrow(/unknown option '--wat'/);
    expect(() => parseDumpArgs(['nosuch'], sig, () => {}, () => {})).toThrow(/unknown dump view 'nosuch'/);
    expect(() => parseDumpArgs(['processes', '--format', 'xml'], sig, () => {}, () => {})).toThrow(/--format/);
    expect(() => parseDumpArgs(['processes', '-n', '0'], sig, () => {}, () => {})).toThrow(/positive count/);
  });
});

describe('terminal choice', () => {
  it('honours NO_COLOR and mono terminals', () => {
    expect(chooseTerminal({ TERM: 'xterm-256color', NO_COLOR: '1' }).mono).toBe(true);
    expect(chooseTerminal({ TERM: 'vt100' }).colors).toBe(0);
    expect(chooseTerminal({ TERM: 'xterm-256color' }).colors).toBe(256);
  });
  it('gives blessed a legacy-format entry for tmux/screen 256-colour terminals', async () => {
    const blessed = (await import('blessed')).default;
    for (const term of ['tmux-256color', 'screen-256color', 'xterm-256color']) {
      const c = chooseTerminal({ TERM: term });
      const tput = blessed.tput({ terminal: c.terminal });
      expect(tput.colors, term).toBe(256);
      expect(tput.strings.cursor_address, term).toBeTruthy();
    }
  });
  it('writes the converted entry once, and only into its own private directory under TMPDIR', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-ti-'));
    const saved = process.env.TMPDIR;
    try {
      process.env.TMPDIR = tmp;
      const c = chooseTerminal({ TERM: 'tmux-256color' });
      if (c.reason !== 'converted 32-bit terminfo') return; // this machine's tmux entry is already in the legacy format
      expect(c.terminal.startsWith(tmp)).toBe(true);
      const m1 = fs.statSync(c.terminal).mtimeMs;
      fs.utimesSync(c.terminal, new Date(m1 - 60_000), new Date(m1 - 60_000));
      const backdated = fs.statSync(c.terminal).mtimeMs;
      const again = chooseTerminal({ TERM: 'tmux-256color' });
      expect(again.terminal).toBe(c.terminal);
      expect(fs.statSync(c.terminal).mtimeMs).toBe(backdated); // unchanged content: not rewritten
      // A directory anyone can write to (planted by another user) is not used.
      const dir = path.dirname(c.terminal);
      fs.chmodSync(dir, 0o777);
      const planted = chooseTerminal({ TERM: 'tmux-256color' });
      expect(planted.terminal.startsWith(dir)).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
  it('converts a 32-bit terminfo entry and rejects garbage', () => {
    // names "t\0", 1 bool, 1 number (256), 1 string offset, string table "X\0"
    const hdr = Buffer.alloc(12);
    hdr.writeUInt16LE(0o1036, 0); hdr.writeUInt16LE(2, 2); hdr.writeUInt16LE(1, 4); hdr.writeUInt16LE(1, 6); hdr.writeUInt16LE(1, 8); hdr.writeUInt16LE(2, 10);
    const num = Buffer.alloc(4); num.writeInt32LE(65536, 0);
    const off = Buffer.alloc(2); off.writeInt16LE(0, 0);
    const src = Buffer.concat([hdr, Buffer.from('t\0'), Buffer.from([1]), Buffer.from([0]), num, off, Buffer.from('X\0')]);
    const out = toLegacyTerminfo(src);
    expect(out.readUInt16LE(0)).toBe(0o432);
    expect(out.readInt16LE(16)).toBe(32767);
    expect(out.subarray(out.length - 2).toString()).toBe('X\0');
    expect(() => toLegacyTerminfo(Buffer.from('garbage-garbage'))).toThrow(/magic/);
  });
});
