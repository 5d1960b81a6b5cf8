/**
 * Address configuration checks in one place (src/lib/spec/conversations.ts): the CLI checks
 * offline what the emulator would refuse, with the same limits — a table of inputs, each given
 * to the built CLI (pointed at a port nobody listens on, so only an offline check can answer)
 * and to the emulator over HTTP. And the WhatsApp decision: the spec's "a whatsapp address or
 * phone number" means both whatsapp:+E164 and a bare +E164 are taken, and stored as
 * whatsapp:+E164 by both halves (see checkAddress for the sources).
 */
import {expect} from 'chai';
import {startEmulator, type Emulator} from '../../src/lib/emulator/index.js';
import {ADDRESS_MAX, FRIENDLY_NAME_MAX} from '../../src/lib/spec/conversations.js';
import {freePort, runCli, useSandbox, type Sandbox} from '../helpers/cli.js';

let box: Sandbox;
useSandbox((b) => (box = b));
let emu: Emulator;
let nobody: string;
before(async () => {
  emu = await startEmulator({port: 0, db: ':memory:'});
  nobody = `http://127.0.0.1:${await freePort()}`;
});
after(() => emu?.stop());

const auth = () => 'Basic ' + Buffer.from(`${emu.accountSid}:${emu.authToken}`).toString('base64');
async function post(form: Record<string, string>): Promise<{status: number; body: any}> {
  const res = await fetch(`${emu.url}/conversations/v1/Configuration/Addresses`, {
    method: 'POST',
    headers: {authorization: auth(), 'content-type': 'application/x-www-form-urlencoded'},
    body: new URLSearchParams(form).toString(),
  });
  return {status: res.status, body: await res.json()};
}
const cli = (args: string[], url = emu.url) => runCli(args, {env: {...box.env, FLEXCONV_EMULATOR_URL: url}, cwd: box.cwd});

let n = 0;
const uniq = () => String(1000 + ++n);

describe('address configuration checks: CLI (offline) and emulator agree', function () {
  this.timeout(90_000);

  const cases: {what: string; type: string; address: () => string; friendlyName?: string; ok: boolean}[] = [
    {what: 'whatsapp:+E164', type: 'whatsapp', address: () => `whatsapp:+1555123${uniq()}`, ok: true},
    {what: 'bare +E164 for whatsapp', type: 'whatsapp', address: () => `+1555124${uniq()}`, ok: true},
    {what: 'whatsapp without +', type: 'whatsapp', address: () => `whatsapp:1555125${uniq()}`, ok: false},
    {what: 'whatsapp with spaces', type: 'whatsapp', address: () => 'whatsapp:+1 555 126 0000', ok: false},
    {what: 'sms E.164', type: 'sms', address: () => `+1555127${uniq()}`, ok: true},
    {what: 'sms short code', type: 'sms', address: () => `7${uniq()}`, ok: true},
    {what: 'sms with a whatsapp: prefix', type: 'sms', address: () => 'whatsapp:+15551280000', ok: false},
    {what: 'email', type: 'email', address: () => 'nope', ok: false},
    {what: `chat address of ${ADDRESS_MAX} characters`, type: 'chat', address: () => uniq() + 'a'.repeat(ADDRESS_MAX - 4), ok: true},
    {what: `chat address of ${ADDRESS_MAX + 1} characters`, type: 'chat', address: () => 'a'.repeat(ADDRESS_MAX + 1), ok: false},
    {what: `friendly name of ${FRIENDLY_NAME_MAX}`, type: 'chat', address: () => `fn-${uniq()}`, friendlyName: 'n'.repeat(FRIENDLY_NAME_MAX), ok: true},
    {what: `friendly name of ${FRIENDLY_NAME_MAX + 1}`, type: 'chat', address: () => `fn-${uniq()}`, friendlyName: 'n'.repeat(FRIENDLY_NAME_MAX + 1), ok: false},
  ];

  for (const c of cases)
    it(`${c.what}: ${c.ok ? 'both take it' : 'the CLI refuses it offline (exit 2), the emulator with a 400'}`, async () => {
      const extra = c.friendlyName ? ['--friendly-name', c.friendlyName] : [];
      const api = await post({Type: c.type, Address: c.address(), ...(c.friendlyName ? {FriendlyName: c.friendlyName} : {})});
      expect(api.status, JSON.stringify(api.body)).to.equal(c.ok ? 201 : 400);
      if (c.ok) {
        const r = await cli(['addresses', 'create', '--type', c.type, '--address', c.address(), ...extra, '--json']);
        expect(r.exitCode, r.stderr).to.equal(0);
      } else {
        expect(api.body.code).to.equal(20001);
        const r = await cli(['addresses', 'create', '--type', c.type, '--address', c.address(), ...extra], nobody);
        expect(r.exitCode, r.stderr).to.equal(2);
        expect(r.stderr).to.match(/^✖ USAGE: /).and.not.contain('NETWORK');
      }
    });

  it('WhatsApp: a bare +E164 is stored as whatsapp:+E164 by both; help and errors name both forms', async () => {
    const api = await post({Type: 'whatsapp', Address: '+15551290001'});
    expect(api.body.address).to.equal('whatsapp:+15551290001');
    const r = await cli(['addresses', 'create', '--type', 'whatsapp', '--address', '+15551290002', '--json']);
    expect(r.json().address).to.equal('whatsapp:+15551290002');
    const prefixed = await cli(['addresses', 'create', '--type', 'whatsapp', '--address', 'whatsapp:+15551290003', '--json']);
    expect(prefixed.json().address).to.equal('whatsapp:+15551290003');
    // one configuration per number, whichever form is given
    expect((await post({Type: 'whatsapp', Address: 'whatsapp:+15551290001'})).status).to.equal(409);

    const bad = await cli(['addresses', 'create', '--type', 'whatsapp', '--address', '15551290004'], nobody);
    expect(bad.stderr).to.contain('whatsapp:+E164 or a bare E.164 number');
    const badApi = await post({Type: 'whatsapp', Address: '15551290004'});
    expect(badApi.body.message).to.contain('whatsapp:+E164 or a bare E.164 number');
    const help = await cli(['addresses', 'create', '--help']);
    expect(help.stdout.replace(/\s+/g, ' ')).to.contain('for whatsapp, whatsapp:+E164 or a bare +E164 (stored as whatsapp:+E164)');
  });

  it('--dry-run (and get/update) check the ADDRESS argument offline too', async () => {
    for (const args of [
      ['addresses', 'delete', 'whatsapp:+1 555 000', '--dry-run'],
      ['addresses', 'delete', 'x'.repeat(ADDRESS_MAX + 1), '--dry-run'],
      ['addresses', 'get', 'whatsapp:abc'],
      ['addresses', 'update', 'whatsapp:abc', '--friendly-name', 'x'],
      ['addresses', 'update', 'IG0123456789abcdef0123456789abcdef', '--friendly-name', 'n'.repeat(FRIENDLY_NAME_MAX + 1)],
    ]) {
      const r = await cli(args, nobody);
      expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).to.equal(2);
      expect(r.stderr).to.match(/^✖ USAGE: /);
    }
  });
});
