import {expect} from 'chai';
import {useEmulator} from '../helpers/emulator.js';

describe('emulator control API: clock, timers, events, webhooks', () => {
  const t = useEmulator({clock: 'manual'});

  it('a manual clock stands still until POST /_emulator/clock moves it (a duration or a time)', async () => {
    const before = (await t.http('GET', '/_emulator/clock', {validate: false})).body;
    expect(before.ticking).to.equal(false);
    const start = Date.parse(before.now);
    const again = (await t.http('GET', '/_emulator/clock', {validate: false})).body;
    expect(again.now).to.equal(before.now);
    const moved = await t.http('POST', '/_emulator/clock', {json: {advance: 'PT10M'}, validate: false});
    expect(moved.status).to.equal(200);
    expect(Date.parse(moved.body.now) - start).to.equal(600_000);
    const to = new Date(start + 3600_000).toISOString();
    const set = await t.http('POST', '/_emulator/clock', {form: {to}, validate: false});
    expect(set.body.now).to.equal(to);
    expect(t.emu.clock.now().toISOString()).to.equal(to);
    await t.emu.clock.advance(1000);
    expect(t.emu.clock.now().getTime()).to.equal(start + 3601_000);
  });

  it('bad clock requests get Twilio error bodies', async () => {
    for (const json of [{}, {advance: 'ten minutes'}, {advance: 'PT1M', to: '2030-01-01T00:00:00Z'}, {to: 'yesterday'}, {to: '2000-01-01T00:00:00Z'}]) {
      const res = await t.http('POST', '/_emulator/clock', {json});
      expect(res.status, JSON.stringify(json)).to.equal(400);
      expect(res.body.code).to.equal(20001);
    }
  });

  it('events, timers and webhooks list as JSON for the authenticated (or the default) account', async () => {
    for (const path of ['/_emulator/events', '/_emulator/timers', '/_emulator/webhooks']) {
      const res = await t.http('GET', path, {validate: false});
      expect(res.status, path).to.equal(200);
      const anonymous = await t.http('GET', path, {auth: false, validate: false});
      expect(anonymous.body, path).to.deep.equal(res.body);
    }
    const bad = await t.http('GET', '/_emulator/events', {auth: {username: t.emu.accountSid, password: 'wrong'}});
    expect(bad.status).to.equal(401);
    const missing = await t.http('GET', '/_emulator/webhooks/WD00000000000000000000000000000000');
    expect(missing.status).to.equal(404);
    const wait = await t.http('GET', '/_emulator/webhooks', {query: {wait: 0}, validate: false});
    expect(wait.body.webhooks).to.deep.equal([]);
  });
});
