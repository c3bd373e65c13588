// The failures screen drawn from a Model without a terminal: what is shown,
// links between panes, filters, and that hostile text cannot escape.
import { describe, it, expect } from 'vitest';
import { FailuresScreen, renderFailures, initialUiState, visibleKmsg } from '../../screens/failures-screen.js';
import type { AppApi, ViewContext } from '../../src/app/view.js';
import { makeTheme } from '../../src/app/theme.js';
import { displayWidth } from '../../src/util/text.js';
import type { FailuresModel, EntryRow, KmsgLine } from '../../src/model/failures.js';

const entry = (o: Partial<EntryRow>): EntryRow => ({
  id: 1, kind: 'signal', feed: 'kmsg', feeds: ['kmsg'], tsUsec: 5e6, wallMs: Date.UTC(2026, 0, 1), pid: 42, ppid: 1, comm: 'segv', cmdline: './segv -x',
  ageMs: 3, exitCode: null, signal: 11, coreDumped: true, sender: 'kernel', kmsgSeqs: [7], end: 'SIGSEGV', senderText: 'kernel', dump: null, ...o,
});
const line = (o: Partial<KmsgLine>): KmsgLine => ({ seq: 1, usec: 1e6, wallMs: 0, level: 6, facility: 0, text: 'hello', highlight: null, entryId: null, ...o });

function model(over: Partial<FailuresModel> = {}): FailuresModel {
  return {
    nowWallMs: Date.now(), startedUsec: 0,
    feeds: [{ name: 'ebpf', active: false, note: 'not wired', drops: 0 }, { name: 'kmsg', active: true, note: null, drops: 0 }],
    entries: [entry({}), entry({ id: 2, pid: 50, comm: 'hog', kind: 'oom', end: 'OOM kill', signal: 9, coreDumped: false, kmsgSeqs: [9], oom: { rssKb: 66000, totalVmKb: 68000, anonRssKb: null, fileRssKb: null, shmemRssKb: null, pgtablesKb: null, oomScoreAdj: 500, constraint: 'CONSTRAINT_MEMCG', memcg: '/t', triggerPid: 50, triggerComm: 'hog', uid: 0 } })],
    hiddenEntries: 0,
    kmsg: [line({ seq: 6, text: 'boot' }), line({ seq: 7, level: 6, text: 'segv[42]: segfault at 10', highlight: 'segfault', entryId: 1 }), line({ seq: 8, level: 3, facility: 1, text: 'user error' }), line({ seq: 9, level: 3, text: 'Memory cgroup out of memory: Killed process 50 (hog)', highlight: 'oom', entryId: 2 })],
    kmsgOverwritten: 0, kmsgLost: 0,
    corePattern: { pattern: '/var/cores/core.%e.%p', kind: 'file', handler: null, handlerName: null, relative: false, usesPid: false },
    corePatternError: null,
    target: { pid: 1, comm: 'init', alive: true, why: 'parent', limit: { soft: 0, hard: 'unlimited' }, where: 'not written: core limit is 0', exe: '/sbin/init' },
    dumps: [{ path: '/var/cores/core.segv.42', sizeBytes: 300000, mtimeMs: Date.UTC(2026, 0, 1), pid: 42, comm: 'segv', source: 'pattern', compressed: false, entryId: 1 }],
    hints: ['kill(2) deaths and non-zero exits are seen only with the eBPF exit tracer'],
    ...over,
  };
}

const mono = makeTheme(true);
const strip = (s: string) => s.replace(/\{\/?[a-z-]+\}/g, '');

