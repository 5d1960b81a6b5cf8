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
import {mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {dirname, join, relative, sep} from 'node:path';
import {fileURLToPath} from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const OUT = join(DIST, 'fast.cjs');
/** Twilio domains the flows use (Twilio.js getter → ./<Domain>.js); any other works too, from node_modules. */
const TWILIO_DOMAINS = ['Conversations', 'Taskrouter', 'Studio', 'FlexApi'];
/**
 * Packages bundled in; every other package our code imports stays a runtime import. cosmiconfig
 * (and the js-yaml it loads) reads the project config on every run of a project that has one:
 * from node_modules that cost ~50 ms (files compiled without a cache, through the ESM loader).
 */
const BUNDLED_PACKAGES = /^(@oclif\/core|twilio|cosmiconfig)(\/|$)/;

const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8'));

// oclif.manifest.json is half a megabyte, which the fast path would read and parse twice per run
// (src/fast/launch.ts to name the command, oclif to load the root plugin) for one command's entry.
// Instead: dist/fast/ids.json (what launch.ts needs to read argv as oclif does) and one file per
// command with its manifest entry (src/fast/run.ts), made from the same manifest.
const COMMANDS_DIR = join(DIST, 'fast', 'commands');
rmSync(COMMANDS_DIR, {recursive: true, force: true});
mkdirSync(COMMANDS_DIR, {recursive: true});
const ids = {};
for (const [id, cmd] of Object.entries(manifest.commands)) {
  ids[id] = {...(cmd.strict === false ? {strict: false} : {}), args: Object.fromEntries(Object.keys(cmd.args ?? {}).map((a) => [a, {}]))};
  writeFileSync(join(COMMANDS_DIR, `${id.replaceAll(':', '.')}.json`), JSON.stringify({version: manifest.version, entry: cmd}));
}
writeFileSync(join(DIST, 'fast', 'ids.json'), JSON.stringify(ids));
const entry = [
  "import {run} from './dist/fast/run.js';",
  'const modules = {',
  ...Object.values(manifest.commands).map(
    (c) => `  ${JSON.stringify(c.id)}: () => import(${JSON.stringify('./' + c.relativePath.join('/'))}),`,
  ),
  '};',
  'export const main = (argv, root, id) => run(argv, root, id, modules);',
].join('\n');

const inDist = (file) => file.startsWith(DIST + sep);
const emulatorDir = join(DIST, 'lib', 'emulator') + sep;

/**
 * Where an import in one of our dist/ files goes when it stays out of the bundle: the specifier to
 * load at run time (a package name, or a path relative to dist/fast.cjs), else undefined.
 */
function leftOut(specifier, importer) {
  if (!specifier.startsWith('.')) {
    return specifier.startsWith('node:') || BUNDLED_PACKAGES.test(specifier) ? undefined : specifier;
  }
  const target = join(dirname(importer), specifier);
  if (target.startsWith(emulatorDir) && target !== join(emulatorDir, 'defaults.js')) return './' + relative(DIST, target).split(sep).join('/');
  return undefined;
}

/**
 * A module's top-level requires of the specifiers `spec` matches (a regex source for the quoted
 * specifier), as written by tsc — `const|var X = require(S)`, `const X = __importDefault(require(S))`,
 * `const X = __importStar(require(S))` — made to load the module on first use (__flexconvLazy, the
 * bundle's banner, or a lazy `default`). For modules whose requires are used only inside functions
 * or on first access: what changes is when they load, not what they are.
 */
function lazyRequires(code, spec) {
  return code
    .replace(new RegExp(`^(const|var) (\\w+) = require\\((${spec})\\);`, 'gm'), '$1 $2 = __flexconvLazy(() => require($3));')
    .replace(new RegExp(`^const (\\w+) = __importDefault\\(require\\((${spec})\\)\\);`, 'gm'), 'const $1 = {get default() { return __importDefault(require($2)).default; }};')
    .replace(new RegExp(`^const (\\w+) = __importStar\\(require\\((${spec})\\)\\);`, 'gm'), 'const $1 = __flexconvLazy(() => __importStar(require($2)));');
}

/** @type {esbuild.Plugin} */
const boundaries = {
  name: 'flexconv-boundaries',
  setup(build) {
    build.onResolve({filter: /.*/}, (args) => {
      if (args.path === 'typescript' || args.path === 'twilio/lib/base/RequestClient.js') return {path: args.path, external: true};
      if (/twilio[/\\]lib[/\\]rest[/\\]Twilio\.js$/.test(args.importer) && /^\.\/[A-Z]/.test(args.path)) {
        const domain = args.path.slice(2);
        return TWILIO_DOMAINS.includes(domain) ? undefined : {path: `twilio/lib/rest/${domain}.js`, external: true};
      }
      if (!inDist(args.importer)) return undefined;
      // import('...') of what's left out was rewritten by onLoad below; anything else would be bundled.
      if (leftOut(args.path, args.importer) === undefined) return undefined;
      return {errors: [{text: `${args.path}: left out of the start-up bundle, so it may only be imported with import('...') (a string literal)`}]};
    });
    // The SDK's RequestClient (axios, form-data, mime-db, https, http2: a fifth of an API command's
    // start-up) is never used by the CLI, which hands the SDK its own httpClient (src/lib/twilio/
    // transport.ts); BaseTwilio.js requires it as it loads, for the default it would otherwise make.
    // Left out of the bundle and required only if that default is ever wanted.
    build.onLoad({filter: /[/\\]twilio[/\\]lib[/\\]base[/\\]BaseTwilio\.js$/}, (args) => {
      const code = readFileSync(args.path, 'utf8');
      const eager = 'const RequestClient_1 = __importDefault(require("./RequestClient"));';
      if (!code.includes(eager)) throw new Error(`scripts/bundle.js: ${args.path} no longer holds \`${eager}\`: see how this SDK version loads its RequestClient`);
      return {contents: code.replace(eager, 'const RequestClient_1 = {get default() { return require("twilio/lib/base/RequestClient.js"); }};'), loader: 'js'};
    });
    // Each SDK version module (conversations/V1.js, ...) requires every resource module of its
    // version as it loads, and each resource its sub-resources: a command using one resource ran
    // the code of all of them (and V8 compiled and cached it). Their own sub-modules (./...) are
    // used only inside functions, so they are required when first used instead.
    build.onLoad({filter: /[/\\]twilio[/\\]lib[/\\]rest[/\\].*\.js$/}, (args) => ({contents: lazyRequires(readFileSync(args.path, 'utf8'), '"\\./[^"]+"'), loader: 'js'}));
    // cosmiconfig's loaders: import() of a JS config (and of typescript) as __flexconvImport (see
    // below: import() can't run inside the bundle), and node:crypto (for TypeScript configs only)
    // required when used.
    build.onLoad({filter: /[/\\]cosmiconfig[/\\]dist[/\\]loaders\.js$/}, (args) => {
      const code = readFileSync(args.path, 'utf8');
      const crypto = 'const crypto_1 = require("crypto");';
      if (!code.includes(crypto) || !code.includes('await import(')) throw new Error(`scripts/bundle.js: ${args.path} changed: see how it loads crypto and JS configs`);
      return {contents: lazyRequires(code, '"crypto"').replace(/\bimport\(/g, '__flexconvImport('), loader: 'js'};
    });
    // @oclif/core's modules require what they use as they load (globbing for plugin discovery,
    // ejs, spinners, debug, ...; its index and config load help, ux, parser, ...): most of it is
    // never used by one command's run. Its own modules, the packages and two of Node's modules that
    // only some runs use (stdin for `-` arguments, performance marks) are required when first used.
    build.onLoad({filter: /[/\\]@oclif[/\\]core[/\\]lib[/\\].*\.js$/}, (args) => ({
      contents: lazyRequires(readFileSync(args.path, 'utf8'), '"(?:\\.\\.?/[^"]+|node:(?:readline|perf_hooks)|(?!\\.|node:|(?:fs|path|os|url|util|events|stream|tty|module|child_process|readline|process)")[^"]+)"'),
      loader: 'js',
    }));
    build.onLoad({filter: /\.js$/}, (args) => {
      if (!inDist(args.path)) return undefined;
      let code = readFileSync(args.path, 'utf8');
      // import.meta.url → this file's own URL (the bundle is CommonJS).
      const rel = JSON.stringify(relative(DIST, args.path));
      code = code.replaceAll('import.meta.url', `require("node:url").pathToFileURL(require("node:path").join(__dirname, ${rel})).href`);
      // import('x') of something left out → __flexconvImport('x'): src/fast/launch.ts supplies it,
      // because Node 20 can't run import() inside a vm.Script without a flag or a warning.
      code = code.replace(/\bimport\((['"])([^'"]+)\1\)/g, (call, _q, specifier) => {
        const path = leftOut(specifier, args.path);
        return path === undefined ? call : `__flexconvImport(${JSON.stringify(path)})`;
      });
      return {contents: code, loader: 'js'};
    });
  },
};

// oclif imports hook modules with import(), which can't run inside the bundle (see above). The hooks
// we have can't fire for a command that exists (`init` only acts on a topic, which never takes the
// fast path, and src/fast/run.ts leaves it out); any other would need the bundle to handle import().
const hooks = Object.keys(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).oclif?.hooks ?? {});
const unsupported = hooks.filter((h) => !['init', 'command_not_found', 'command_incomplete', 'jit_plugin_not_installed'].includes(h));
if (unsupported.length) throw new Error(`scripts/bundle.js: oclif hook(s) ${unsupported.join(', ')} would run inside the start-up bundle; teach src/fast/launch.ts to leave such runs to oclif first`);

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
  // __flexconvLazy(load): a module object that loads on first use (see lazyRequires above)
  banner: {
    js:
      'var __flexconvLazy=(load)=>{let m;const get=()=>m??=load();return new Proxy({},{' +
      'get:(_,k)=>get()[k],has:(_,k)=>k in get(),ownKeys:()=>Reflect.ownKeys(get()),' +
      'getOwnPropertyDescriptor:(_,k)=>{const d=Reflect.getOwnPropertyDescriptor(get(),k);return d&&{...d,configurable:true}}});};',
  },
  logLevel: 'warning',
});
if (process.env.BUNDLE_ANALYZE) console.log(await esbuild.analyzeMetafile(result.metafile));
// The loader reads the bundle as latin1, several times faster than UTF-8 for a file this size, so
// it must be pure ASCII. esbuild escapes non-ASCII in strings but copies regex literals as they
// are (ansis has a raw U+009B in one): escape what's left as \uXXXX, which means the same in a
// regex or string literal (and there are no comments left after minifyWhitespace).
// Node's crypto and child_process, which our modules import (src/lib/flows/emulator.ts) for what
// few runs do (start an emulator, make a token): loaded when first used (~5 ms of every run else).
const lazyBuiltins = /\b(import_node_(crypto|child_process))=require\("node:\2"\)/g;
const code = result.outputFiles[0].text.replace(lazyBuiltins, '$1=__flexconvLazy(()=>require("node:$2"))').replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
const id = createHash('sha256').update(code).digest('hex').slice(0, 16);
writeFileSync(OUT, `// flexconv-fast ${id}\n${code}`);
console.log(`wrote ${relative(ROOT, OUT)} (${(code.length / 1024).toFixed(0)} KiB, ${Object.keys(manifest.commands).length} commands)`);

// bin/run.js is CommonJS (bin/package.json says so): an ES module entry point makes Node set up
// its ESM loader first, ~5-10 ms of every run. So it loads this CommonJS copy of the launcher
// (dist/fast/launch.js, which tsc wrote as an ES module and tests import).
const LAUNCH = join(DIST, 'fast', 'launch.cjs');
await esbuild.build({
  entryPoints: [join(DIST, 'fast', 'launch.js')],
  bundle: false,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile: LAUNCH,
  define: {'import.meta.url': '__launchUrl'},
  banner: {js: 'const __launchUrl = require("node:url").pathToFileURL(__filename).href;'},
  logLevel: 'warning',
});
console.log(`wrote ${relative(ROOT, LAUNCH)}`);
