/**
 * The real-Twilio path of `flexconv webchat create` and `flexconv simulate webchat`: nock stands
 * in for conversations.twilio.com and flex-api.twilio.com; the tests assert the exact requests
 * (the chat address looked up, POST /v2/WebChats with its form, the conversation read for its
 * service) and the guest's access token: a JWT signed (HS256) with the configured API key, a
 * ChatGrant on that service, for that identity. Without an API key there is no token, and a
 * warning says how to get one.
 */
import {expect} from 'chai';
import {createHmac} from 'node:crypto';
import {ACCOUNT, page, requests, twilio, twilioError, useTwilio} from '../helpers/twilio-nock.js';

const CONV_HOST = 'https://conversations.twilio.com';
const FLEX = 'https://flex-api.twilio.com';
const IG = 'IG0123456789abcdef0123456789abcdef';
const IG2 = 'IGfedcba9876543210fedcba9876543210';
const CH = 'CH0123456789abcdef0123456789abcdef';
const IS = 'IS0123456789abcdef0123456789abcdef';
const IM = 'IM0123456789abcdef0123456789abcdef';
const KEY = 'SK0123456789abcdef0123456789abcdef';
const SECRET = 'api-secret-0123456789abcdef';
const ADDRS = `${CONV_HOST}/v1/Configuration/Addresses`;
const CONV = `${CONV_HOST}/v1/Conversations/${CH}`;

const address = (over: Record<string, unknown> = {}) => ({
  sid: IG, account_sid: ACCOUNT, type: 'chat', address: 'site-chat', friendly_name: 'Website',
  auto_creation: {enabled: true, type: 'studio', conversation_service_sid: IS, studio_flow_sid: 'FW0123456789abcdef0123456789abcdef', studio_retry_count: 3},
  date_created: '2024-01-02T03:04:05Z', date_updated: '2024-01-02T03:04:05Z', url: `${ADDRS}/${IG}`, address_country: null, ...over,
});
const conversation = {
  account_sid: ACCOUNT, chat_service_sid: IS, messaging_service_sid: null, sid: CH, friendly_name: 'Ada', unique_name: null, attributes: '{}', state: 'active',
  date_created: '2024-01-02T03:04:05Z', date_updated: '2024-01-02T03:04:05Z', timers: {}, url: CONV, links: {}, bindings: null,
};
const chatParticipant = (sid: string, identity: string, date: string) => ({
  account_sid: ACCOUNT, conversation_sid: CH, sid, identity, attributes: '{}', messaging_binding: null, role_sid: null,
  date_created: date, date_updated: date, url: `${CONV}/Participants/${sid}`, last_read_message_index: null, last_read_timestamp: null,
});
const message = (author: string, body: string) => ({
  account_sid: ACCOUNT, conversation_sid: CH, sid: IM, index: 0, author, body, media: null, attributes: '{}', participant_sid: 'MB0000000000000000000000000000000a',
  date_created: '2024-01-02T03:04:05Z', date_updated: '2024-01-02T03:04:05Z', url: `${CONV}/Messages/${IM}`, delivery: null, links: {}, content_sid: null,
});

