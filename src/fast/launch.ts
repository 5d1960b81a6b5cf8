/**
 * Start-up fast path, called by bin/run.js (see the README's "Design"). Loading ~350 CommonJS
 * files (oclif, the twilio SDK and their dependencies) one by one, plus oclif reading every
 * plugin, was most of an API command's wall time. So, for a run that names one of our own
 * commands (and asks for no help), this loads one pre-built bundle instead — dist/fast.cjs,
 * built by scripts/bundle.js from the same dist/ code and the same packages — compiled with a
 * V8 code cache kept in the user cache dir, and runs the command through it (./run.ts).
 * Anything else (no command, help, topics, unknown commands, a missing bundle) returns false and
 * bin/run.js goes through oclif as usual.
 */
// Node built-ins through process.getBuiltinModule, not `import`: an ES module import of node:fs
// builds its export facade, which loads the streams modules (a few ms of start-up for nothing).
const {accessSync, constants, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync} = process.getBuiltinModule('node:fs');
const {createRequire} = process.getBuiltinModule('node:module');
const {homedir} = process.getBuiltinModule('node:os');
const {dirname, isAbsolute, join} = process.getBuiltinModule('node:path');
const {fileURLToPath, pathToFileURL} = process.getBuiltinModule('node:url');
const vm = process.getBuiltinModule('node:vm');
// crc32: node:zlib's own cost is ~1 ms (the streams it needs, http loads anyway), a JS hash of the
// cache took longer than that in the interpreter
const {crc32} = process.getBuiltinModule('node:zlib');

const DIST = fileURLToPath(new URL('..', import.meta.url));
const ROOT = dirname(DIST);
const BUNDLE = join(DIST, 'fast.cjs');
/** What tsc wrote from this file (bin/run.js runs the CommonJS copy scripts/bundle.js makes of it). */
const COMPILED = join(DIST, 'fast', 'launch.js');
/** How much older than dist/ the bundle may be before it counts as stale (see runFast). */
const STALE_AFTER_MS = 10_000;
/** First line of the bundle: `// flexconv-fast <content hash>` (scripts/bundle.js writes it). */
const BUILD_ID = /^\/\/ flexconv-fast ([0-9a-f]+)\n/;

interface ManifestCommand {
  strict?: boolean;
  args?: Record<string, unknown>;
}

/**
 * The command id oclif derives from argv with topicSeparator ' ' (@oclif/core's normalizeArgv:
 * the leading words while they name a topic or command), or undefined.
 */
export function commandId(argv: string[], commands: Record<string, ManifestCommand>): string | undefined {
  if (argv.length === 0) return undefined;
  if (argv.length === 1 || argv[0].includes(':')) return argv[0];
  const usable = new Set(Object.keys(commands).flatMap((id) => id.split(':').map((_, i, a) => a.slice(0, i + 1).join(':'))));
  const final: string[] = [];
  const finalize = (s?: string) => (s ? [...final, s] : final).filter(Boolean).join(':');
  const hasArgs = () => {
    const cmd = finalize() ? commands[finalize()] : undefined;
    return Boolean(cmd && (cmd.strict === false || Object.keys(cmd.args ?? {}).length > 0));
  };
  for (const arg of argv) {
    if (usable.has(finalize(arg))) final.push(arg);
    else if (arg.includes('=') || arg.startsWith('-') || hasArgs()) break;
    else final.push(arg);
  }
  return finalize() || undefined;
}

