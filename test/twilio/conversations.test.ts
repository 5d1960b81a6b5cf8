/**
 * The real-Twilio path of the Conversations commands (conversations, participants, scoped
 * webhooks, config, messages, services): the CLI runs in this process with --target twilio and
 * TWILIO_* credentials, nock stands in for conversations.twilio.com, and every test asserts the
 * exact requests (method, URL with query, form body, X-Twilio-Webhook-Enabled) the command sent,
 * in order. The emulator-only commands (simulate, webhooks) are refused without a request.
 */
import {expect} from 'chai';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import nock from 'nock';
import {runInProcess, type CliResult} from '../helpers/cli.js';

const HOST = 'https://conversations.twilio.com';
const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'test-auth-token-0123456789abcdef';
const AUTH = `Basic ${Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64')}`;
const CH = 'CH0123456789abcdef0123456789abcdef';
const CH2 = 'CHfedcba9876543210fedcba9876543210';
const MB = 'MB0123456789abcdef0123456789abcdef';
const IM = 'IM0123456789abcdef0123456789abcdef';
const WH = 'WH0123456789abcdef0123456789abcdef';
const IS = 'IS0123456789abcdef0123456789abcdef';
const FW = 'FW0123456789abcdef0123456789abcdef';
const CONV = `/v1/Conversations/${CH}`;

interface Seen {
  method: string;
  /** Path and query, as sent. */
  path: string;
  authorization: string | null;
  webhookEnabled: string | null;
  form: [string, string][];
}

type Exchange = [method: string, path: string, status: number, body?: unknown];

/** Answer `exchanges` in order (query strings must match exactly) and record what was sent. */
function twilio(exchanges: Exchange[]): {seen: Seen[]; done(): void} {
  const seen: Seen[] = [];
  const scope = nock(HOST);
  for (const [method, path, status, body] of exchanges) {
    const [p, q] = path.split('?');
    scope
      .intercept(p, method)
      .query(q === undefined ? {} : Object.fromEntries(new URLSearchParams(q)))
      .reply(async (req: Request) => {
        const url = new URL(req.url);
        seen.push({
          method: req.method,
          path: url.pathname + url.search,
          authorization: req.headers.get('authorization'),
          webhookEnabled: req.headers.get('x-twilio-webhook-enabled'),
          form: [...new URLSearchParams(await req.text()).entries()],
        });
        return [status, body ?? ''];
      });
  }
  return {seen, done: () => scope.done()};
}

const requests = (seen: Seen[]) => seen.map((s) => `${s.method} ${s.path}`);

const conversation = (over: Record<string, unknown> = {}) => ({
  account_sid: ACCOUNT,
  chat_service_sid: IS,
  messaging_service_sid: 'MG0123456789abcdef0123456789abcdef',
  sid: CH,
  friendly_name: 'Case',
  unique_name: 'case-1',
  attributes: '{}',
  state: 'active',
  date_created: '2024-01-02T03:04:05Z',
  date_updated: '2024-01-02T03:04:06Z',
  timers: {},
  url: `${HOST}${CONV}`,
  links: {participants: `${HOST}${CONV}/Participants`, messages: `${HOST}${CONV}/Messages`, webhooks: `${HOST}${CONV}/Webhooks`},
  bindings: null,
  ...over,
});
const participant = (over: Record<string, unknown> = {}) => ({
  account_sid: ACCOUNT,
  conversation_sid: CH,
  sid: MB,
  identity: null,
  attributes: '{}',
  messaging_binding: {type: 'sms', address: '+15551234567', proxy_address: '+15005550006'},
  role_sid: 'RL0123456789abcdef0123456789abcdef',
  date_created: '2024-01-02T03:04:05Z',
  date_updated: '2024-01-02T03:04:05Z',
  url: `${HOST}${CONV}/Participants/${MB}`,
  last_read_message_index: null,
  last_read_timestamp: null,
  ...over,
});
const message = (over: Record<string, unknown> = {}) => ({
  account_sid: ACCOUNT,
  conversation_sid: CH,
  sid: IM,
  index: 0,
  author: 'agent',
  body: 'hello',
  media: null,
  attributes: '{}',
  participant_sid: null,
  date_created: '2024-01-02T03:04:05Z',
  date_updated: '2024-01-02T03:04:05Z',
  url: `${HOST}${CONV}/Messages/${IM}`,
  delivery: null,
  links: {delivery_receipts: `${HOST}${CONV}/Messages/${IM}/Receipts`},
  content_sid: null,
  ...over,
});
const webhook = (over: Record<string, unknown> = {}) => ({
  sid: WH,
  account_sid: ACCOUNT,
  conversation_sid: CH,
  target: 'webhook',
  url: `${HOST}${CONV}/Webhooks/${WH}`,
  configuration: {url: 'https://example.com/hook', method: 'POST', filters: ['onMessageAdded']},
  date_created: '2024-01-02T03:04:05Z',
  date_updated: '2024-01-02T03:04:05Z',
  ...over,
});
const config = {
  account_sid: ACCOUNT,
  default_chat_service_sid: IS,
  default_messaging_service_sid: 'MG0123456789abcdef0123456789abcdef',
  default_inactive_timer: null,
  default_closed_timer: null,
  url: `${HOST}/v1/Configuration`,
  links: {},
};
const globalHooks = {account_sid: ACCOUNT, method: 'POST', filters: [], pre_webhook_url: null, post_webhook_url: null, target: 'webhook', url: `${HOST}/v1/Configuration/Webhooks`};
const service = {account_sid: ACCOUNT, sid: IS, friendly_name: 'Flex', date_created: '2024-01-02T03:04:05Z', date_updated: '2024-01-02T03:04:05Z', url: `${HOST}/v1/Services/${IS}`, links: {}};

