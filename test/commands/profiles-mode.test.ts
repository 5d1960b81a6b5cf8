/**
 * profiles.json readable by group or others: a warning on stderr (under --json too), once per
 * run, naming the mode and the `chmod 600 <path>` that fixes it — as ssh does for a private key.
 */
import {chmodSync} from 'node:fs';
import {join} from 'node:path';
import {expect} from 'chai';
import {runCli, useSandbox, type Sandbox} from '../helpers/cli.js';

let box: Sandbox;
useSandbox((b) => (box = b));
const run = (...args: string[]) => runCli(args, {env: box.env, cwd: box.cwd});

describe('commands: profiles.json permissions', function () {
  this.timeout(60_000);

  it('0644: every command that reads it warns once, with the chmod; 0600: silent', async function () {
    if (process.platform === 'win32') this.skip();
    const add = await run('profiles', 'add', 'prod', '--account-sid', 'AC0123456789abcdef0123456789abcdef', '--auth-token', 'a1b2c3d4e5f60718293a4b5c6d7e8f90');
    expect(add.exitCode, add.stderr).to.equal(0);
    const file = join(box.configDir, 'profiles.json');
    expect(add.stderr).not.to.contain('too open');

    chmodSync(file, 0o644);
    const warning = `! Permissions 0644 for ${file} are too open: it holds credentials, and other users can read it. Fix it with \`chmod 600 ${file}\``;
    for (const args of [['profiles', 'list'], ['profiles', 'list', '--json'], ['whoami'], ['whoami', '--json']]) {
      const r = await run(...args);
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(r.stderr.split('\n').filter((l) => l.includes('too open')), `${args.join(' ')}: ${r.stderr}`).to.deep.equal([warning]);
      if (args.includes('--json')) expect(() => JSON.parse(r.stdout)).not.to.throw();
    }
    chmodSync(file, 0o640);
    expect((await run('profiles', 'list')).stderr).to.contain(`Permissions 0640 for ${file} are too open`);

    chmodSync(file, 0o600);
    expect((await run('profiles', 'list')).stderr).not.to.contain('too open');
  });
});
