/**
 * Flex Webchat on the emulator: POST /v2/WebChats (the SDK's flexApi.v2.webChannels, checked
 * against twilio_flex_v2.json) makes a conversation for a chat address with the guest as chat
 * participant and the address's Studio flow or webhook attached; the guest's Conversations access
 * token is a real JWT signed with an API key of the account; the guest's first message (REST with
 * X-Twilio-Webhook-Enabled, as the webchat app sends it) runs the flow through SendToFlex to a task.
 */
import {createHmac} from 'node:crypto';
import {expect} from 'chai';
import {DEFAULT_ACCOUNT} from '../../src/lib/emulator/index.js';
import {rejection, useEmulator} from '../helpers/emulator.js';
import {expectTwilioError} from '../helpers/oai.js';

const CV = '/conversations/v1';
const TR = '/taskrouter/v1/Workspaces';

/** The parts of a JWT, its HS256 signature checked with `secret`. */
function verifyJwt(token: string, secret: string): {header: Record<string, unknown>; payload: Record<string, any>} {
  const [h, p, s] = token.split('.');
  const expected = createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url');
  expect(s, 'signature').to.equal(expected);
  const decode = (x: string) => JSON.parse(Buffer.from(x, 'base64url').toString('utf8'));
  return {header: decode(h), payload: decode(p)};
}

