import {expect} from 'chai';
import {spawnSync} from 'node:child_process';
import {fileURLToPath} from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('emulator: importable as flexconv/emulator (the built package)', () => {
  it("startEmulator from 'flexconv/emulator' serves the twilio SDK, as the README shows", () => {
    // A separate plain-Node process, importing by package name exactly as a user's test suite would.
    const script = `
      import {startEmulator} from 'flexconv/emulator';
      import twilio from 'twilio';
      const emu = await startEmulator();
      const client = twilio(emu.accountSid, emu.authToken, {
        httpClient: new (class extends twilio.RequestClient {
          request(opts) {
            return super.request({...opts, uri: opts.uri.replace(/^https:\\/\\/([a-z-]+)[^/]*\\.twilio\\.com/, emu.url + '/$1')});
          }
        })(),
      });
      const a = await client.conversations.v1.addressConfigurations.create({type: 'chat', address: 'my-site'});
      const listed = await client.conversations.v1.addressConfigurations.list();
      await emu.reset();
      const after = await client.conversations.v1.addressConfigurations.list();
      await emu.stop();
      console.log(JSON.stringify({sid: a.sid, listed: listed.length, after: after.length, url: emu.url}));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {cwd: ROOT, encoding: 'utf8', timeout: 20_000});
    expect(r.status, r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout);
    expect(out.sid).to.match(/^IG[0-9a-f]{32}$/);
    expect(out).to.include({listed: 1, after: 0});
    expect(out.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});
