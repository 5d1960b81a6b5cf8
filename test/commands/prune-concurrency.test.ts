/**
 * `conversations prune --concurrency N`: the built CLI closes the matches with at most N requests
 * in flight (the emulator logs each request as it finishes; here only the outcome and the bound's
 * flag are checked), and the flag's bounds are usage errors.
 */
import {expect} from 'chai';
import {runCli, sandbox, assertBuilt} from '../helpers/cli.js';
import {useEmulator} from '../helpers/emulator.js';

describe('commands: conversations prune --concurrency', function () {
  this.timeout(60_000);
  before(() => assertBuilt());
  const t = useEmulator();
  const box = sandbox('flexconv-prune-');
  after(() => box.cleanup());
  const cli = (...args: string[]) => runCli(args, {env: {...box.env, FLEXCONV_EMULATOR_URL: t.url}, cwd: box.cwd});

  it('closes every match, 3 at a time', async () => {
    const made = await Promise.all(Array.from({length: 7}, (_, i) => t.client.conversations.v1.conversations.create({friendlyName: `bulk-${i}`})));
    const r = await cli('conversations', 'prune', '--concurrency', '3', '--yes', '--json');
    expect(r.exitCode, r.stderr).to.equal(0);
    const out = r.json();
    expect(out.action).to.equal('close');
    expect(out.conversations.map((c: {sid: string}) => c.sid).sort()).to.deep.equal(made.map((c) => c.sid).sort());
    const states = await Promise.all(made.map((c) => t.client.conversations.v1.conversations(c.sid).fetch().then((x) => x.state)));
    expect(new Set(states)).to.deep.equal(new Set(['closed']));
  });

  it('--concurrency 0 or 21: a usage error (exit 2), nothing sent', async () => {
    for (const n of ['0', '21']) {
      const r = await cli('conversations', 'prune', '--concurrency', n, '--yes');
      expect(r.exitCode, r.stderr).to.equal(2);
      expect(r.stderr).to.match(/^✖ USAGE: .*--concurrency/);
    }
  });
});
