/**
 * Consistency items from a new-user trial, each as a user meets it: the built CLI as a child
 * process against an emulator started here.
 */
import {expect} from 'chai';
import {runCli, useSandbox, type Sandbox} from '../helpers/cli.js';
import {startEmulator, type Emulator} from '../../src/lib/emulator/index.js';

let box: Sandbox;
useSandbox((b) => (box = b));
let emu: Emulator;
before(async () => {
  emu = await startEmulator({port: 0, db: ':memory:'});
});
after(() => emu?.stop());
const run = (...args: string[]) => runCli(args, {env: {...box.env, FLEXCONV_EMULATOR_URL: emu.url}});

describe('commands: consistency', function () {
  this.timeout(60_000);

  it('help for something that does not exist: ✖ USAGE with a did-you-mean, exit 2', async () => {
    for (const args of [['help', 'adresses'], ['adresses', '--help'], ['help', 'addresses', 'lst']]) {
      const r = await run(...args);
      expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).to.equal(2);
      expect(r.stdout).to.equal('');
      expect(r.stderr).to.match(/^✖ USAGE: ".+" is not a flexconv command or topic, so there is no help for it\n/);
      expect(r.stderr).to.contain('→ did you mean `flexconv help addresses');
    }
    // help that exists is unchanged
    const ok = await run('help', 'addresses', 'list');
    expect(ok.exitCode).to.equal(0);
    expect(ok.stdout).to.contain('$ flexconv addresses list');
  });

  it('--columns with an unknown column: one usage error for every list, naming the available columns', async () => {
    for (const [cmd, known] of [
      [['profiles', 'list'], 'name'],
      [['addresses', 'list'], 'sid'],
    ] as const) {
      const r = await run(...cmd, '--columns', `${known},bogus`);
      expect(r.exitCode, r.stderr).to.equal(2);
      expect(r.stdout).to.equal('');
      expect(r.stderr).to.match(/^✖ USAGE: --columns: unknown column "bogus"\n  → available: /);
      expect(r.stderr.split('available: ')[1]).to.contain(known);
    }
  });

  it('addresses update --type/--address/--address-country: they cannot be changed; delete and create', async () => {
    const created = (await run('addresses', 'create', '--type', 'chat', '--address', 'upd-type', '--json')).json();
    const r = await run('addresses', 'update', created.sid, '--type', 'sms');
    expect(r.exitCode).to.equal(2);
    expect(r.stderr).to.contain('✖ USAGE: The type of an address configuration cannot be changed; delete it and create it again');
    expect(r.stderr).to.contain(`flexconv addresses delete ${created.sid}`).and.contain('flexconv addresses create --type sms');
    expect(r.stderr).not.to.contain('Nonexistent');
    const help = await run('addresses', 'update', '--help');
    expect(help.stdout).not.to.match(/--type|--address-country/);
  });

  it('an empty filtered list suggests a create with the same filter', async () => {
    await emu.reset();
    for (const [type, example] of [
      ['chat', 'site-chat'],
      ['whatsapp', 'whatsapp:+15551234567'],
    ]) {
      const r = await run('addresses', 'list', '--type', type);
      expect(r.exitCode).to.equal(0);
      expect(r.stderr).to.equal(`No address configurations of type ${type}. Create one with \`flexconv addresses create --type ${type} --address ${example}\`\n`);
    }
  });
});