/** The JWT's header and payload, after checking its HS256 signature with `secret`. */
function verify(jwt: string, secret: string): {header: any; payload: any} {
  const [h, p, sig] = jwt.split('.');
  expect(createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url')).to.equal(sig);
  return {header: JSON.parse(Buffer.from(h, 'base64url').toString()), payload: JSON.parse(Buffer.from(p, 'base64url').toString())};
}

describe('webchat create / simulate webchat on real Twilio (nock)', function () {
  this.timeout(20_000);
  const t = useTwilio('flexconv-twilio-webchat-');

  it('webchat create --address NAME: the chat addresses, POST /v2/WebChats with every field, the conversation; a token signed with the API key', async () => {
    const pre = '{"friendlyName":"Ada","question":"Where is my order?"}';
    const n = twilio([
      ['GET', `${ADDRS}?Type=chat&PageSize=50`, 200, page('address_configurations', ADDRS, [address({sid: IG2, address: 'other', friendly_name: 'Other'}), address()])],
      ['POST', `${FLEX}/v2/WebChats`, 201, {conversation_sid: CH, identity: 'guest-ada'}],
      ['GET', CONV, 200, conversation],
    ]);
    const r = await t.runWith({TWILIO_API_KEY: KEY, TWILIO_API_SECRET: SECRET}, 'webchat', 'create', '--address', 'Website', '--name', 'Ada', '--chat-name', 'Ada on the website', '--pre-engagement', pre, '--identity', 'guest-ada', '--ttl', '600', '--json');
    expect(r.exitCode, r.stderr).to.equal(0);
    n.done();
    expect(requests(n.seen)).to.deep.equal([`GET ${ADDRS}?Type=chat&PageSize=50`, `POST ${FLEX}/v2/WebChats`, `GET ${CONV}`]);
    expect(n.seen[1].authorization).to.equal(`Basic ${Buffer.from(`${KEY}:${SECRET}`).toString('base64')}`);
    expect(n.seen[1].form).to.deep.equal([
      ['AddressSid', IG],
      ['ChatFriendlyName', 'Ada on the website'],
      ['CustomerFriendlyName', 'Ada'],
      ['PreEngagementData', pre],
      ['Identity', 'guest-ada'],
    ]);
    const out = r.json();
    expect(out).to.include({conversation_sid: CH, identity: 'guest-ada', chat_service_sid: IS, address_sid: IG, address: 'site-chat'});
    const {header, payload} = verify(out.token, SECRET);
    expect(header).to.include({alg: 'HS256', cty: 'twilio-fpa;v=1'});
    expect(payload).to.include({iss: KEY, sub: ACCOUNT});
    expect(payload.grants).to.deep.equal({identity: 'guest-ada', chat: {service_sid: IS}});
    expect(payload.exp - payload.iat).to.equal(600);
    expect(out.token_expires).to.equal(new Date(payload.exp * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'));
  });

  it('webchat create --address IG… with the auth token only: GET the address; no token, a warning that says how to get one', async () => {
    const n = twilio([
      ['GET', `${ADDRS}/${IG}`, 200, address()],
      ['POST', `${FLEX}/v2/WebChats`, 201, {conversation_sid: CH, identity: 'a1b2c3'}],
      ['GET', CONV, 200, conversation],
    ]);
    const r = await t.run('webchat', 'create', '--address', IG);
    expect(r.exitCode, r.stderr).to.equal(0);
    n.done();
    expect(n.seen[1].form).to.deep.equal([['AddressSid', IG]]);
    expect(r.stderr).to.contain('! No access token: an API key signs it; give --api-key and --api-secret (or TWILIO_API_KEY / TWILIO_API_SECRET)');
    expect(r.stdout).to.match(new RegExp(`^Conversation\\s+${CH}$`, 'm')).and.match(/^Identity\s+a1b2c3$/m);
  });

  it('webchat create: a non-chat address, an unknown name, bad --pre-engagement — clear errors, nothing created', async () => {
    const n = twilio([
      ['GET', `${ADDRS}/${IG}`, 200, address({type: 'sms', address: '+15005550006'})],
      ['GET', `${ADDRS}?Type=chat&PageSize=50`, 200, page('address_configurations', ADDRS, [address()])],
    ]);
    const sms = await t.run('webchat', 'create', '--address', IG);
    expect(sms.exitCode).to.equal(2);
    expect(sms.stderr.split('\n')[0]).to.equal(`✖ USAGE: Address ${IG} (+15005550006) is of type sms; webchat needs a chat address`);
    const unknown = await t.run('webchat', 'create', '--address', 'shop');
    expect(unknown.exitCode).to.equal(1);
    expect(unknown.stderr.split('\n').slice(0, 2)).to.deep.equal(['✖ NOT_FOUND: No chat address is named "shop" (looked up as the address and the friendly name)', '  → there are: site-chat']);
    n.done();
    const badJson = await t.run('webchat', 'create', '--address', IG, '--pre-engagement', '{name');
    expect(badJson.exitCode).to.equal(2);
    expect(badJson.stderr.split('\n')[0]).to.match(/^✖ USAGE: --pre-engagement is not valid JSON/);
    const notObject = await t.run('webchat', 'create', '--address', IG, '--pre-engagement', '[1]');
    expect(notObject.stderr.split('\n')[0]).to.equal('✖ USAGE: --pre-engagement must be a JSON object');
  });

  it('webchat create: the API refusing the address is its error, in one line', async () => {
    const n = twilio([
      ['GET', `${ADDRS}/${IG}`, 200, address()],
      ['POST', `${FLEX}/v2/WebChats`, 400, twilioError(400, 20001, 'Address configuration has no Flex integration')],
    ]);
    const r = await t.run('webchat', 'create', '--address', IG);
    expect(r.exitCode).to.equal(1);
    n.done();
    expect(r.stderr.split('\n')[0]).to.equal('✖ INVALID_PARAMETER (twilio 20001): Address configuration has no Flex integration — https://www.twilio.com/docs/errors/20001');
  });

  it('simulate webchat: the participants, then POST Messages authored by the guest who joined first, with X-Twilio-Webhook-Enabled', async () => {
    const n = twilio([
      ['GET', `${CONV}/Participants?PageSize=100`, 200, page('participants', `${CONV}/Participants`, [
        chatParticipant('MB0000000000000000000000000000000b', 'alice_40example_2Ecom', '2024-01-02T03:05:00Z'),
        chatParticipant('MB0000000000000000000000000000000a', 'guest-ada', '2024-01-02T03:04:05Z'),
      ])],
      ['POST', `${CONV}/Messages`, 201, message('guest-ada', 'Where is my order?')],
    ]);
    const r = await t.run('simulate', 'webchat', '--conversation', CH, '--body', 'Where is my order?', '--json');
    expect(r.exitCode, r.stderr).to.equal(0);
    n.done();
    expect(n.seen[1].webhookEnabled).to.equal('true');
    expect(n.seen[1].form).to.deep.equal([['Author', 'guest-ada'], ['Body', 'Where is my order?']]);
    expect(r.json()).to.include({sid: IM, author: 'guest-ada', guest_identity: 'guest-ada'});
  });

  it('simulate webchat --identity that is no chat participant: NOT_FOUND naming the ones there are; no message sent', async () => {
    const n = twilio([
      ['GET', `${CONV}/Participants?PageSize=100`, 200, page('participants', `${CONV}/Participants`, [chatParticipant('MB0000000000000000000000000000000a', 'guest-ada', '2024-01-02T03:04:05Z')])],
    ]);
    const r = await t.run('simulate', 'webchat', '--conversation', CH, '--body', 'x', '--identity', 'bob');
    expect(r.exitCode).to.equal(1);
    n.done();
    expect(r.stderr.split('\n').slice(0, 2)).to.deep.equal([`✖ NOT_FOUND: No chat participant "bob" in conversation ${CH}`, '  → its chat identities: guest-ada']);
  });
});
