/**
 * The real-Twilio path of `flexconv outbound reminder`: nock stands in for studio.twilio.com and
 * conversations.twilio.com; every test asserts the exact requests in order — the flow looked up,
 * the binding checked (ParticipantConversations?Address=), the conversation, the customer's
 * binding, the Target=studio webhook, the system message (no X-Twilio-Webhook-Enabled: the
 * reminder must not start the flow, the reply does).
 */
import {expect} from 'chai';
import {ACCOUNT, page, requests, twilio, twilioError, useTwilio} from '../helpers/twilio-nock.js';

const CONV_HOST = 'https://conversations.twilio.com';
const STUDIO = 'https://studio.twilio.com';
const FW = 'FW0123456789abcdef0123456789abcdef';
const CH = 'CH0123456789abcdef0123456789abcdef';
const OLD = 'CHfedcba9876543210fedcba9876543210';
const MB = 'MB0123456789abcdef0123456789abcdef';
const WH = 'WH0123456789abcdef0123456789abcdef';
const IM = 'IM0123456789abcdef0123456789abcdef';
const IS = 'IS0123456789abcdef0123456789abcdef';
const TO = '+15551234567';
const FROM = '+15005550006';
const CONV = `${CONV_HOST}/v1/Conversations/${CH}`;
const PC = `${CONV_HOST}/v1/ParticipantConversations`;
const FLEX = 'https://flex-api.twilio.com';
const WS = 'WS0123456789abcdef0123456789abcdef';
const WT = 'WT0123456789abcdef0123456789abcdef';
const KD = 'KD0123456789abcdef0123456789abcdef';
const UO = 'UO0123456789abcdef0123456789abcdef';
const TASKS = `https://taskrouter.twilio.com/v1/Workspaces/${WS}/Tasks`;
const CHANNEL = `${FLEX}/v1/Interactions/${KD}/Channels/${UO}`;
/** The part of the Flex Configuration the binding check reads (where the Flex tasks are). */
const flexConfig = {account_sid: ACCOUNT, taskrouter_workspace_sid: WS, url: `${FLEX}/v1/Configuration`};

const flow = {
  sid: FW, account_sid: ACCOUNT, friendly_name: 'Messaging Flow', definition: {}, status: 'published', revision: 3, commit_message: null, valid: true, errors: [], warnings: [],
  date_created: '2024-01-02T03:04:05Z', date_updated: null, webhook_url: `https://webhooks.twilio.com/v1/Accounts/${ACCOUNT}/Flows/${FW}`, url: `${STUDIO}/v2/Flows/${FW}`, links: {},
};
const conversation = (over: Record<string, unknown> = {}) => ({
  account_sid: ACCOUNT, chat_service_sid: IS, messaging_service_sid: null, sid: CH, friendly_name: `Reminder to ${TO}`, unique_name: null,
  attributes: '{}', state: 'active', date_created: '2024-01-02T03:04:05Z', date_updated: '2024-01-02T03:04:05Z', timers: {}, url: CONV, links: {}, bindings: null, ...over,
});
const participant = (address = TO, proxy = FROM) => ({
  account_sid: ACCOUNT, conversation_sid: CH, sid: MB, identity: null, attributes: '{}', messaging_binding: {type: address.startsWith('whatsapp:') ? 'whatsapp' : 'sms', address, proxy_address: proxy},
  role_sid: null, date_created: '2024-01-02T03:04:05Z', date_updated: '2024-01-02T03:04:05Z', url: `${CONV}/Participants/${MB}`, last_read_message_index: null, last_read_timestamp: null,
});
const webhook = {sid: WH, account_sid: ACCOUNT, conversation_sid: CH, target: 'studio', url: `${CONV}/Webhooks/${WH}`, configuration: {flow_sid: FW}, date_created: '2024-01-02T03:04:05Z', date_updated: '2024-01-02T03:04:05Z'};
const message = {
  account_sid: ACCOUNT, conversation_sid: CH, sid: IM, index: 0, author: 'system', body: 'Your appointment is tomorrow', media: null, attributes: '{}', participant_sid: null,
  date_created: '2024-01-02T03:04:05Z', date_updated: '2024-01-02T03:04:05Z', url: `${CONV}/Messages/${IM}`, delivery: null, links: {}, content_sid: null,
};
const held = (state: string, sid = OLD, address = TO, proxy = FROM) => ({
  account_sid: ACCOUNT, chat_service_sid: IS, participant_sid: MB, participant_user_sid: null, participant_identity: null,
  participant_messaging_binding: {type: 'sms', address, proxy_address: proxy}, conversation_sid: sid, conversation_unique_name: null, conversation_friendly_name: 'Case',
  conversation_attributes: '{}', conversation_date_created: '2024-01-02T03:04:05Z', conversation_date_updated: '2024-01-02T03:04:05Z', conversation_created_by: null,
  conversation_state: state, conversation_timers: {}, links: {},
});

