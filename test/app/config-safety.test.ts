// The config file as an attacker plants it (docs/security.md): saves are
// never redirected through a link, never land in a directory another user
// controls, and keep a dotfiles symlink; reads are bounded (no /dev/zero,
// no FIFO hang, no huge file) and accept a UTF-8 BOM.
import { describe, expect, it, afterEach } from 'vitest';
import { spawnSync, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig, saveConfig, DEFAULT_CONFIG, MAX_CONFIG_BYTES } from '../../src/app/config.js';
import { REPO } from '../helpers/pty.js';

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'ostop-cfgsafe-'));
  dirs.push(d);
  return d;
}
const saved = { ...DEFAULT_CONFIG, columns: ['pid', 'command'], tree: true };

describe('saving the config', () => {
  it('never writes through a link planted at a temp name, and leaves only config.json (0600)', () => {
    const root = tmp();
    const dir = path.join(root, 'ostop');
    fs.mkdirSync(dir, { mode: 0o700 });
    const victim = path.join(root, 'victim');
    fs.writeFileSync(victim, 'secret\n', { mode: 0o600 });
    const file = path.join(dir, 'config.json');
    // The name the old code used (pid-based) and a few neighbours.
    for (const p of [process.pid, process.pid + 1, process.pid - 1]) fs.symlinkSync(victim, `${file}.tmp-${p}`);
    saveConfig(file, saved);
    expect(fs.readFileSync(victim, 'utf8')).toBe('secret\n');
    const st = fs.lstatSync(file);
    expect(st.isFile()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
    expect(loadConfig(file).config).toEqual(saved);
    expect(fs.readdirSync(dir).filter((n) => !n.startsWith('config.json.tmp-'))).toEqual(['config.json']);
  });

  it('keeps a dotfiles symlink: writes to its target', () => {
    const root = tmp();
    const dir = path.join(root, 'ostop');
    const dots = path.join(root, 'dotfiles');
    fs.mkdirSync(dir, { mode: 0o700 });
    fs.mkdirSync(dots, { mode: 0o700 });
    const target = path.join(dots, 'ostop.json');
    fs.writeFileSync(target, '{}\n');
    const file = path.join(dir, 'config.json');
    fs.symlinkSync('../dotfiles/ostop.json', file);
    saveConfig(file, saved);
    expect(fs.lstatSync(file).isSymbolicLink()).toBe(true);
    expect(fs.readlinkSync(file)).toBe('../dotfiles/ostop.json');
    expect(JSON.parse(fs.readFileSync(target, 'utf8'))).toEqual(saved);
  });

  it('refuses a directory writable by group or others, and writes nothing', () => {
    const dir = path.join(tmp(), 'ostop');
    fs.mkdirSync(dir);
    fs.chmodSync(dir, 0o777);
    const file = path.join(dir, 'config.json');
    fs.writeFileSync(file, '{"tree": false}\n');
    expect(() => saveConfig(file, saved)).toThrow(/not saved: the directory .* is writable by group or others \(mode 777\)/);
    expect(fs.readFileSync(file, 'utf8')).toBe('{"tree": false}\n');
    expect(fs.readdirSync(dir)).toEqual(['config.json']);
  });

  it.runIf(isRoot)('as root, refuses a directory owned by another user (sudo -E)', () => {
    const dir = path.join(tmp(), 'ostop');
    fs.mkdirSync(dir, { mode: 0o700 });
    const file = path.join(dir, 'config.json');
    fs.writeFileSync(file, '{}\n');
    fs.chownSync(dir, NOBODY, NOBODY);
    fs.chownSync(file, NOBODY, NOBODY);
    expect(() => saveConfig(file, saved)).toThrow(/belongs to uid 65534, not to this user/);
    expect(fs.readFileSync(file, 'utf8')).toBe('{}\n');
    expect(fs.readdirSync(dir)).toEqual(['config.json']);
  });
});

/** loadConfig in a child with a time and memory limit: the old code hung on a FIFO and ate /dev/zero. */
function loadInChild(file: string): { error?: string; config: unknown } {
  const mod = path.join(REPO, 'dist', 'src', 'app', 'config.js');
  const r = spawnSync(process.execPath, ['--max-old-space-size=128', '--input-type=module', '-e', `import(${JSON.stringify(mod)}).then((m) => process.stdout.write(JSON.stringify(m.loadConfig(${JSON.stringify(file)}))))`], { encoding: 'utf8', timeout: 10000 });
  expect(r.error, 'loadConfig returned within 10 s').toBeUndefined();
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

describe('reading the config', () => {
  it('a symlink to /dev/zero is reported and defaults are used', () => {
    const file = path.join(tmp(), 'config.json');
    fs.symlinkSync('/dev/zero', file);
    const l = loadInChild(file);
    expect(l.error).toMatch(/not a regular file \(a character device\)/);
    expect(l.config).toEqual(DEFAULT_CONFIG);
  });

  it('a FIFO does not block start-up', () => {
    const file = path.join(tmp(), 'config.json');
    execFileSync('mkfifo', [file]);
    const l = loadInChild(file);
    expect(l.error).toMatch(/not a regular file \(a FIFO\)/);
    expect(l.config).toEqual(DEFAULT_CONFIG);
  });

  it('a file larger than the bound is not read', () => {
    const file = path.join(tmp(), 'config.json');
    fs.writeFileSync(file, `{"tree": true${' '.repeat(MAX_CONFIG_BYTES)}}`);
    const l = loadConfig(file);
    expect(l.error).toMatch(/too large \(\d+ bytes; a config file is at most 256 KB\)/);
    expect(l.config).toEqual(DEFAULT_CONFIG);
  });

  it('a UTF-8 BOM is accepted', () => {
    const file = path.join(tmp(), 'config.json');
    fs.writeFileSync(file, '\ufeff{"tree": true}\n');
    const l = loadConfig(file);
    expect(l.error).toBeUndefined();
    expect(l.config.tree).toBe(true);
  });

  it('a directory is named as such', () => {
    const file = path.join(tmp(), 'config.json');
    fs.mkdirSync(file);
    expect(loadConfig(file).error).toMatch(/not a regular file \(a directory\)|EISDIR/);
  });
});
