// Bundles the compiled CLI (dist/src/cli.js) and blessed into one ES module,
// dist/ostop.mjs, which bin/ostop.js loads when present. Why: start-up was
// dominated by module loading (about 150 modules through Node's ESM and CJS
// loaders: resolve, read, compile, link), a third of the first frame.
// blessed's widget index requires its widgets by computed name (rewritten
// here as static requires, leaving out the image/terminal/font widgets
// ostop does not use), and tput.js finds its fallback terminfo through
// __dirname (rewritten to blessed's installed lib/).
// Native addons and node-pty stay outside (loaded from node_modules/native).
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const blessedLib = join(dirname(require.resolve('blessed/package.json')), 'lib');

const blessedPlugin = {
  name: 'blessed-static',
  setup(b) {
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

await build({
  entryPoints: [join(root, 'dist', 'src', 'cli.js')],
  outfile: join(root, 'dist', 'ostop.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // CJS inside an ES module needs a real require for node builtins and the externals
  banner: { js: "import { createRequire as __ostopCreateRequire } from 'node:module'; const require = __ostopCreateRequire(import.meta.url);" },
  external: ['node-pty', 'term.js', 'pty.js', 'systeminformation', '@xterm/*', '*.node'],
  plugins: [blessedPlugin],
  logLevel: 'warning',
  legalComments: 'none',
  // smaller source to parse and keep (V8 holds it): names stay readable in stack traces
  minifyWhitespace: true,
  minifySyntax: true,
});
