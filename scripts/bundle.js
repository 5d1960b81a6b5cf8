// Build step after `tsc` and `oclif manifest`: bundle the start-up fast path (src/fast/run.ts plus
// every command in oclif.manifest.json, with @oclif/core and the twilio SDK) into dist/fast.cjs,
// which bin/run.js loads through src/fast/launch.ts. See the README's "Design".
//
// What stays out of the bundle, loaded from node_modules/dist when (and only if) it is used:
// - packages our own code imports other than @oclif/core and twilio (cosmiconfig, prompts, ...);
// - the emulator (only its constants module, defaults.js, is bundled; the rest is a dynamic import);
// - twilio domains the flows don't use: Twilio.js requires each domain lazily in a getter, and a
//   bundler would otherwise pull in all of them (megabytes of code to compile on every run);
// - typescript (oclif only needs it for ts-node development setups).
import {createHash} from 'node:crypto';
import {readFileSync, writeFileSync} from 'node:fs';
import {dirname, join, relative, sep} from 'node:path';
import {fileURLToPath} from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const OUT = join(DIST, 'fast.cjs');
/** Twilio domains the flows use (Twilio.js getter → ./<Domain>.js); any other works too, from node_modules. */
const TWILIO_DOMAINS = ['Conversations'];
/** Packages bundled in; every other package our code imports stays a runtime import. */
const BUNDLED_PACKAGES = /^(@oclif\/core|twilio)(\/|$)/;

const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8'));
const entry = [
  "import {run} from './dist/fast/run.js';",
  'const modules = {',
  ...Object.values(manifest.commands).map(
    (c) => `  ${JSON.stringify(c.id)}: () => import(${JSON.stringify('./' + c.relativePath.join('/'))}),`,
  ),
  '};',
  'export const main = (argv, root) => run(argv, root, modules);',
].join('\n');

const inDist = (file) => file.startsWith(DIST + sep);
const emulatorDir = join(DIST, 'lib', 'emulator') + sep;

/** @type {esbuild.Plugin} */
const boundaries = {
  name: 'flexconv-boundaries',
  setup(build) {
    build.onResolve({filter: /.*/}, (args) => {
      if (args.path === 'typescript') return {path: args.path, external: true};
      if (/twilio[/\\]lib[/\\]rest[/\\]Twilio\.js$/.test(args.importer) && /^\.\/[A-Z]/.test(args.path)) {
        const domain = args.path.slice(2);
        return TWILIO_DOMAINS.includes(domain) ? undefined : {path: `twilio/lib/rest/${domain}.js`, external: true};
      }
      if (!inDist(args.importer)) return undefined;
      if (!args.path.startsWith('.')) {
        if (args.path.startsWith('node:') || BUNDLED_PACKAGES.test(args.path)) return undefined;
        return {path: args.path, external: true};
      }
      const target = join(dirname(args.importer), args.path);
      if (target.startsWith(emulatorDir) && target !== join(emulatorDir, 'defaults.js')) {
        if (args.kind !== 'dynamic-import')
          return {errors: [{text: `${args.path}: the emulator may only be imported dynamically from CLI code (it stays out of the start-up bundle)`}]};
        // Resolved at run time relative to dist/fast.cjs.
        return {path: './' + relative(DIST, target).split(sep).join('/'), external: true};
      }
      return undefined;
    });
    // import.meta.url of a bundled dist/ file → that file's own URL (the bundle is CommonJS).
    build.onLoad({filter: /\.js$/}, (args) => {
      if (!inDist(args.path)) return undefined;
      const code = readFileSync(args.path, 'utf8');
      if (!code.includes('import.meta.url')) return undefined;
      const rel = JSON.stringify(relative(DIST, args.path));
      return {
        contents: code.replaceAll('import.meta.url', `require("node:url").pathToFileURL(require("node:path").join(__dirname, ${rel})).href`),
        loader: 'js',
      };
    });
  },
};

const result = await esbuild.build({
  stdin: {contents: entry, resolveDir: ROOT, sourcefile: 'fast-entry.js', loader: 'js'},
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  write: false,
  outfile: OUT,
  plugins: [boundaries],
  // Smaller and comment-free (so ASCII-only, see below): less to read and hash on every run.
  // Identifiers stay as written, and keepNames keeps every function's and class's .name.
  minifyWhitespace: true,
  keepNames: true,
  metafile: true,
  logLevel: 'warning',
});
if (process.env.BUNDLE_ANALYZE) console.log(await esbuild.analyzeMetafile(result.metafile));
// The loader reads the bundle as latin1, several times faster than UTF-8 for a file this size, so
// it must be pure ASCII. esbuild escapes non-ASCII in strings but copies regex literals as they
// are (ansis has a raw U+009B in one): escape what's left as \uXXXX, which means the same in a
// regex or string literal (and there are no comments left after minifyWhitespace).
const code = result.outputFiles[0].text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
const id = createHash('sha256').update(code).digest('hex').slice(0, 16);
writeFileSync(OUT, `// flexconv-fast ${id}\n${code}`);
console.log(`wrote ${relative(ROOT, OUT)} (${(code.length / 1024).toFixed(0)} KiB, ${Object.keys(manifest.commands).length} commands)`);
