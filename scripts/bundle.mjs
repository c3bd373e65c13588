// Bundles the compiled CLI (dist/src/cli.js) and blessed into one CommonJS
// script, dist/ostop.cjs, which bin/ostop.js loads when present. Why:
// start-up was dominated by module loading (about 150 modules through Node's
// ESM and CJS loaders: resolve, read, compile, link), a third of the first
// frame. CommonJS rather than an ES module: bin/ostop.js compiles it with
// vm.Script and a V8 code cache (Node 20 has no code cache for ES modules),
// and node builtins are plain require()s, not ESM facades (~7 ms).
// blessed's widget index requires its widgets by computed name (rewritten
// here as static requires, leaving out the image/terminal/font widgets
// ostop does not use), and tput.js finds its fallback terminfo through
// __dirname (rewritten to blessed's installed lib/).
// Native addons and node-pty stay outside (loaded from node_modules/native).
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const blessedLib = join(dirname(require.resolve('blessed/package.json')), 'lib');

const blessedPlugin = {
  name: 'blessed-static',
  setup(b) {
    // blessed requires child_process and assert at load time and calls them
    // only for rare paths (terminfo compilation by tic, assertions in
    // tput); loading them costs ~5 ms of start-up (child_process pulls in
    // net, dgram, the socket list). Give blessed stand-ins that load the
    // real module on first use.
    b.onResolve({ filter: /^(node:)?(child_process|assert)$/ }, (args) => {
      if (!/[\\/]blessed[\\/]/.test(args.importer)) return undefined;
      return { path: args.path.replace(/^node:/, ''), namespace: 'ostop-lazy' };
    });
    b.onLoad({ filter: /.*/, namespace: 'ostop-lazy' }, (args) => {
      const load = `var real; function load() { return real || (real = require('node:${args.path}')); }\n`;
      if (args.path === 'assert') {
        return {
          loader: 'js',
          contents: load + `module.exports = function assert() { return load().apply(this, arguments); };
['ok', 'equal', 'notEqual', 'strictEqual', 'deepEqual'].forEach(function (k) { module.exports[k] = function () { return load()[k].apply(this, arguments); }; });`,
        };
      }
      return {
        loader: 'js',
        contents: load + `['exec', 'execFile', 'execFileSync', 'execSync', 'fork', 'spawn', 'spawnSync'].forEach(function (k) {
  Object.defineProperty(module.exports, k, { enumerable: true, get: function () { return load()[k]; } });
});`,
      };
    });
    b.onLoad({ filter: /[\\/]blessed[\\/]lib[\\/]widget\.js$/ }, (args) => {
      const src = readFileSync(args.path, 'utf8');
      const classes = JSON.parse(/widget\.classes = (\[[^\]]*\])/.exec(src)[1].replace(/'/g, '"'));
      // Widgets ostop never creates and that pull in image decoders (zlib),
      // a terminal emulator or fonts: left out (undefined if asked for;
      // test/app/bundle.test.ts checks that src/ and screens/ use none).
      const unused = new Set(JSON.parse(readFileSync(join(root, 'scripts', 'blessed-unused.json'), 'utf8')));
      const reqs = classes.filter((n) => !unused.has(n)).map((n) => `widget[${JSON.stringify(n)}] = widget[${JSON.stringify(n.toLowerCase())}] = require('./widgets/${n.toLowerCase()}');`).join('\n');
      const out = src.replace(/widget\.classes\.forEach\(function\(name\) \{[\s\S]*?\n\}\);/, reqs);
      if (out === src) throw new Error('blessed/lib/widget.js changed: update scripts/bundle.mjs');
      return { contents: out, loader: 'js' };
    });
    b.onLoad({ filter: /[\\/]blessed[\\/]lib[\\/](tput\.js|widgets[\\/]bigtext\.js)$/ }, (args) => {
      let src = readFileSync(args.path, 'utf8');
      const dir = args.path.includes('widgets') ? '__blessedLib + "/widgets"' : '__blessedLib';
      let head = `var __blessedLib = require("node:path").dirname(require.resolve("blessed/package.json")) + "/lib";\n`;
      if (args.path.endsWith('tput.js')) {
        // Tput compiles every string capability of the terminal (~400
        // functions through new Function) when the screen is created: ~10 ms
        // of the first frame. Compile each on its first call instead.
        const eager = 'info.methods[key] = self._compile(info, key, info.all[key]);';
        if (!src.includes(eager)) throw new Error('blessed/lib/tput.js changed: update scripts/bundle.mjs');
        src = src.replace(eager, "info.methods[key] = type === 'strings' ? __ostopLazyCap(self, info, key, info.all[key]) : self._compile(info, key, info.all[key]);");
        head += `function __ostopLazyCap(tput, info, key, str) {
  var f;
  return function (args) {
    if (!f) f = info.methods[key] = tput._compile(info, key, str);
    return f.call(this, args);
  };
}
`;
      }
      return { contents: head + src.replace(/__dirname/g, dir), loader: 'js' };
    });
  },
};

const result = await build({
  entryPoints: [join(root, 'dist', 'src', 'cli.js')],
  outfile: join(root, 'dist', 'ostop.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // src/native.ts finds the addon from its own URL: the bundle's, as a CJS script
  define: { 'import.meta.url': '__ostopImportMetaUrl' },
  // tput.js resolves blessed's own directory at run time (see above)
  logOverride: { 'require-resolve-not-external': 'silent' },
  // import() of an external becomes a require(): vm.Script has no module loader for it
  supported: { 'dynamic-import': false },
  external: ['node-pty', 'term.js', 'pty.js', 'systeminformation', '@xterm/*', '*.node'],
  plugins: [blessedPlugin],
  logLevel: 'warning',
  legalComments: 'none',
  // smaller source to parse and keep (V8 holds it): names stay readable in stack traces
  minifyWhitespace: true,
  minifySyntax: true,
  write: false,
});

// Every `import * as fs from 'node:fs'` of the sources became its own
// __toESM(require("node:fs")), a copy of ~100 properties: 29 of them at
// start-up, ~3 ms. One copy per builtin is enough.
let text = result.outputFiles[0].text;
const nsCalls = /__toESM\(require\("(node:[a-z_/]+)"\),1\)/g;
if (nsCalls.test(text)) {
  if (!/\b__toESM\s*=/.test(text)) throw new Error('esbuild output changed (no __toESM): update scripts/bundle.mjs');
  text = text.replace(nsCalls, '__ostopNs("$1")');
}
// Strict like the ES modules it comes from (the directive must come first).
if (!text.startsWith('"use strict";')) throw new Error('esbuild output changed (not strict): update scripts/bundle.mjs');
text = '"use strict";var __ostopImportMetaUrl=require("node:url").pathToFileURL(__filename).href;' +
  'var __ostopNsCache={};function __ostopNs(id){return __ostopNsCache[id]||(__ostopNsCache[id]=__toESM(require(id),1))}\n' +
  text.slice('"use strict";'.length);
writeFileSync(join(root, 'dist', 'ostop.cjs'), text);

// The ES module bundle of earlier builds: bin/ostop.js no longer loads it.
rmSync(join(root, 'dist', 'ostop.mjs'), { force: true });
