/**
 * `startEmulator({rateLimit})` / `flexconv emulator start --rate-limit N/s`: a token bucket per
 * account on the Twilio routes; past it, Twilio's 429 (code 20429) with Retry-After, as the real
 * SDK sees it. Time is the emulator's manual clock: tests advance it instead of waiting.
 */
import {expect} from 'chai';
import {startEmulator} from '../../src/lib/emulator/index.js';
import {phone, rejection, useEmulator, type RestError} from '../helpers/emulator.js';
import {freePort, killIfAlive, runCli, sandbox, spawnCli, assertBuilt} from '../helpers/cli.js';

const OTHER = {accountSid: 'AC00000000000000000000000000000042', authToken: 'secret42'};

describe('emulator: --rate-limit (token bucket per account, 429/20429 with Retry-After)', () => {
  describe('2 requests per second, manual clock', () => {
    const t = useEmulator({rateLimit: '2/s', clock: 'manual', accounts: [{accountSid: 'ACf1ec0000000000000000000000000001', authToken: 'f1ec0000000000000000000000000001'}, OTHER]});
    const list = () => t.client.conversations.v1.addressConfigurations.list({limit: 1});

    it('a burst of 2 passes; the 3rd gets Twilio\'s 429 body (20429) and Retry-After, as the SDK sees it', async () => {
      await list();
      await list();
      const err: RestError = await rejection(list());
      expect(err.status).to.equal(429);
      expect(err.code).to.equal(20429);
      expect(err.moreInfo).to.equal('https://www.twilio.com/docs/errors/20429');
      expect(err.message).to.contain('rate limit is 2/s');
      expect((t.wire.last.headers as Record<string, string>)['retry-after']).to.equal('1');
      // the wire body is Twilio's error shape (the recorder checked it against the spec's rules)
      expect(t.wire.last.body).to.deep.include({code: 20429, status: 429});
    });

    it('a refused request does nothing: a create answered 429 created nothing', async () => {
      const address = phone();
      const err = await rejection(t.client.conversations.v1.addressConfigurations.create({type: 'sms', address}));
      expect(err.code).to.equal(20429);
      await t.emu.clock.advance(1000);
      const all = await t.client.conversations.v1.addressConfigurations.list();
      expect(all.map((a) => a.address)).not.to.include(address);
    });

    it('tokens come back with the clock: one per 500 ms', async () => {
      await t.emu.clock.advance(1000); // full again: 2 tokens
      await list();
      await list();
      expect((await rejection(list())).code).to.equal(20429);
      await t.emu.clock.advance(500);
      await list();
      expect((await rejection(list())).code).to.equal(20429);
    });

    it('per account: another account has its own bucket', async () => {
      await t.emu.clock.advance(1000);
      await list();
      await list();
      expect((await rejection(list())).code).to.equal(20429);
      const other = t.sdk(OTHER.accountSid, OTHER.authToken).client;
      expect(await other.conversations.v1.addressConfigurations.list({limit: 1})).to.be.an('array');
    });

    it('the control API (/_emulator) is never limited', async () => {
      await t.emu.clock.advance(1000);
      for (let i = 0; i < 5; i++) expect((await t.http('GET', '/_emulator/health')).status).to.equal(200);
      await list();
    });

    it('a bad credential is still 401, not 429 (the limit counts accounts, after auth)', async () => {
      const res = await t.http('GET', '/conversations/v1/Conversations', {auth: {username: OTHER.accountSid, password: 'wrong'}});
      expect(res.status).to.equal(401);
    });
  });

  describe('off (the default)', () => {
    const t = useEmulator({clock: 'manual'});
    it('never answers 429, however many requests arrive at one instant', async () => {
      const statuses = await Promise.all(Array.from({length: 60}, () => t.http('GET', '/conversations/v1/Conversations').then((r) => r.status)));
      expect(new Set(statuses)).to.deep.equal(new Set([200]));
    });
  });

  it('an invalid rate is refused at start', async () => {
    for (const bad of [0, -1, 'fast', '10/h']) {
      let error: unknown;
      await startEmulator({rateLimit: bad}).then((e) => e.stop(), (e) => (error = e));
      expect(String(error), String(bad)).to.match(/rateLimit must be a positive number/);
    }
  });
});

describe('emulator start --rate-limit (the CLI)', function () {
  this.timeout(30_000);
  before(() => assertBuilt());
  const box = sandbox('flexconv-ratelimit-');
  after(() => box.cleanup());
  let pid: number | undefined;
  after(() => killIfAlive(pid));

  it('--rate-limit fast: a usage error, exit 2', async () => {
    const r = await runCli(['emulator', 'start', '--rate-limit', 'fast', '--db', ':memory:'], {env: box.env});
    expect(r.exitCode).to.equal(2);
    expect(r.stderr).to.contain('✖ USAGE').and.contain('"fast" is not a rate');
  });

  it('1/s: curl-like requests get 429 + Retry-After past it, and the CLI\'s own backoff gets through', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const fg = await spawnCli(['emulator', 'start', '--port', String(port), '--db', ':memory:', '--rate-limit', '1/s'], {env: box.env, ready: /Ctrl\+C to stop/});
    pid = fg.child.pid;
    const auth = `Basic ${Buffer.from('ACf1ec0000000000000000000000000001:f1ec0000000000000000000000000001').toString('base64')}`;
    const first = await fetch(`${url}/conversations/v1/Conversations`, {headers: {Authorization: auth}});
    expect(first.status).to.equal(200);
    const second = await fetch(`${url}/conversations/v1/Conversations`, {headers: {Authorization: auth}});
    expect(second.status).to.equal(429);
    expect(second.headers.get('retry-after')).to.equal('1');
    expect(await second.json()).to.deep.include({code: 20429, status: 429, more_info: 'https://www.twilio.com/docs/errors/20429'});
    // the bucket is empty now: the CLI's first request gets 429, it waits the Retry-After and goes on
    const r = await runCli(['conversations', 'list', '--json', '--emulator-url', url], {env: box.env});
    expect(r.exitCode, r.stderr).to.equal(0);
    expect(r.json()).to.deep.equal([]);
    expect(r.stderr).to.match(new RegExp(`^↻ GET ${url}/conversations/v1/Conversations answered 429 \\(twilio 20429\\); retry 1 of 3 in 1\\.\\ds \\(Retry-After\\)\\n$`));
    fg.child.kill('SIGTERM');
    expect(await fg.exited).to.equal(0);
  });
});
