#!/usr/bin/env node
// flexconv entry point. `--version` is answered without loading the CLI framework, and our own
// commands run from a pre-built bundle (dist/fast/launch.cjs); everything else, help included,
// goes through oclif as usual. Both for start-up speed: see the README's "Design". CommonJS
// (bin/package.json): an ES module entry point would set up Node's ESM loader on every run.
const {join} = require('node:path');

const root = join(__dirname, '..');
const argv = process.argv.slice(2);

async function main() {
  let launch;
  try {
    launch = require('../dist/fast/launch.cjs');
  } catch (error) {
    if (error?.code !== 'MODULE_NOT_FOUND') throw error; // dist/ built by tsc alone: no fast path
  }
  if (launch && (await launch.runFast(argv))) return;
  const {execute} = await import('@oclif/core');
  if (process.env.DEBUG) {
    // oclif's debug output dumps argv: hand it a logger that masks --auth-token/--api-secret values
    const {maskingLogger} = await import('../dist/lib/debug-mask.js');
    await execute({args: argv, loadOptions: {root, logger: maskingLogger(argv)}});
  } else await execute({args: argv, loadOptions: {root}});
}

if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
  const pkg = JSON.parse(require('node:fs').readFileSync(join(root, 'package.json'), 'utf8'));
  process.stdout.write(`flexconv/${pkg.version} ${process.platform}-${process.arch} node-${process.version}\n`);
} else {
  // As an ES module's top-level await would: a run whose work can never settle (nothing left for
  // the event loop to do, the command not done) exits 13, not 0. An explicit process.exit() is not that.
  let settled = false;
  process.once('beforeExit', () => {
    if (!settled && !process.exitCode) {
      process.stderr.write('Warning: Detected unsettled top-level await\n');
      process.exitCode = 13;
    }
  });
  main().then(
    () => (settled = true),
    (error) => {
      settled = true;
      throw error;
    },
  );
}
