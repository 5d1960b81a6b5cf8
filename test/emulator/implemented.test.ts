/**
 * What `emulator start --help` and the README say the emulator implements is what its router
 * serves: the resources of each domain are derived from the registered routes
 * (`METHOD /domain/v1/Path/:Param` → the literal segments after the version) and compared with
 * IMPLEMENTED, which the help and the README are written from.
 */
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {expect} from 'chai';
import {RESOURCES} from '../../src/lib/emulator/api/index.js';
import {IMPLEMENTED, implementedSummary, NOT_IMPLEMENTED} from '../../src/lib/emulator/defaults.js';
import {DOMAINS, Router} from '../../src/lib/emulator/router.js';
import {assertBuilt, ROOT, runCli} from '../helpers/cli.js';

/** domain → the resource names its routes serve. */
function served(): Map<string, Set<string>> {
  const router = new Router();
  for (const r of RESOURCES) router.add({prefix: r.domain, auth: true}, r.routes, r.mounts);
  const out = new Map<string, Set<string>>();
  const stubs = new Set(router.stubs); // 501: routed, but not implemented
  for (const route of router.routes) {
    if (stubs.has(route)) continue;
    const [, domain, , ...rest] = route.split(' ')[1].split('/');
    const set = out.get(domain) ?? new Set<string>();
    for (const seg of rest) if (seg && !seg.startsWith(':')) set.add(seg);
    out.set(domain, set);
  }
  return out;
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ');

describe('emulator: what the help and the README say it implements', () => {
  it('IMPLEMENTED lists exactly the domains and resources the router serves; NOT_IMPLEMENTED the rest', () => {
    const routes = served();
    expect([...routes.keys()].sort(), 'domains with routes').to.deep.equal(Object.keys(IMPLEMENTED).sort());
    for (const [domain, resources] of routes)
      expect([...IMPLEMENTED[domain].resources].sort(), `resources of ${domain}`).to.deep.equal([...resources].sort());
    expect([...Object.keys(IMPLEMENTED), ...Object.keys(NOT_IMPLEMENTED)].sort()).to.deep.equal([...DOMAINS].sort());
  });

  it('`emulator start --help` and the README say it (and no longer that Flex/TaskRouter come next)', async function () {
    this.timeout(30_000);
    assertBuilt();
    const help = await runCli(['emulator', 'start', '--help']);
    expect(help.exitCode).to.equal(0);
    expect(oneLine(help.stdout)).to.contain(implementedSummary());
    expect(help.stdout).not.to.match(/Flex and TaskRouter APIs/);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(oneLine(readme)).to.contain(implementedSummary());
    expect(readme).not.to.match(/come next/);
  });
});