describe('emulator: Flex Webchat (flex-api v2 WebChats) and the guest token', () => {
  const t = useEmulator({clock: 'manual'});
  let n = 0;

  async function chatAddress(autoCreation: Record<string, string>) {
    return t.expect(201, 'POST', `${CV}/Configuration/Addresses`, {form: {Type: 'chat', Address: `site-${++n}-${Date.now()}`, 'AutoCreation.Enabled': 'true', ...autoCreation}});
  }

  it('a chat address with a Studio flow: the conversation, the guest participant, the studio webhook; the guest writes → SendToFlex → task', async () => {
    const config = await t.expect(200, 'GET', '/flex-api/v1/Configuration');
    const flow = await t.client.studio.v2.flows.create({
      friendlyName: `webchat-${Date.now()}`,
      status: 'published',
      definition: {
        initial_state: 'Trigger',
        states: [
          {name: 'Trigger', type: 'trigger', transitions: [{event: 'incomingConversationMessage', next: 'flex'}], properties: {}},
          {
            name: 'flex',
            type: 'send-to-flex',
            transitions: [{event: 'callComplete'}, {event: 'failedToEnqueue'}],
            properties: {
              workflow: config.taskrouter_target_workflow_sid,
              channel: 'chat',
              attributes: '{"name": "{{trigger.conversation.ChannelAttributes.from}}", "email": "{{trigger.conversation.ChannelAttributes.pre_engagement_data.email}}"}',
            },
          },
        ],
      },
    });
    const address = await chatAddress({'AutoCreation.Type': 'studio', 'AutoCreation.StudioFlowSid': flow.sid});
    const chat = await t.client.flexApi.v2.webChannels.create({
      addressSid: address.sid,
      chatFriendlyName: 'Support chat',
      customerFriendlyName: 'Grace',
      preEngagementData: JSON.stringify({email: 'grace@example.com'}),
    });
    expect(t.wire.last.statusCode).to.equal(201);
    expect(chat.conversationSid).to.match(/^CH[0-9a-f]{32}$/);
    expect(chat.identity).to.be.a('string').and.not.equal('');
    const conv = await t.expect(200, 'GET', `${CV}/Conversations/${chat.conversationSid}`);
    expect(conv.friendly_name).to.equal('Support chat');
    expect(JSON.parse(conv.attributes)).to.deep.equal({from: 'Grace', pre_engagement_data: {email: 'grace@example.com'}});
    const participants = (await t.expect(200, 'GET', `${CV}/Conversations/${chat.conversationSid}/Participants`)).participants as {identity: string; messaging_binding: unknown}[];
    expect(participants.map((p) => p.identity)).to.deep.equal([chat.identity]);
    const hooks = (await t.expect(200, 'GET', `${CV}/Conversations/${chat.conversationSid}/Webhooks`)).webhooks as {target: string; configuration: {flow_sid: string}}[];
    expect(hooks.map((h) => [h.target, h.configuration.flow_sid])).to.deep.equal([['studio', flow.sid]]);

    // the guest's first message, as the webchat app posts it
    await t.expect(201, 'POST', `${CV}/Conversations/${chat.conversationSid}/Messages`, {
      form: {Author: chat.identity, Body: 'I need help with my order'},
      headers: {'X-Twilio-Webhook-Enabled': 'true'},
    });
    const [exec] = await t.client.studio.v2.flows(flow.sid).executions.list();
    expect(exec.status).to.equal('ended');
    const steps = await t.client.studio.v2.flows(flow.sid).executions(exec.sid).steps.list();
    const taskSid = (steps.at(-1)!.context as {task_sid: string}).task_sid;
    const task = await t.expect(200, 'GET', `${TR}/${config.taskrouter_workspace_sid}/Tasks/${taskSid}`);
    expect(task.task_channel_unique_name).to.equal('chat');
    expect(JSON.parse(task.attributes)).to.include({name: 'Grace', email: 'grace@example.com', channelType: 'chat', conversationSid: chat.conversationSid, customerAddress: chat.identity});
  });

  it('a chat address with a webhook: the conversation gets that webhook; Identity is kept as given', async () => {
    const address = await chatAddress({'AutoCreation.Type': 'webhook', 'AutoCreation.WebhookUrl': 'https://example.com/chat-hook', 'AutoCreation.WebhookFilters': 'onMessageAdded'});
    const chat = await t.client.flexApi.v2.webChannels.create({addressSid: address.sid, identity: 'guest-42'});
    expect(chat.identity).to.equal('guest-42');
    const hooks = (await t.expect(200, 'GET', `${CV}/Conversations/${chat.conversationSid}/Webhooks`)).webhooks as {target: string; configuration: {url: string; filters: string[]}}[];
    expect(hooks.map((h) => [h.target, h.configuration.url, h.configuration.filters])).to.deep.equal([['webhook', 'https://example.com/chat-hook', ['onMessageAdded']]]);
  });

  it("the guest's token: a Conversations access token (ChatGrant on the service) signed with the account's API key", async () => {
    const address = await chatAddress({'AutoCreation.Type': 'default'});
    const chat = await t.client.flexApi.v2.webChannels.create({addressSid: address.sid});
    const minted = await t.expect(201, 'POST', '/_emulator/tokens', {form: {Identity: chat.identity, Ttl: '600'}});
    expect(minted.api_key_sid).to.equal(DEFAULT_ACCOUNT.apiKey);
    const {header, payload} = verifyJwt(minted.token, DEFAULT_ACCOUNT.apiSecret);
    expect(header).to.include({alg: 'HS256', typ: 'JWT', cty: 'twilio-fpa;v=1'});
    expect(payload.iss).to.equal(DEFAULT_ACCOUNT.apiKey);
    expect(payload.sub).to.equal(t.emu.accountSid);
    expect(payload.exp - payload.iat).to.equal(600);
    expect(payload.grants.identity).to.equal(chat.identity);
    const conv = await t.expect(200, 'GET', `${CV}/Conversations/${chat.conversationSid}`);
    expect(payload.grants.chat.service_sid).to.equal(conv.chat_service_sid);
    // bad input: no identity, a bad ttl, a service of nobody
    for (const [form, param] of [
      [{}, 'Identity'],
      [{Identity: 'x', Ttl: '0'}, 'Ttl'],
      [{Identity: 'x', ChatServiceSid: 'IS00000000000000000000000000000000'}, 'ChatServiceSid'],
    ] as const) {
      const res = await t.http('POST', '/_emulator/tokens', {form});
      expect(res.status, JSON.stringify(form)).to.equal(400);
      expect(res.body.message).to.contain(param);
    }
  });

  it('an account without an API key gets one for its tokens, the same one each time', async () => {
    const acct = await t.expect(201, 'POST', '/_emulator/accounts');
    const auth = {username: acct.account_sid, password: acct.auth_token};
    const minted = await t.expect(201, 'POST', '/_emulator/tokens', {form: {Identity: 'someone'}, auth});
    expect(minted.account_sid).to.equal(acct.account_sid);
    expect(minted.api_key_sid).to.match(/^SK[0-9a-f]{32}$/);
    const again = await t.expect(201, 'POST', '/_emulator/tokens', {form: {Identity: 'someone'}, auth});
    expect(again.api_key_sid).to.equal(minted.api_key_sid);
  });

  it('bad input: no AddressSid, not an IG sid, an unknown one, an SMS address, PreEngagementData that is not JSON — 400s; v2 Users answer 501', async () => {
    const sms = await t.expect(201, 'POST', `${CV}/Configuration/Addresses`, {form: {Type: 'sms', Address: '+15557770001'}});
    const chat = await chatAddress({'AutoCreation.Type': 'default'});
    const cases: [Record<string, string>, RegExp][] = [
      [{}, /AddressSid/],
      [{AddressSid: 'nope'}, /AddressSid/],
      [{AddressSid: 'IG00000000000000000000000000000000'}, /not an Address Configuration/],
      [{AddressSid: sms.sid}, /sms address/],
      [{AddressSid: chat.sid, PreEngagementData: '{oops'}, /PreEngagementData/],
    ];
    for (const [form, message] of cases) {
      const res = await t.http('POST', '/flex-api/v2/WebChats', {form});
      expect(res.status, JSON.stringify(form)).to.equal(400);
      expect(res.body.message).to.match(message);
    }
    const err = await rejection(t.client.flexApi.v2.webChannels.create({addressSid: sms.sid}));
    expect(err.code).to.equal(20001);
    const users = await t.http('GET', '/flex-api/v2/Instances/GO00000000000000000000000000000000/Users/FU00000000000000000000000000000000');
    expect(users.status).to.equal(501);
    expectTwilioError(501, users.text, 20501);
  });
});
