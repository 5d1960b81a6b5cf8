import {expect} from 'chai';
import {runCli} from '../helpers/cli.js';

describe('commands: demo (the main job on an embedded emulator)', () => {
  it('creates an address and lists it, on a throw-away emulator, with no Twilio account', async () => {
    const r = await runCli(['demo', '--json'], {timeout: 30_000});
    expect(r.exitCode, r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout);
    expect(out.emulator_url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(out.created.sid).to.match(/^IG[0-9a-f]{32}$/);
    expect(out.created.auto_creation).to.include({enabled: true, type: 'webhook'});
    expect(out.addresses.map((a: {sid: string}) => a.sid)).to.deep.equal([out.created.sid]);
    expect(r.stderr).to.equal(''); // under --json stderr holds only warnings (the README's rule)
  });

  it('prints a table without --json', async () => {
    const r = await runCli(['demo', '--no-color'], {timeout: 30_000});
    expect(r.exitCode, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/SID\s+TYPE\s+ADDRESS/);
    expect(r.stdout).to.include('+15005550006');
    expect(r.stderr).to.include('emulator stopped');
  });
});
