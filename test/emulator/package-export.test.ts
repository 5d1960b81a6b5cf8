import {expect} from 'chai';
import {spawnSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A separate plain-Node process, importing by package name exactly as a user's test suite would. */
function runModule(script: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {cwd: ROOT, encoding: 'utf8', timeout: 20_000, env: {...process.env, ...env}});
  expect(r.status, r.stderr).to.equal(0);
  return JSON.parse(r.stdout);
}

describe('emulator: importable as flexconv/emulator (the built package)', () => {
  it("emu.twilio() is the official SDK bound to the emulator: the README's three lines", () => {
    const out = runModule(`
      import {startEmulator} from 'flexconv/emulator';
      const emu = await startEmulator();
      const client = emu.twilio();
      const a = await client.conversations.v1.addressConfigurations.create({type: 'chat', address: 'my-site'});
      const listed = await client.conversations.v1.addressConfigurations.list();
      await emu.reset();
      const after = await client.conversations.v1.addressConfigurations.list();
      await emu.stop();
      console.log(JSON.stringify({sid: a.sid, account: a.accountSid, listed: listed.length, after: after.length, url: emu.url, isSdk: client.constructor.name}));
    `);
    expect(out.sid).to.match(/^IG[0-9a-f]{32}$/);
    expect(out).to.include({listed: 1, after: 0, account: 'ACf1ec0000000000000000000000000001', isSdk: 'Twilio'});
    expect(out.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('emulatorHttpClient(url) for a client built by hand, also with a region and edge set; emu.twilio() takes another account', () => {
    const out = runModule(
      `
      import {startEmulator, emulatorHttpClient} from 'flexconv/emulator';
      import twilio from 'twilio';
      const emu = await startEmulator({accounts: [{accountSid: 'AC00000000000000000000000000000001', authToken: 'one'}, {accountSid: 'AC00000000000000000000000000000002', authToken: 'two'}]});
      const mine = twilio(emu.accountSid, emu.authToken, {httpClient: emulatorHttpClient(emu.url)});
      await mine.conversations.v1.addressConfigurations.create({type: 'chat', address: 'by-hand'});
      const other = emu.twilio({accountSid: 'AC00000000000000000000000000000002', authToken: 'two'});
      const seen = await other.conversations.v1.addressConfigurations.list();
      const again = await mine.conversations.v1.addressConfigurations.list();
      await emu.stop();
      console.log(JSON.stringify({other: seen.length, mine: again.map((a) => a.address)}));
    `,
      {TWILIO_REGION: 'ie1', TWILIO_EDGE: 'dublin'},
    );
    expect(out).to.deep.equal({other: 0, mine: ['by-hand']});
  });

  it('twilio is a peer dependency (and a dependency, for the CLI); the example test runs with the suite', () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8'));
    expect(pkg.peerDependencies).to.have.property('twilio');
    expect(pkg.dependencies).to.have.property('twilio');
    expect(JSON.parse(readFileSync(`${ROOT}/.mocharc.json`, 'utf8')).spec).to.include('examples/**/*.test.mjs');
  });
});
