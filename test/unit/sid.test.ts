import {expect} from 'chai';
import {isSid, newSid} from '../../src/lib/emulator/sid.js';
import {toEmulatorUrl} from '../../src/lib/twilio/emulator-http.js';

describe('unit: sid generator', () => {
  it('makes prefix + 32 lower-case hex, unique each time', () => {
    const a = newSid('IG');
    const b = newSid('IG');
    expect(a).to.match(/^IG[0-9a-f]{32}$/);
    expect(a).to.not.equal(b);
    expect(isSid(a, 'IG')).to.equal(true);
    expect(isSid(a, 'CH')).to.equal(false);
  });
  it('sorts SIDs made later at or above earlier ones (B-tree locality), with 20 random hex digits each', () => {
    const sids = Array.from({length: 2000}, () => newSid('IG'));
    for (let i = 1; i < sids.length; i++) expect(sids[i].slice(2, 14) >= sids[i - 1].slice(2, 14), sids[i]).to.equal(true);
    expect(new Set(sids).size).to.equal(sids.length);
    expect(new Set(sids.map((s) => s.slice(14))).size).to.equal(sids.length);
    expect(parseInt(sids[0].slice(2, 14), 16)).to.be.closeTo(Date.now(), 60_000);
  });
});

describe('unit: emulator URL rewrite', () => {
  it('maps https://{domain}.twilio.com/{path} to {base}/{domain}/{path}', () => {
    expect(toEmulatorUrl('http://127.0.0.1:4010', 'https://conversations.twilio.com/v1/Configuration/Addresses?PageSize=5')).to.equal(
      'http://127.0.0.1:4010/conversations/v1/Configuration/Addresses?PageSize=5',
    );
  });
  it('takes only the first label when a region and edge are set', () => {
    expect(toEmulatorUrl('http://127.0.0.1:4010/', 'https://taskrouter.dublin.ie1.twilio.com/v1/Workspaces')).to.equal(
      'http://127.0.0.1:4010/taskrouter/v1/Workspaces',
    );
  });
  it('leaves other URLs alone', () => {
    expect(toEmulatorUrl('http://127.0.0.1:4010', 'http://127.0.0.1:4010/conversations/v1/X')).to.equal(
      'http://127.0.0.1:4010/conversations/v1/X',
    );
  });
});