function page(key: string, path: string, items: unknown[], next?: string) {
  return {
    [key]: items,
    meta: {page: 0, page_size: items.length, first_page_url: `${HOST}${path}`, previous_page_url: null, url: `${HOST}${path}`, next_page_url: next ? `${HOST}${next}` : null, key},
  };
}

let configDir: string;
const ENV = () => ({TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_AUTH_TOKEN: TOKEN, FLEXCONV_CONFIG_DIR: configDir, FLEXCONV_STATE_DIR: configDir, TWILIO_CLI_CONFIG_DIR: configDir});
const run = (...args: string[]): Promise<CliResult> => runInProcess([...args, '--target', 'twilio'], {env: ENV()});

describe('conversations commands on real Twilio (nock)', function () {
  this.timeout(20_000);

  before(() => {
    configDir = mkdtempSync(join(tmpdir(), 'flexconv-twilio-conv-'));
  });
  after(() => rmSync(configDir, {recursive: true, force: true}));
  afterEach(() => nock.cleanAll());

  describe('conversations', () => {
    it('list: filters in the query, follows next_page_url, stops at --limit', async () => {
      const t = twilio([
        ['GET', '/v1/Conversations?State=active&StartDate=2024-01-01&PageSize=2', 200, page('conversations', '/v1/Conversations', [conversation()], '/v1/Conversations?State=active&StartDate=2024-01-01&PageSize=2&Page=1&PageToken=PT1')],
        ['GET', '/v1/Conversations?State=active&StartDate=2024-01-01&PageSize=2&Page=1&PageToken=PT1', 200, page('conversations', '/v1/Conversations', [conversation({sid: CH2}), conversation({sid: CH2})], '/v1/Conversations?Page=2&PageToken=PT2')],
      ]);
      const r = await run('conversations', 'list', '--state', 'active', '--start-date', '2024-01-01', '--limit', '2', '--json');
      expect(r.exitCode, r.stderr).to.equal(0);
      t.done();
      expect(t.seen.every((s) => s.authorization === AUTH)).to.equal(true);
      expect(JSON.parse(r.stdout)).to.deep.equal([conversation(), conversation({sid: CH2})]);
      expect(r.stderr).to.contain('showing 2 of more');
    });

    it('get: GET /v1/Conversations/{key}; --json is the body as sent', async () => {
      const t = twilio([['GET', '/v1/Conversations/case-1', 200, conversation()]]);
      const r = await run('conversations', 'get', 'case-1', '--json');
      expect(r.exitCode, r.stderr).to.equal(0);
      t.done();
      expect(JSON.parse(r.stdout)).to.deep.equal(conversation());
    });

    it('create: every field as a form parameter, dotted timers, the webhook header with --webhooks', async () => {
      const t = twilio([['POST', '/v1/Conversations', 201, conversation()]]);
      const r = await run('conversations', 'create', '--friendly-name', 'Case', '--unique-name', 'case-1', '--attributes', '{"a":1}', '--messaging-service', 'MG0123456789abcdef0123456789abcdef', '--state', 'inactive', '--inactive-timer', 'PT5M', '--closed-timer', 'PT10M', '--webhooks');
      expect(r.exitCode, r.stderr).to.equal(0);
      t.done();
      expect(t.seen[0].webhookEnabled).to.equal('true');
      expect(t.seen[0].form).to.deep.equal([
        ['FriendlyName', 'Case'],
        ['UniqueName', 'case-1'],
        ['MessagingServiceSid', 'MG0123456789abcdef0123456789abcdef'],
        ['Attributes', '{"a":1}'],
        ['State', 'inactive'],
        ['Timers.Inactive', 'PT5M'],
        ['Timers.Closed', 'PT10M'],
      ]);
    });

    it('update: only what is given; no webhook header without --webhooks', async () => {
      const t = twilio([['POST', CONV, 200, conversation({state: 'inactive'})]]);
      const r = await run('conversations', 'update', CH, '--state', 'inactive');
      expect(r.exitCode, r.stderr).to.equal(0);
      t.done();
      expect(t.seen[0].form).to.deep.equal([['State', 'inactive']]);
      expect(t.seen[0].webhookEnabled).to.equal(null);
    });

    it('close: GET, then POST State=closed; a closed one is not POSTed again', async () => {
      const t = twilio([
        ['GET', CONV, 200, conversation()],
        ['POST', CONV, 200, conversation({state: 'closed'})],
      ]);
      const r = await run('conversations', 'close', CH, '--yes', '--json');
      expect(r.exitCode, r.stderr).to.equal(0);
      t.done();
      expect(t.seen[1].form).to.deep.equal([['State', 'closed']]);
      const again = twilio([['GET', CONV, 200, conversation({state: 'closed'})]]);
      const r2 = await run('conversations', 'close', CH, '--yes');
      expect(r2.exitCode).to.equal(0);
      again.done();
      expect(r2.stderr).to.contain('closed already');
    });

    it('delete: GET, then DELETE with the webhook header; --dry-run only GETs', async () => {
      const t = twilio([
        ['GET', CONV, 200, conversation()],
        ['DELETE', CONV, 204],
      ]);
      const r = await run('conversations', 'delete', CH, '--yes', '--webhooks');
      expect(r.exitCode, r.stderr).to.equal(0);
      t.done();
      expect(t.seen[1].webhookEnabled).to.equal('true');
      const dry = twilio([['GET', CONV, 200, conversation()]]);
      expect((await run('conversations', 'delete', CH, '--dry-run')).exitCode).to.equal(0);
      dry.done();
    });

    it('prune --address: lists active and inactive, reads participants, closes the match only', async () => {
      const t = twilio([
        ['GET', '/v1/Conversations?State=active&PageSize=100', 200, page('conversations', '/v1/Conversations', [conversation(), conversation({sid: CH2})])],
        ['GET', `${CONV}/Participants?PageSize=100`, 200, page('participants', `${CONV}/Participants`, [participant()])],
        ['GET', `/v1/Conversations/${CH2}/Participants?PageSize=100`, 200, page('participants', `/v1/Conversations/${CH2}/Participants`, [participant({messaging_binding: {type: 'sms', address: '+15550000000', proxy_address: '+15005550006'}})])],
        ['GET', '/v1/Conversations?State=inactive&PageSize=100', 200, page('conversations', '/v1/Conversations', [])],
        ['POST', CONV, 200, conversation({state: 'closed'})],
      ]);
      const r = await run('conversations', 'prune', '--address', '+15551234567', '--scan-limit', '100', '--yes', '--json');
      expect(r.exitCode, r.stderr).to.equal(0);
      t.done();
      expect(requests(t.seen)).to.deep.equal([
        'GET /v1/Conversations?State=active&PageSize=100',
        `GET ${CONV}/Participants?PageSize=100`,
        `GET /v1/Conversations/${CH2}/Participants?PageSize=100`,
        'GET /v1/Conversations?State=inactive&PageSize=100',
        `POST ${CONV}`,
      ]);
      expect(t.seen[4].form).to.deep.equal([['State', 'closed']]);
      expect(JSON.parse(r.stdout).conversations.map((c: any) => c.sid)).to.deep.equal([CH]);
    });

    it('prune --older-than: a conversation whose date_updated is old is read for its newest message; a recent one keeps it', async () => {
      const recent = new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const t = twilio([
        ['GET', '/v1/Conversations?State=active&PageSize=50', 200, page('conversations', '/v1/Conversations', [conversation(), conversation({sid: CH2})])],
        ['GET', `${CONV}/Messages?Order=desc&PageSize=1`, 200, page('messages', `${CONV}/Messages`, [message({date_created: recent, date_updated: recent})])],
        ['GET', `/v1/Conversations/${CH2}/Messages?Order=desc&PageSize=1`, 200, page('messages', `/v1/Conversations/${CH2}/Messages`, [message()])],
        ['GET', '/v1/Conversations?State=inactive&PageSize=50', 200, page('conversations', '/v1/Conversations', [])],
        ['POST', `/v1/Conversations/${CH2}`, 200, conversation({sid: CH2, state: 'closed'})],
      ]);
      const r = await run('conversations', 'prune', '--older-than', '1d', '--scan-limit', '50', '--yes', '--json');
      expect(r.exitCode, r.stderr + r.stdout).to.equal(0);
      t.done();
      expect(JSON.parse(r.stdout).conversations.map((c: any) => c.sid)).to.deep.equal([CH2]);
    });

    it('tail: GET the conversation, then the newest messages (Order=desc) until SIGINT', async () => {
      const t = twilio([
        ['GET', CONV, 200, conversation()],
        ['GET', `${CONV}/Messages?Order=desc&PageSize=2`, 200, page('messages', `${CONV}/Messages`, [message({index: 1, sid: IM.replace('0', '1'), body: 'two'}), message()])],
      ]);
      // stop it once the first poll has been answered (its SIGINT handler is installed by then)
      const interval = setInterval(() => t.seen.length === 2 && process.emit('SIGINT'), 20);
      const r = await run('conversations', 'tail', CH, '--backlog', '2', '--interval', '60000');
      clearInterval(interval);
      expect(r.exitCode, r.stderr).to.equal(0);
      t.done();
      expect(r.stdout).to.equal('#0 2024-01-02T03:04:05Z agent: hello\n#1 2024-01-02T03:04:05Z agent: two\n');
    });
  });

  describe('participants and conversation webhooks', () => {
    it('participants list / add (binding) / add (identity) / remove', async () => {
      const t = twilio([
        ['GET', `${CONV}/Participants?PageSize=50`, 200, page('participants', `${CONV}/Participants`, [participant()])],
        ['POST', `${CONV}/Participants`, 201, participant()],
        ['POST', `${CONV}/Participants`, 201, participant({identity: 'alice', messaging_binding: null})],
        ['GET', `${CONV}/Participants/alice`, 200, participant({identity: 'alice', messaging_binding: null})],
        ['DELETE', `${CONV}/Participants/${MB}`, 204],
      ]);
      expect((await run('conversations', 'participants', 'list', CH)).exitCode).to.equal(0);
      expect((await run('conversations', 'participants', 'add', CH, '--address', '+15551234567', '--proxy-address', '+15005550006', '--attributes', '{"vip":true}')).exitCode).to.equal(0);
      expect((await run('conversations', 'participants', 'add', CH, '--identity', 'alice', '--webhooks')).exitCode).to.equal(0);
      expect((await run('conversations', 'participants', 'remove', CH, 'alice', '--yes')).exitCode).to.equal(0);
      t.done();
      expect(t.seen[1].form).to.deep.equal([
        ['MessagingBinding.Address', '+15551234567'],
        ['MessagingBinding.ProxyAddress', '+15005550006'],
        ['Attributes', '{"vip":true}'],
      ]);
      expect(t.seen[2].form).to.deep.equal([['Identity', 'alice']]);
      expect(t.seen[2].webhookEnabled).to.equal('true');
    });

    it('a 50416 becomes BINDING_IN_USE, exit 1', async () => {
      twilio([['POST', `${CONV}/Participants`, 409, {code: 50416, message: 'A binding for this participant and proxy address already exists', more_info: 'https://www.twilio.com/docs/errors/50416', status: 409}]]);
      const r = await run('conversations', 'participants', 'add', CH, '--address', '+15551234567', '--proxy-address', '+15005550006');
      expect(r.exitCode).to.equal(1);
      expect(r.stderr.split('\n')[0]).to.match(/^✖ BINDING_IN_USE \(twilio 50416\): /);
    });

    it("a 50437 (that pair is in this conversation already) becomes PARTICIPANT_EXISTS, exit 1", async () => {
      twilio([['POST', `${CONV}/Participants`, 409, {code: 50437, message: 'Group Participant already exists', more_info: 'https://www.twilio.com/docs/errors/50437', status: 409}]]);
      const r = await run('conversations', 'participants', 'add', CH, '--address', '+15551234567', '--proxy-address', '+15005550006');
      expect(r.exitCode).to.equal(1);
      expect(r.stderr.split('\n')[0]).to.match(/^✖ PARTICIPANT_EXISTS \(twilio 50437\): \+15551234567 \(via \+15005550006\) is a participant of CH0+/);
    });

    it('webhooks list / add (webhook, studio) / remove', async () => {
      const t = twilio([
        ['GET', `${CONV}/Webhooks?PageSize=5`, 200, page('webhooks', `${CONV}/Webhooks`, [webhook()])],
        ['POST', `${CONV}/Webhooks`, 201, webhook()],
        ['POST', `${CONV}/Webhooks`, 201, webhook({target: 'studio', configuration: {flow_sid: FW}})],
        ['GET', `${CONV}/Webhooks/${WH}`, 200, webhook()],
        ['DELETE', `${CONV}/Webhooks/${WH}`, 204],
      ]);
      expect((await run('conversations', 'webhooks', 'list', CH)).exitCode).to.equal(0);
      expect((await run('conversations', 'webhooks', 'add', CH, '--url', 'https://example.com/hook', '--filters', 'onMessageAdded,onParticipantAdded')).exitCode).to.equal(0);
      expect((await run('conversations', 'webhooks', 'add', CH, '--type', 'studio', '--flow', FW, '--replay-after', '0')).exitCode).to.equal(0);
      expect((await run('conversations', 'webhooks', 'remove', CH, WH, '--yes')).exitCode).to.equal(0);
      t.done();
      expect(t.seen[1].form).to.deep.equal([
        ['Target', 'webhook'],
        ['Configuration.Url', 'https://example.com/hook'],
        ['Configuration.Method', 'post'],
        ['Configuration.Filters', 'onMessageAdded'],
        ['Configuration.Filters', 'onParticipantAdded'],
      ]);
      expect(t.seen[2].form).to.deep.equal([
        ['Target', 'studio'],
        ['Configuration.FlowSid', FW],
        ['Configuration.ReplayAfter', '0'],
      ]);
    });
  });

  describe('messages, config, services', () => {
    it('messages list / send / get / delete', async () => {
      const t = twilio([
        ['GET', `${CONV}/Messages?Order=desc&PageSize=5`, 200, page('messages', `${CONV}/Messages`, [message()])],
        ['POST', `${CONV}/Messages`, 201, message()],
        ['GET', `${CONV}/Messages/${IM}`, 200, message()],
        ['GET', `${CONV}/Messages/${IM}`, 200, message()],
        ['DELETE', `${CONV}/Messages/${IM}`, 204],
      ]);
      expect((await run('messages', 'list', CH, '--order', 'desc', '--limit', '5')).exitCode).to.equal(0);
      const sent = await run('messages', 'send', CH, '--body', 'hi & bye=1 ü', '--author', 'agent', '--attributes', '{"k":1}', '--webhooks', '--json');
      expect(sent.exitCode, sent.stderr).to.equal(0);
      expect(JSON.parse(sent.stdout)).to.deep.equal(message());
      expect((await run('messages', 'get', CH, IM)).exitCode).to.equal(0);
      expect((await run('messages', 'delete', CH, IM, '--yes')).exitCode).to.equal(0);
      t.done();
      expect(t.seen[1].form).to.deep.equal([
        ['Author', 'agent'],
        ['Body', 'hi & bye=1 ü'],
        ['Attributes', '{"k":1}'],
      ]);
      expect(t.seen[1].webhookEnabled).to.equal('true');
    });

    it('a 50377 (closed) becomes CONVERSATION_CLOSED, exit 1', async () => {
      twilio([['POST', `${CONV}/Messages`, 400, {code: 50377, message: "Can't update conversation as it's in final closed state", more_info: 'https://www.twilio.com/docs/errors/50377', status: 400}]]);
      const r = await run('messages', 'send', CH, '--body', 'late');
      expect(r.exitCode).to.equal(1);
      expect(r.stderr.split('\n')[0]).to.match(/^✖ CONVERSATION_CLOSED \(twilio 50377\): /);
    });

    it('config get reads both resources; set POSTs each only when it has something to change', async () => {
      const t = twilio([
        ['GET', '/v1/Configuration', 200, config],
        ['GET', '/v1/Configuration/Webhooks', 200, globalHooks],
        ['POST', '/v1/Configuration', 200, {...config, default_inactive_timer: 'PT1H'}],
        ['POST', '/v1/Configuration/Webhooks', 200, {...globalHooks, post_webhook_url: 'https://example.com/e'}],
        ['GET', '/v1/Configuration', 200, config],
        ['POST', '/v1/Configuration/Webhooks', 200, globalHooks],
      ]);
      const got = await run('conversations', 'config', 'get', '--json');
      expect(JSON.parse(got.stdout)).to.deep.equal({configuration: config, webhooks: globalHooks});
      expect((await run('conversations', 'config', 'set', '--inactive-timer', 'PT1H', '--closed-timer', 'P1D', '--default-service', IS, '--post-webhook-url', 'https://example.com/e', '--webhook-filters', 'onMessageAdded,onConversationAdded', '--webhook-method', 'POST', '--webhook-target', 'webhook')).exitCode).to.equal(0);
      expect((await run('conversations', 'config', 'set', '--pre-webhook-url', '')).exitCode).to.equal(0);
      t.done();
      expect(t.seen[2].form).to.deep.equal([
        ['DefaultChatServiceSid', IS],
        ['DefaultInactiveTimer', 'PT1H'],
        ['DefaultClosedTimer', 'P1D'],
      ]);
      expect(t.seen[3].form).to.deep.equal([
        ['Method', 'POST'],
        ['Filters', 'onMessageAdded'],
        ['Filters', 'onConversationAdded'],
        ['PostWebhookUrl', 'https://example.com/e'],
        ['Target', 'webhook'],
      ]);
      expect(t.seen[5].form).to.deep.equal([['PreWebhookUrl', '']]);
    });

    it('services list / get', async () => {
      const t = twilio([
        ['GET', '/v1/Services?PageSize=50', 200, page('services', '/v1/Services', [service])],
        ['GET', `/v1/Services/${IS}`, 200, service],
      ]);
      const list = await run('services', 'list', '--json');
      expect(JSON.parse(list.stdout)).to.deep.equal([service]);
      expect((await run('services', 'get', IS)).exitCode).to.equal(0);
      t.done();
    });
  });

  it('simulate and webhooks are emulator only: EMULATOR_ONLY, exit 2, no request', async () => {
    for (const args of [
      ['simulate', 'inbound', '--from', '+15551234567', '--to', '+15005550006', '--body', 'x'],
      ['simulate', 'outbox'],
      ['webhooks', 'tail'],
      ['webhooks', 'replay', 'WD0123456789abcdef0123456789abcdef'],
    ]) {
      const r = await run(...args, '--json');
      expect(r.exitCode, args.join(' ')).to.equal(2);
      expect(JSON.parse(r.stdout).error.code).to.equal('EMULATOR_ONLY');
    }
  });
});
