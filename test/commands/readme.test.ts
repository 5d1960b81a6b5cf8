/**
 * The README's command reference (between `<!-- commands -->` and `<!-- commandsstop -->`) is
 * what `npm run readme` (oclif readme) writes from the built commands: this regenerates it
 * without writing (`--dry-run`) and compares, so a command or flag added, renamed or described
 * anew fails here until `npm run build && npm run readme` is run and the README committed.
 * Plus a check that needs no generator: one section per command of the manifest and plugins.
 */
import {spawnSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {expect} from 'chai';
import {assertBuilt, ROOT} from '../helpers/cli.js';

const HINT = 'run `npm run build && npm run readme` and commit README.md';

function section(text: string): string {
  const start = text.search(/^<!-- commands -->$/m);
  const end = text.search(/^<!-- commandsstop -->$/m);
  expect(start, 'README has <!-- commands -->').to.be.at.least(0);
  expect(end, 'README has <!-- commandsstop -->').to.be.greaterThan(start);
  return text.slice(start, end).trimEnd();
}

describe('README: the command reference is in step with the commands', function () {
  this.timeout(120_000);
  before(() => assertBuilt());
  const readme = () => readFileSync(join(ROOT, 'README.md'), 'utf8');

  it('a section per command: ours (oclif.manifest.json) and the plugins\' (help, autocomplete)', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, unknown>};
    const ids = [...Object.keys(manifest.commands), 'help', 'autocomplete'].map((id) => id.replaceAll(':', ' ')).sort();
    const headings = [...section(readme()).matchAll(/^## `flexconv ([a-z][a-z -]*?)(?: [[A-Z].*)?`$/gm)].map((m) => m[1]).sort();
    expect(headings, HINT).to.deep.equal(ids);
  });

  it('exactly what `oclif readme` generates from the built CLI', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'oclif', 'bin', 'run.js'), 'readme', '--no-aliases', '--dry-run'], {
      cwd: ROOT,
      encoding: 'utf8',
      // no update check (it would ask the npm registry)
      env: {...process.env, OCLIF_SKIP_NEW_VERSION_CHECK: 'true', NO_COLOR: '1'},
      timeout: 100_000,
    });
    expect(r.status, r.stderr).to.equal(0);
    expect(section(readme()), HINT).to.equal(section(r.stdout));
  });
});