/** Run argv through the bundle when it names one of our commands; false when it doesn't (nothing ran). */
export async function runFast(argv: string[]): Promise<boolean> {
  // Help in any form is oclif's (and @oclif/plugin-help's) job.
  const end = argv.indexOf('--');
  if ((end < 0 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h')) return false;
  // With DEBUG set, stack traces should name dist/ files, not lines of the minified bundle.
  if (process.env.DEBUG) return false;
  let id: string | undefined;
  let source: string;
  try {
    // every command's id, strict and args: a digest of oclif.manifest.json (scripts/bundle.js)
    const commands: Record<string, ManifestCommand> = JSON.parse(readFileSync(join(DIST, 'fast', 'ids.json'), 'utf8'));
    id = commandId(argv, commands);
    if (!id || !Object.hasOwn(commands, id)) return false;
    // Clearly older than tsc's output of this file: dist/ was recompiled (a bare `tsc`) without bundling again, so
    // the bundle may be stale. Not by a few milliseconds: npm extracts a package without keeping
    // its files' times, in archive order, and fast.cjs comes before fast/launch.js.
    if (statSync(BUNDLE).mtimeMs + STALE_AFTER_MS < statSync(COMPILED).mtimeMs) return false;
    source = readFileSync(BUNDLE, 'latin1'); // ASCII-only by construction (scripts/bundle.js); latin1 decodes it fastest
  } catch {
    return false; // no id digest or no bundle (e.g. a tsc-only build)
  }
  const bundle = loadBundle(source, id) as {main(argv: string[], root: string, id: string): Promise<boolean>};
  return bundle.main(argv, ROOT, id);
}

/**
 * Evaluate the CommonJS bundle as Node's loader would, with V8's code cache: Node 20 has no
 * compile cache of its own, and compiling the bundle is most of what's left of start-up. One cache
 * file per installed bundle (named after its path), headed by the build id and Node version it was
 * made for: anything else there is ignored and replaced. V8 itself rejects data from another V8
 * or other flags, and then the bundle is compiled from source as if there were no cache. Reading
 * or writing the cache never fails a run.
 */
function loadBundle(source: string, id: string): unknown {
  // The user cache dir, as src/lib/config/paths.ts spells the others: $FLEXCONV_CACHE_DIR, else
  // $XDG_CACHE_HOME/flexconv, else ~/.cache/flexconv (not imported from there: start-up).
  // Relative directories are ignored, as the XDG spec says (they would follow the cwd around).
  const env = process.env;
  const absolute = (p: string | undefined) => (p && isAbsolute(p) ? p : undefined);
  const dir = absolute(env.FLEXCONV_CACHE_DIR) || join(absolute(env.XDG_CACHE_HOME) || join(homedir(), '.cache'), 'flexconv');
  const cacheFile = join(dir, `fast-${fnv1a(BUNDLE)}.v8cache`);
  const buildId = BUILD_ID.exec(source)?.[1];
  // The header also carries a CRC-32 of the code cache after it: V8 release builds check its
  // version and flags but not its bytes, and a damaged cache can crash the process outright
  // (every run, since the cache would never be rewritten). A mismatch means: no cache.
  // The header also lists the commands whose runs made the cache: V8 caches only what was compiled
  // when it was made (the bundle's top level and that run's functions), so the first run of
  // another command compiles its own code lazily from source — and then rewrites the cache with
  // its functions added, once per command.
  const header = `${buildId} ${process.version} ${process.arch}`;
  let cachedData: Buffer | undefined;
  let cachedIds: string[] = [];
  try {
    const file = buildId && existsSync(cacheFile) ? readFileSync(cacheFile) : undefined;
    const newline = file ? file.indexOf(10) : -1;
    if (file && newline > 0) {
      const [rest, crc] = splitLast(file.subarray(0, newline).toString('latin1'));
      const [fileHeader, ids] = splitLast(rest);
      const data = file.subarray(newline + 1);
      if (fileHeader === header && crc === crc32(data).toString(16)) {
        cachedData = data;
        cachedIds = ids.split(',');
      }
    }
  } catch {
    cachedData = undefined;
  }
  // Node's CommonJS wrapper, on the first line so line numbers stay the bundle's, plus the bundle's
  // import(): Node 20 runs import() inside a vm.Script only behind a flag or with a warning, so
  // scripts/bundle.js turns each import() of what it leaves out into a call of this function.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __flexconvImport) {${source}\n})`, {
    filename: BUNDLE,
    cachedData,
  });
  const fresh = !cachedData || script.cachedDataRejected;
  if (buildId && (fresh || !cachedIds.includes(id)) && writableDir(dir)) {
    const ids = [...(fresh ? [] : cachedIds), id].join(',');
    // At exit, so the cache also holds the functions this run compiled lazily.
    process.once('exit', () => {
      try {
        const data = script.createCachedData();
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(tmp, Buffer.concat([Buffer.from(`${header} ${ids} ${crc32(data).toString(16)}\n`, 'latin1'), data]));
        renameSync(tmp, cacheFile);
      } catch {
        // a full disk: the next run compiles from source again
      }
    });
  }
  const module = {exports: {}};
  const importFromBundle = (specifier: string) => import(specifier.startsWith('.') ? new URL(specifier, pathToFileURL(BUNDLE)).href : specifier);
  script.runInThisContext()(module.exports, createRequire(BUNDLE), module, BUNDLE, DIST, importFromBundle);
  return module.exports;
}

/** `"a b c"` → `["a b", "c"]`. */
function splitLast(text: string): [string, string] {
  const i = text.lastIndexOf(' ');
  return i < 0 ? [text, ''] : [text.slice(0, i), text.slice(i + 1)];
}

/** The cache dir exists (or can be made) and can be written: else serialising a cache at exit is wasted work. */
function writableDir(dir: string): boolean {
  try {
    mkdirSync(dir, {recursive: true});
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** 32-bit FNV-1a of a string, in hex: a short stable file name for a path. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}
