import {expect} from 'chai';
import {basic, phone, useEmulator, rejection} from '../helpers/emulator.js';
import {expectTwilioError} from '../helpers/oai.js';

const BASE = '/conversations/v1/Configuration/Addresses';

describe('emulator: authentication and account isolation', () => {
  const t = useEmulator();

  describe('Basic auth', () => {
    function expect401(res: {status: number; body: any; headers: Headers}) {
      expect(res.status).to.equal(401);
      expectTwilioError(401, res.body, 20003);
      expect(res.body).to.include({code: 20003, message: 'Authenticate', status: 401, more_info: 'https://www.twilio.com/docs/errors/20003'});
      // [unverified] exact detail text and WWW-Authenticate realm (semantics.md §6)
      expect(res.body.detail).to.be.a('string');
      expect(res.headers.get('www-authenticate')).to.equal('Basic realm="Twilio API"');
    }

    it('missing credentials → 401/20003 on reads and writes', async () => {
      expect401(await t.http('GET', BASE, {auth: false}));
      expect401(await t.http('POST', BASE, {auth: false, form: {Type: 'sms', Address: phone()}}));
      expect401(await t.http('DELETE', `${BASE}/IG00000000000000000000000000000000`, {auth: false}));
    });

    it('wrong token, unknown account, malformed header → 401/20003', async () => {
      expect401(await t.http('GET', BASE, {auth: {username: t.emu.accountSid, password: 'wrong'}}));
      expect401(await t.http('GET', BASE, {auth: {username: 'AC00000000000000000000000000000000', password: t.emu.authToken}}));
      expect401(await t.http('GET', BASE, {auth: {username: t.emu.accountSid, password: ''}}));
      for (const header of ['Bearer abc', 'Basic', 'Basic !!!notbase64', basic(t.emu.accountSid, t.emu.authToken).replace(/=*$/, '') + 'x', `Basic ${Buffer.from('no-colon').toString('base64')}`])
        expect401(await t.http('GET', BASE, {auth: false, headers: {Authorization: header}}));
    });

    it('the scheme name is case-insensitive', async () => {
      const header = basic(t.emu.accountSid, t.emu.authToken).replace('Basic', 'basic');
      expect((await t.http('GET', BASE, {auth: false, headers: {Authorization: header}})).status).to.equal(200);
    });

    it('nothing is written by an unauthenticated request', async () => {
      const address = phone();
      await t.http('POST', BASE, {auth: false, form: {Type: 'sms', Address: address}});
      await t.expect(404, 'GET', `${BASE}/${encodeURIComponent(address)}`);
    });

    it('the SDK raises RestException 401/20003 for a wrong token', async () => {
      const {client, wire} = t.sdk(t.emu.accountSid, 'not-the-token');
      const err = await rejection(client.conversations.v1.addressConfigurations.list());
      expect(err.status).to.equal(401);
      expect(err.code).to.equal(20003);
      expect(err.moreInfo).to.equal('https://www.twilio.com/docs/errors/20003');
      expect(wire.last.statusCode).to.equal(401);
    });

    it('the control API needs no Twilio auth', async () => {
      const res = await t.http('GET', '/_emulator/health', {auth: false});
      expect(res.status).to.equal(200);
    });
  });

  describe('API keys', () => {
    it('SK… + secret works with the SDK (accountSid option) and acts on the same account', async () => {
      expect(t.emu.apiKey).to.match(/^SK/);
      const {client, wire} = t.sdk(t.emu.apiKey!, t.emu.apiSecret!, {accountSid: t.emu.accountSid});
      const address = phone();
      const created = await client.conversations.v1.addressConfigurations.create({type: 'sms', address});
      expect(wire.last.statusCode).to.equal(201);
      expect(created.accountSid).to.equal(t.emu.accountSid);
      // visible to the account's own credentials
      const viaToken = await t.client.conversations.v1.addressConfigurations(created.sid).fetch();
      expect(viaToken.address).to.equal(address);
      const listed = await client.conversations.v1.addressConfigurations.list();
      expect(listed.map((c) => c.sid)).to.include(created.sid);
      await client.conversations.v1.addressConfigurations(created.sid).remove();
      expect(wire.last.statusCode).to.equal(204);
    });

    it('raw curl -u SK…:secret works; a wrong secret or the key with the auth token → 401', async () => {
      expect((await t.http('GET', BASE, {auth: {username: t.emu.apiKey!, password: t.emu.apiSecret!}})).status).to.equal(200);
      const bad = await t.http('GET', BASE, {auth: {username: t.emu.apiKey!, password: 'nope'}});
      expect(bad.status).to.equal(401);
      const mixed = await t.http('GET', BASE, {auth: {username: t.emu.apiKey!, password: t.emu.authToken}});
      expect(mixed.status).to.equal(401);
    });
  });

  describe('two accounts', () => {
    let second: {account_sid: string; auth_token: string};

    before(async () => {
      const res = await t.http('POST', '/_emulator/accounts', {form: {FriendlyName: 'second'}});
      expect(res.status).to.equal(201);
      second = res.body;
      expect(second.account_sid).to.match(/^AC[0-9a-f]{32}$/);
      expect(second.auth_token).to.be.a('string').with.length.greaterThan(10);
    });

    it('an account with a chosen SID/token can be created once; the second time → 409', async () => {
      const sid = 'AC' + 'ab'.repeat(16);
      const res = await t.http('POST', '/_emulator/accounts', {form: {AccountSid: sid, AuthToken: 'tok-3'}});
      expect(res.status).to.equal(201);
      expect(res.body).to.deep.equal({account_sid: sid, auth_token: 'tok-3'});
      expect((await t.http('GET', BASE, {auth: {username: sid, password: 'tok-3'}})).status).to.equal(200);
      const again = await t.http('POST', '/_emulator/accounts', {form: {AccountSid: sid}});
      expect(again.status).to.equal(409);
      expectTwilioError(409, again.body);
      const badSid = await t.http('POST', '/_emulator/accounts', {form: {AccountSid: 'AC123'}});
      expect(badSid.status).to.equal(400);
    });

    it('never see each other’s data (list, fetch, update, delete, by sid and by address)', async () => {
      const other = t.sdk(second.account_sid, second.auth_token);
      const a1 = phone();
      const mine = await t.client.conversations.v1.addressConfigurations.create({type: 'sms', address: a1, friendlyName: 'acct1'});
      const theirs = await other.client.conversations.v1.addressConfigurations.create({type: 'sms', address: phone(), friendlyName: 'acct2'});
      expect(theirs.accountSid).to.equal(second.account_sid);
      expect((other.wire.last.body as {url: string}).url).to.equal(`${t.url}${BASE}/${theirs.sid}`);

      const theirList = await other.client.conversations.v1.addressConfigurations.list();
      expect(theirList.map((c) => c.sid)).to.deep.equal([theirs.sid]);
      const myList = await t.client.conversations.v1.addressConfigurations.list();
      expect(myList.map((c) => c.sid)).to.include(mine.sid).and.not.include(theirs.sid);

      for (const key of [mine.sid, a1]) {
        expect((await rejection(other.client.conversations.v1.addressConfigurations(key).fetch())).status).to.equal(404);
        expect((await rejection(other.client.conversations.v1.addressConfigurations(key).update({friendlyName: 'hijack'}))).status).to.equal(404);
        expect((await rejection(other.client.conversations.v1.addressConfigurations(key).remove())).status).to.equal(404);
      }
      expect((await t.client.conversations.v1.addressConfigurations(mine.sid).fetch()).friendlyName).to.equal('acct1');

      // the same address may be configured in both accounts
      const same = await other.client.conversations.v1.addressConfigurations.create({type: 'sms', address: a1});
      expect(same.sid).to.not.equal(mine.sid);
      expect((await other.client.conversations.v1.addressConfigurations(a1).fetch()).sid).to.equal(same.sid);
      expect((await t.client.conversations.v1.addressConfigurations(a1).fetch()).sid).to.equal(mine.sid);
    });

    it('one account’s credentials cannot be combined with the other’s token', async () => {
      const res = await t.http('GET', BASE, {auth: {username: t.emu.accountSid, password: second.auth_token}});
      expect(res.status).to.equal(401);
    });
  });
});
