#!/usr/bin/env node
// flexconv entry point. `--version` is answered without loading the CLI framework, and our own
// commands run from a pre-built bundle (dist/fast/launch.js); everything else, help included,
// goes through oclif as usual. Both for start-up speed: see the README's "Design".
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
  const {readFileSync} = await import('node:fs');
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`flexconv/${pkg.version} ${process.platform}-${process.arch} node-${process.version}\n`);
} else {
  const {runFast} = await import('../dist/fast/launch.js');
  if (!(await runFast(argv))) {
    const {execute} = await import('@oclif/core');
    if (process.env.DEBUG) {
      // oclif's debug output dumps argv: hand it a logger that masks --auth-token/--api-secret values
      const {maskingLogger} = await import('../dist/lib/debug-mask.js');
      const {fileURLToPath} = await import('node:url');
      await execute({args: argv, loadOptions: {root: fileURLToPath(new URL('..', import.meta.url)), logger: maskingLogger(argv)}});
    } else await execute({dir: import.meta.url});
  }
}
