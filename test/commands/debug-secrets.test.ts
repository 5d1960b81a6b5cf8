/**
 * DEBUG output and secrets: DEBUG=* turns on oclif's own debug lines, which dump argv; a secret
 * given as a flag must show masked there. DEBUG=flexconv* says where each credential came from,
 * each by its own flag. The built CLI against an emulator started here.
 */
import {expect} from 'chai';
import {runCli, useSandbox, type Sandbox} from '../helpers/cli.js';
import {startEmulator, type Emulator} from '../../src/lib/emulator/index.js';

let box: Sandbox;
useSandbox((b) => (box = b));
let emu: Emulator;
let emulatorUrl: string;
before(async () => {
  emu = await startEmulator({port: 0, db: ':memory:'});
  emulatorUrl = emu.url;
});
after(() => emu?.stop());
const run = (args: string[], env: Record<string, string> = {}) => runCli(args, {env: {...box.env, FLEXCONV_EMULATOR_URL: emulatorUrl, ...env}});

describe('commands: DEBUG output never shows a secret flag whole', function () {
  this.timeout(60_000);

  it('DEBUG=* never prints a secret given as a flag; DEBUG=flexconv* names each credential by its own flag', async () => {
    const token = 'tok-do-not-print-4242';
    const res = await fetch(`${emulatorUrl}/_emulator/accounts`, {method: 'POST', body: new URLSearchParams({AuthToken: token})});
    const {account_sid: sid} = (await res.json()) as {account_sid: string};
    for (const DEBUG of ['*', 'flexconv*']) {
      for (const form of [['--auth-token', token], [`--auth-token=${token}`]]) {
        const r = await run(['addresses', 'list', '--account-sid', sid, ...form, '--api-secret=other-secret-9999', '--api-key', 'SK00000000000000000000000000000001', '--target', 'emulator'], {DEBUG});
        expect(r.stderr, `DEBUG=${DEBUG} ${form.join(' ')}`).not.to.contain(token).and.not.contain('other-secret-9999');
        if (DEBUG === '*') expect(r.stderr).to.contain('oclif:main process.argv').and.contain('****4242');
      }
      const r = await run(['addresses', 'list', '--account-sid', sid, '--auth-token', token, '--json'], {DEBUG});
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(r.stderr).not.to.contain(token);
      expect(r.stderr).to.contain('flexconv: accountSid from flag (--account-sid)').and.contain('flexconv: authToken from flag (--auth-token)');
    }
  });

});