describe('renderFailures', () => {
  it('draws status, timeline, kernel log and core pane within the size', () => {
    const st = initialUiState();
    st.selEntry = 1;
    const r = renderFailures(mono, model(), st, 140, 30);
    expect(r.lines.length).toBeLessThanOrEqual(30);
    const text = r.lines.map(strip).join('\n');
    expect(text).toMatch(/sources: ebpf off\s+kmsg on/);
    expect(text).toMatch(/ebpf: not wired/);
    expect(text).toMatch(/42\s+1 segv\s+SIGSEGV\s+kernel\s+yes/);
    expect(text).toMatch(/50\s+1 hog\s+OOM kill/);
    expect(text).toMatch(/rss 64\.5M vm 66\.4M adj 500 memcg \/t by 50 hog/);
    expect(text).toMatch(/cmd \.\/segv -x/);
    expect(text).toMatch(/segfault #1 segv\[42\]: segfault at 10/);
    expect(text).toMatch(/pattern \/var\/cores\/core\.%e\.%p\s+\(file\)/);
    expect(text).toMatch(/target 1 init \(parent of selected\)\s+core limit 0B\/unlimited\s+→ not written/);
    expect(text).toMatch(/\/var\/cores\/core\.segv\.42/);
    for (const l of r.lines) expect(strip(l).length).toBeLessThanOrEqual(140);
  });
  it('marks the selected entry\'s kernel-log lines and filters the log', () => {
    const st = initialUiState();
    st.selEntry = 2;
    const text = renderFailures(mono, model(), st, 120, 30).lines.map(strip).join('\n');
    expect(text).toMatch(/»\[ +1\.000\] err +oom #2 Memory cgroup/);
    st.kmsgMaxLevel = 3;
    expect(visibleKmsg(model(), st).map((l) => l.seq)).toEqual([8, 9]);
    st.kmsgFacility = 0;
    expect(visibleKmsg(model(), st).map((l) => l.seq)).toEqual([9]);
    st.kmsgMaxLevel = 7; st.kmsgFacility = null; st.kmsgText = 'SEGFAULT';
    expect(visibleKmsg(model(), st).map((l) => l.seq)).toEqual([7]);
    st.kmsgText = ''; st.kmsgLinkedOnly = true;
    expect(visibleKmsg(model(), st).map((l) => l.seq)).toEqual([9]);
  });
  it('escapes blessed tags and keeps wide text inside the width', () => {
    const st = initialUiState();
    const m = model({ entries: [entry({ comm: '{red-fg}x{/red-fg}', cmdline: '中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文' })] });
    st.selEntry = 1;
    const r = renderFailures(makeTheme(false), m, st, 60, 24);
    const all = r.lines.join('\n');
    expect(all).not.toContain('{red-fg}x');
    expect(all).toContain('{open}red-fg{close}x');
    for (const l of r.lines) expect(displayWidth(strip(l).replace(/\{open\}/g, '{').replace(/\{close\}/g, '}'))).toBeLessThanOrEqual(60);
  });
  it('shows a placeholder before the first model', () => {
    expect(renderFailures(mono, undefined, initialUiState(), 80, 24).lines.map(strip)).toEqual(['Reading the kernel log...']);
  });
});

describe('FailuresScreen.request: the screen state the Source needs travels in the request', () => {
  function screen(params: Record<string, unknown>, answer: string | null = null) {
    const calls: string[] = [];
    const app = {
      status: (m: string) => calls.push(`status ${m}`), refreshNow: () => calls.push('refresh'), requestRender: () => calls.push('render'),
      prompt: (_l: string, _i: string, done: (v: string | null) => void) => done(answer),
    } as unknown as AppApi;
    return { s: new FailuresScreen({ theme: mono, app, screen: undefined } as unknown as ViewContext, params), calls };
  }

  it('starts with the { pid } param as the target, exits hidden, since ostop started', () => {
    expect(screen({ pid: 4242 }).s.request()).toEqual({ showExits: false, sinceBoot: false, targetPid: 4242, selectedParentPid: null });
    expect(screen({ pid: 'x' }).s.request().targetPid).toBeNull();
    expect(screen({}).s.request().targetPid).toBeNull();
  });

  it('x, a and p change the next request (and ask for a collect); two screens share nothing', () => {
    const { s, calls } = screen({}, '77');
    const other = screen({}).s;
    s.handleKey('x', 'x', 'x');
    s.handleKey('a', 'a', 'a');
    s.handleKey('p', 'p', 'p');
    expect(s.request()).toMatchObject({ showExits: true, sinceBoot: true, targetPid: 77 });
    expect(calls.filter((c) => c === 'refresh').length).toBe(3);
    expect(other.request()).toEqual({ showExits: false, sinceBoot: false, targetPid: null, selectedParentPid: null });
  });

  it('the selected entry\'s parent is asked for once a Model is drawn', () => {
    const { s } = screen({});
    s.render(model()); // not mounted: keeps the model and the selection only
    s.st.selEntry = 2;
    expect(s.request().selectedParentPid).toBe(1);
  });
});