/** The requests of a reminder after the binding check. */
const REST = [
  `POST ${CONV_HOST}/v1/Conversations`,
  `POST ${CONV}/Participants`,
  `POST ${CONV}/Webhooks`,
  `POST ${CONV}/Messages`,
];

describe('outbound reminder on real Twilio (nock)', function () {
  this.timeout(20_000);
  const t = useTwilio('flexconv-twilio-reminder-');

  it('flow, binding check, conversation, binding, Target=studio webhook, the system message — in that order, with these forms', async () => {
    const n = twilio([
      ['GET', `${STUDIO}/v2/Flows/${FW}`, 200, flow],
      // a closed conversation and one with another number hold no binding that is in the way
      ['GET', `${PC}?Address=%2B15551234567&PageSize=50`, 200, page('conversations', PC, [held('closed'), held('active', OLD, TO, '+15005550009')])],
      ['POST', `${CONV_HOST}/v1/Conversations`, 201, conversation()],
      ['POST', `${CONV}/Participants`, 201, participant()],
      ['POST', `${CONV}/Webhooks`, 201, webhook],
      ['POST', `${CONV}/Messages`, 201, message],
    ]);
    const r = await t.run('outbound', 'reminder', '--to', TO, '--from', FROM, '--body', 'Your appointment is tomorrow', '--flow', FW, '--json');
    expect(r.exitCode, r.stderr).to.equal(0);
    n.done();
    expect(requests(n.seen)).to.deep.equal([`GET ${STUDIO}/v2/Flows/${FW}`, `GET ${PC}?Address=%2B15551234567&PageSize=50`, ...REST]);
    expect(n.seen[2].form).to.deep.equal([
      ['FriendlyName', `Reminder to ${TO}`],
      ['Attributes', JSON.stringify({initiated_by: 'system', kind: 'reminder', studio_flow_sid: FW})],
    ]);
    expect(n.seen[3].form).to.deep.equal([['MessagingBinding.Address', TO], ['MessagingBinding.ProxyAddress', FROM]]);
    expect(n.seen[4].form).to.deep.equal([['Target', 'studio'], ['Configuration.FlowSid', FW]]);
    expect(n.seen[5].form).to.deep.equal([['Author', 'system'], ['Body', 'Your appointment is tomorrow']]);
    expect(n.seen.map((s) => s.webhookEnabled)).to.deep.equal([null, null, null, null, null, null]);
    const out = r.json();
    expect(out).to.deep.include({conversation: conversation(), participant: participant(), webhook, message, closed: []});
    expect(out.flow).to.deep.equal({sid: FW, friendly_name: 'Messaging Flow', status: 'published'});
  });

  it('the customer is in an open conversation with that number: BINDING_IN_USE with the exact close command; nothing created', async () => {
    const n = twilio([
      ['GET', `${STUDIO}/v2/Flows/${FW}`, 200, flow],
      ['GET', `${PC}?Address=%2B15551234567&PageSize=50`, 200, page('conversations', PC, [held('inactive')])],
    ]);
    const r = await t.run('outbound', 'reminder', '--to', TO, '--from', FROM, '--body', 'x', '--flow', FW);
    expect(r.exitCode).to.equal(1);
    n.done();
    expect(r.stdout).to.equal('');
    expect(r.stderr.split('\n').slice(0, 3)).to.deep.equal([
      `✖ BINDING_IN_USE: ${TO} via ${FROM} is already in conversation ${OLD} (inactive), which is not closed: a reminder needs a conversation of its own`,
      `  → close it with \`flexconv conversations close ${OLD} --yes\``,
      '  → or rerun with --close-existing to close it first',
    ]);
  });

  it('--close-existing: closes that conversation (GET, POST State=closed), then sends the reminder', async () => {
    const n = twilio([
      ['GET', `${STUDIO}/v2/Flows/${FW}`, 200, flow],
      ['GET', `${PC}?Address=%2B15551234567&PageSize=50`, 200, page('conversations', PC, [held('active')])],
      // is it a Flex interaction's? No Flex task names it
      ['GET', `${FLEX}/v1/Configuration`, 200, flexConfig],
      ['GET', `${TASKS}?PageSize=1000`, 200, page('tasks', TASKS, [])],
      ['GET', `${CONV_HOST}/v1/Conversations/${OLD}`, 200, conversation({sid: OLD})],
      ['POST', `${CONV_HOST}/v1/Conversations/${OLD}`, 200, conversation({sid: OLD, state: 'closed'})],
      ['POST', `${CONV_HOST}/v1/Conversations`, 201, conversation()],
      ['POST', `${CONV}/Participants`, 201, participant()],
      ['POST', `${CONV}/Webhooks`, 201, webhook],
      ['POST', `${CONV}/Messages`, 201, message],
    ]);
    const r = await t.run('outbound', 'reminder', '--to', TO, '--from', FROM, '--body', 'Your appointment is tomorrow', '--flow', FW, '--close-existing');
    expect(r.exitCode, r.stderr).to.equal(0);
    n.done();
    expect(n.seen[5].form).to.deep.equal([['State', 'closed']]);
    expect(r.stderr).to.contain(`closed conversation ${OLD}, which held ${TO}`).and.contain(`Reminder ${IM} sent to ${TO} in conversation ${CH}`);
  });

  it('--close-existing, the conversation of a Flex interaction: closed through its channel (Status=closed, its tasks completed), not behind Flex\'s back', async () => {
    const task = {sid: WT, assignment_status: 'assigned', date_created: '2024-01-02T03:04:05Z', attributes: JSON.stringify({conversationSid: OLD, flexInteractionSid: KD, flexInteractionChannelSid: UO})};
    const channel = (status: string) => ({sid: UO, interaction_sid: KD, type: 'sms', status, error_code: null, error_message: null, url: CHANNEL, links: {}});
    const n = twilio([
      ['GET', `${STUDIO}/v2/Flows/${FW}`, 200, flow],
      ['GET', `${PC}?Address=%2B15551234567&PageSize=50`, 200, page('conversations', PC, [held('active')])],
      ['GET', `${FLEX}/v1/Configuration`, 200, flexConfig],
      ['GET', `${TASKS}?PageSize=1000`, 200, page('tasks', TASKS, [task])],
      ['GET', CHANNEL, 200, channel('active')],
      ['POST', CHANNEL, 200, channel('closed')],
      ['GET', `${CONV_HOST}/v1/Conversations/${OLD}`, 200, conversation({sid: OLD, state: 'closed'})],
      ['POST', `${CONV_HOST}/v1/Conversations`, 201, conversation()],
      ['POST', `${CONV}/Participants`, 201, participant()],
      ['POST', `${CONV}/Webhooks`, 201, webhook],
      ['POST', `${CONV}/Messages`, 201, message],
    ]);
    const r = await t.run('outbound', 'reminder', '--to', TO, '--from', FROM, '--body', 'Your appointment is tomorrow', '--flow', FW, '--close-existing', '--json');
    expect(r.exitCode, r.stderr).to.equal(0);
    n.done();
    expect(n.seen[5].form).to.deep.equal([['Status', 'closed'], ['Routing', '{"status":"closed"}']]);
    expect(n.seen.filter((x) => x.method === 'POST' && x.path === `/v1/Conversations/${OLD}`)).to.deep.equal([]);
    expect(JSON.parse(r.stdout).closed.map((c: {sid: string; state: string}) => [c.sid, c.state])).to.deep.equal([[OLD, 'closed']]);
  });

  it('whatsapp, a flow by name: whatsapp:-prefixed addresses in the check and the binding', async () => {
    const FLOWS = `${STUDIO}/v2/Flows`;
    const n = twilio([
      ['GET', `${FLOWS}?PageSize=1000`, 200, page('flows', FLOWS, [flow])],
      ['GET', `${PC}?Address=whatsapp%3A%2B15551234567&PageSize=50`, 200, page('conversations', PC, [])],
      ['POST', `${CONV_HOST}/v1/Conversations`, 201, conversation()],
      ['POST', `${CONV}/Participants`, 201, participant(`whatsapp:${TO}`, `whatsapp:${FROM}`)],
      ['POST', `${CONV}/Webhooks`, 201, webhook],
      ['POST', `${CONV}/Messages`, 201, message],
    ]);
    const r = await t.run('outbound', 'reminder', '--channel', 'whatsapp', '--to', TO, '--from', `whatsapp:${FROM}`, '--body', 'Shipped', '--flow', 'Messaging Flow', '--author', 'shop-bot', '--json');
    expect(r.exitCode, r.stderr).to.equal(0);
    n.done();
    expect(n.seen[3].form).to.deep.equal([['MessagingBinding.Address', `whatsapp:${TO}`], ['MessagingBinding.ProxyAddress', `whatsapp:${FROM}`]]);
    expect(n.seen[5].form).to.deep.equal([['Author', 'shop-bot'], ['Body', 'Shipped']]);
  });

  it('a step that fails after the conversation exists: the conversation is deleted again, the error is the API\'s', async () => {
    const n = twilio([
      ['GET', `${STUDIO}/v2/Flows/${FW}`, 200, flow],
      ['GET', `${PC}?Address=%2B15551234567&PageSize=50`, 200, page('conversations', PC, [])],
      ['POST', `${CONV_HOST}/v1/Conversations`, 201, conversation()],
      ['POST', `${CONV}/Participants`, 201, participant()],
      ['POST', `${CONV}/Webhooks`, 400, twilioError(400, 20001, 'Invalid Configuration.FlowSid')],
      ['DELETE', CONV, 204],
    ]);
    const r = await t.run('outbound', 'reminder', '--to', TO, '--from', FROM, '--body', 'x', '--flow', FW);
    expect(r.exitCode).to.equal(1);
    n.done();
    expect(requests(n.seen).at(-1)).to.equal(`DELETE ${CONV}`);
    const lines = r.stderr.split('\n');
    const at = lines.findIndex((l) => l.startsWith('✖'));
    expect(lines.slice(at, at + 2)).to.deep.equal(['✖ INVALID_PARAMETER (twilio 20001): Invalid Configuration.FlowSid — https://www.twilio.com/docs/errors/20001', `  → nothing is left over: conversation ${CH} was deleted again`]);
  });

  it('a flow that does not exist: NOT_FOUND before anything is created; bad input: exit 2 without a request', async () => {
    const n = twilio([['GET', `${STUDIO}/v2/Flows/${FW}`, 404, twilioError(404, 20404, 'not found')]]);
    const r = await t.run('outbound', 'reminder', '--to', TO, '--from', FROM, '--body', 'x', '--flow', FW);
    expect(r.exitCode).to.equal(1);
    n.done();
    expect(r.stderr.split('\n')[0]).to.equal(`✖ NOT_FOUND (twilio 20404): No Studio flow ${FW} — https://www.twilio.com/docs/errors/20404`);
    for (const [args, message] of [
      [['--to', '555-1234', '--from', FROM, '--body', 'x', '--flow', FW], '✖ USAGE: --to "555-1234" is not an E.164 phone number (for example +15551234567) or a short code'],
      [['--to', TO, '--from', TO, '--body', 'x', '--flow', FW], '✖ USAGE: --to and --from are the same address: --to is the customer, --from your number'],
      [['--to', TO, '--from', FROM, '--body', 'x', '--flow', 'FW123'], '✖ USAGE: --flow "FW123" is 5 characters long; a Studio Flow SID is FW + 32 hex characters (34)'],
      [['--to', TO, '--from', FROM, '--body', 'x'.repeat(1601), '--flow', FW], '✖ USAGE: --body is 1601 characters long; a message body may have at most 1600'],
    ] as const) {
      const bad = await t.run('outbound', 'reminder', ...args);
      expect(bad.exitCode, bad.stderr).to.equal(2);
      expect(bad.stderr.split('\n')[0]).to.equal(message);
    }
  });
});
