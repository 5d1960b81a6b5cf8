/**
 * A custom emulator account never gets the documented default API key (issue 7 item 4): the
 * built CLI as a child process (`emulator start --detach --account-sid … --auth-token …`), and
 * a database file that already holds the default key for a custom account.
 */
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {expect} from 'chai';
import {DEFAULT_ACCOUNT, startEmulator} from '../../src/lib/emulator/index.js';
import {defaultAccount} from '../../src/lib/emulator/defaults.js';
import {freePort, killIfAlive, runCli, sandbox} from '../helpers/cli.js';

const BASE = '/conversations/v1/Configuration/Addresses';
const CUSTOM = {accountSid: `AC${'9'.repeat(32)}`, authToken: 'custom-token-42'};
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

describe('a custom emulator account and the documented default API key', function () {
  this.timeout(60_000);

  it('emulator start --account-sid: the default key is refused; the account gets its own, printed by start and status', async () => {
    const box = sandbox('flexconv-emu-account-');
    const cli = (...args: string[]) => runCli(args, {env: box.env});
    let pid: number | undefined;
    try {
      const port = await freePort();
      const r = await cli('emulator', 'start', '--detach', '--port', String(port), '--account-sid', CUSTOM.accountSid, '--auth-token', CUSTOM.authToken, '--json');
      expect(r.exitCode, r.stderr).to.equal(0);
      const info = r.json();
      pid = info.pid;
      expect(info.account_sid).to.equal(CUSTOM.accountSid);
      expect(info.api_key).to.match(/^SK[0-9a-f]{32}$/).and.not.equal(DEFAULT_ACCOUNT.apiKey);
      expect(info.api_secret).to.be.a('string').and.not.equal(DEFAULT_ACCOUNT.apiSecret);
      const list = (auth: string) => fetch(`${info.url}${BASE}`, {headers: {Authorization: auth}});
      const created = await fetch(`${info.url}${BASE}`, {
        method: 'POST',
        headers: {Authorization: basic(CUSTOM.accountSid, CUSTOM.authToken), 'Content-Type': 'application/x-www-form-urlencoded'},
        body: 'Type=sms&Address=%2B15550004242',
      });
      expect(created.status).to.equal(201);
      expect((await list(basic(DEFAULT_ACCOUNT.apiKey, DEFAULT_ACCOUNT.apiSecret))).status, 'the documented default key').to.equal(401);
      const own = await list(basic(info.api_key, info.api_secret));
      expect(own.status, 'its own key').to.equal(200);
      expect(((await own.json()) as {address_configurations: {address: string}[]}).address_configurations.map((a) => a.address)).to.deep.equal(['+15550004242']);
      const status = await cli('emulator', 'status', '--json');
      expect(status.exitCode, status.stderr).to.equal(0);
      expect(status.json()).to.include({account_sid: CUSTOM.accountSid, api_key: info.api_key, api_secret: info.api_secret});
      const stop = await cli('emulator', 'stop', '--json');
      expect(stop.exitCode, stop.stderr).to.equal(0);
    } finally {
      killIfAlive(pid);
      box.cleanup();
    }
  });

  it('FLEXCONV_EMULATOR_ACCOUNT_SID alone: no API key (not the default one)', () => {
    expect(defaultAccount({FLEXCONV_EMULATOR_ACCOUNT_SID: CUSTOM.accountSid})).to.include({apiKey: undefined, apiSecret: undefined});
    expect(defaultAccount({})).to.include({apiKey: DEFAULT_ACCOUNT.apiKey, apiSecret: DEFAULT_ACCOUNT.apiSecret});
    expect(defaultAccount({FLEXCONV_EMULATOR_ACCOUNT_SID: CUSTOM.accountSid, FLEXCONV_EMULATOR_API_KEY: `SK${'1'.repeat(32)}`, FLEXCONV_EMULATOR_API_SECRET: 's'})).to.include({
      apiKey: `SK${'1'.repeat(32)}`,
    });
  });

  // a guard rather than a fix: re-seeding an account (INSERT OR REPLACE, cascading to its keys)
  // already drops keys it is no longer configured with
  it('a database that holds the default key for a custom account (written before this fix) no longer accepts it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flexconv-account-key-'));
    try {
      const db = join(dir, 'emulator.db');
      const old = await startEmulator({port: 0, db, accounts: [{...CUSTOM, apiKey: DEFAULT_ACCOUNT.apiKey, apiSecret: DEFAULT_ACCOUNT.apiSecret}]});
      await old.stop();
      const emu = await startEmulator({port: 0, db, accounts: [CUSTOM]});
      try {
        const list = (auth: string) => fetch(`${emu.url}${BASE}`, {headers: {Authorization: auth}});
        expect((await list(basic(DEFAULT_ACCOUNT.apiKey, DEFAULT_ACCOUNT.apiSecret))).status).to.equal(401);
        expect((await list(basic(CUSTOM.accountSid, CUSTOM.authToken))).status).to.equal(200);
      } finally {
        await emu.stop();
      }
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });
});
