/**
 * The real-Twilio path of the Flex Interactions commands (interactions *, outbound agent,
 * conversations orphans, prune --orphans): the CLI runs in this process with --target twilio and
 * TWILIO_* credentials, nock stands in for flex-api, taskrouter and conversations.twilio.com, and
 * every test asserts the exact requests each command sent, in order — method, host, path with
 * query, and the form body (Channel and Routing as JSON texts). The fixtures validate against
 * Twilio's OpenAPI specs (checked first).
 */
import {expect} from 'chai';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import nock from 'nock';
import {runInProcess, type CliResult} from '../helpers/cli.js';
import {expectValid} from '../helpers/oai.js';

const FLEX = 'https://flex-api.twilio.com';
const TR = 'https://taskrouter.twilio.com';
const CONV = 'https://conversations.twilio.com';
const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'test-auth-token-0123456789abcdef';
const hex = (c: string) => c.repeat(32);
const KD = `KD${hex('1')}`;
const UO = `UO${hex('2')}`;
const UT_C = `UT${hex('3')}`;
const UT_A = `UT${hex('4')}`;
const KG = `KG${hex('5')}`;
const KG2 = `KG${hex('6')}`;
const WS = `WS${hex('7')}`;
const WW = `WW${hex('8')}`;
const WQ = `WQ${hex('9')}`;
const WK = `WK${hex('a')}`;
const WK2 = `WK${hex('b')}`;
const WT = `WT${hex('c')}`;
const WT2 = `WT${hex('d')}`;
const WR = `WR${hex('e')}`;
const CH = `CH${hex('f')}`;
const IS = `IS${'0'.repeat(31)}1`;
const MB = `MB${'0'.repeat(31)}2`;
const IM = `IM${'0'.repeat(31)}3`;
const CUSTOMER = '+15551234567';
const NUMBER = '+15005550006';
const date = '2024-01-02T03:04:05Z';

type Exchange = [host: string, method: string, path: string, status: number, body?: unknown];
interface Seen {
  host: string;
  method: string;
  path: string;
  form: [string, string][];
}

/** Answer `exchanges` and record what was sent (asserted from `seen`, in order). */
function twilio(exchanges: Exchange[]): {seen: Seen[]; done(): void} {
  const seen: Seen[] = [];
  const scopes = new Map<string, nock.Scope>();
  for (const [host, method, path, status, body] of exchanges) {
    const scope = scopes.get(host) ?? nock(host);
    scopes.set(host, scope);
    scope
      .intercept(path.split('?')[0], method)
      .query(true)
      .reply(async (req: Request) => {
        const url = new URL(req.url);
        seen.push({host: url.host.split('.')[0], method: req.method, path: url.pathname + url.search, form: [...new URLSearchParams(await req.text()).entries()]});
        return [status, body ?? ''];
      });
  }
  return {seen, done: () => [...scopes.values()].forEach((s) => s.done())};
}
const requests = (t: {seen: Seen[]}) => t.seen.map((s) => `${s.method} ${s.host} ${decodeURIComponent(s.path)}`);
const formOf = (s: Seen) => Object.fromEntries(s.form);
const twilioErr = (status: number, code: number, message: string) => ({code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status});

function page(host: string, key: string, path: string, items: unknown[]) {
  return {[key]: items, meta: {page: 0, page_size: 50, first_page_url: `${host}${path}?PageSize=50&Page=0`, previous_page_url: null, url: `${host}${path}?PageSize=50&Page=0`, next_page_url: null, key}};
}

// ---------------------------------------------------------------------------------------------
// Fixtures (shapes of the spec's schemas)

const configuration = () => ({
  account_sid: ACCOUNT, date_created: date, date_updated: date, attributes: {}, status: 'ok', taskrouter_workspace_sid: WS,
  taskrouter_target_workflow_sid: WW, taskrouter_target_taskqueue_sid: WQ, taskrouter_taskqueues: [{sid: WQ, targettable: true}],
  taskrouter_skills: [], taskrouter_worker_channels: {}, taskrouter_worker_attributes: {}, taskrouter_offline_activity_sid: `WA${hex('1')}`,
  runtime_domain: null, messaging_service_instance_sid: null, chat_service_instance_sid: IS, flex_service_instance_sid: IS, flex_instance_sid: `GO${hex('1')}`,
  ui_language: 'en', ui_attributes: {}, ui_dependencies: {}, ui_version: '2.0', service_version: '2.0', call_recording_enabled: false,
  call_recording_webhook_url: null, crm_enabled: false, crm_type: null, crm_callback_url: null, crm_fallback_url: null, crm_attributes: null,
  public_attributes: null, plugin_service_enabled: true, plugin_service_attributes: null, integrations: [], outbound_call_flows: null,
  serverless_service_sids: [], queue_stats_configuration: null, notifications: null, markdown: null, url: `${FLEX}/v1/Configuration`,
  flex_insights_hr: null, flex_insights_drilldown: null, flex_url: null, channel_configs: [], debugger_integration: null,
  flex_ui_status_report: null, agent_conv_end_methods: null, citrix_voice_vdi: null, offline_config: null,
});
const taskAttrs = (over: Record<string, unknown> = {}) =>
  JSON.stringify({conversationSid: CH, flexInteractionSid: KD, flexInteractionChannelSid: UO, flexChannelInviteSid: KG, channelType: 'sms', initiatedBy: 'api', direction: 'outbound', customerAddress: CUSTOMER, ...over});
const interaction = (over: Record<string, unknown> = {}) => ({
  sid: KD,
  channel: {type: 'sms', initiated_by: 'api', sid: UO, properties: {media_channel_sid: CH}},
  routing: {properties: {sid: WT, workspace_sid: WS, assignment_status: 'pending', attributes: taskAttrs()}},
  url: `${FLEX}/v1/Interactions/${KD}`,
  links: {channels: `${FLEX}/v1/Interactions/${KD}/Channels`},
  interaction_context_sid: null,
  webhook_ttid: null,
  ...over,
});
const channel = (over: Record<string, unknown> = {}) => ({
  sid: UO, interaction_sid: KD, type: 'sms', status: 'active', error_code: null, error_message: null,
  url: `${FLEX}/v1/Interactions/${KD}/Channels/${UO}`,
  links: {participants: `${FLEX}/v1/Interactions/${KD}/Channels/${UO}/Participants`, invites: `${FLEX}/v1/Interactions/${KD}/Channels/${UO}/Invites`},
  ...over,
});
const participant = (sid: string, type: string, routing: Record<string, unknown> | null = null) => ({
  sid, type, interaction_sid: KD, channel_sid: UO, url: `${FLEX}/v1/Interactions/${KD}/Channels/${UO}/Participants/${sid}`, routing_properties: routing,
});
const agentP = () => participant(UT_A, 'agent', {workspace_sid: WS, task_sid: WT, reservation_sid: WR, worker_sid: WK});
const invite = (sid = KG, task = WT, over: Record<string, unknown> = {}) => ({
  sid, interaction_sid: KD, channel_sid: UO, routing: {properties: {sid: task, workspace_sid: WS, ...over}}, url: `${FLEX}/v1/Interactions/${KD}/Channels/${UO}/Invites/${sid}`,
});
const BASE = `/v1/Workspaces/${WS}`;
const task = (over: Record<string, unknown> = {}) => ({
  account_sid: ACCOUNT, sid: WT, assignment_status: 'assigned', attributes: taskAttrs(), priority: 0, age: 30, timeout: 86400, reason: null,
  task_queue_sid: WQ, task_queue_friendly_name: 'Everyone', workflow_sid: WW, workflow_friendly_name: 'Assign to Anyone', task_channel_unique_name: 'sms',
  task_queue_entered_date: date, virtual_start_time: date, workspace_sid: WS, date_created: date, date_updated: date, url: `${TR}${BASE}/Tasks/${WT}`, links: {},
  addons: '{}', task_channel_sid: `TC${hex('1')}`, ignore_capacity: false, routing_target: null, ...over,
});
const reservation = (over: Record<string, unknown> = {}) => ({
  account_sid: ACCOUNT, sid: WR, reservation_status: 'accepted', task_sid: WT, worker_sid: WK, worker_name: 'alice', workspace_sid: WS,
  date_created: date, date_updated: date, url: `${TR}${BASE}/Tasks/${WT}/Reservations/${WR}`, links: {}, ...over,
});
const worker = (over: Record<string, unknown> = {}) => ({
  account_sid: ACCOUNT, sid: WK, friendly_name: 'alice', activity_sid: `WA${hex('1')}`, activity_name: 'Available', available: true,
  attributes: '{"contact_uri":"client:alice"}', workspace_sid: WS, date_created: date, date_updated: date, date_status_changed: date, url: `${TR}${BASE}/Workers/${WK}`, links: {}, ...over,
});
const conversation = (over: Record<string, unknown> = {}) => ({
  account_sid: ACCOUNT, chat_service_sid: IS, messaging_service_sid: null, sid: CH, friendly_name: null, unique_name: null, attributes: '{}',
  state: 'active', date_created: date, date_updated: date, timers: {}, url: `${CONV}/v1/Conversations/${CH}`, links: {}, bindings: null, ...over,
});
const convParticipant = (over: Record<string, unknown> = {}) => ({
  account_sid: ACCOUNT, conversation_sid: CH, sid: MB, identity: null, attributes: '{}', messaging_binding: {type: 'sms', address: CUSTOMER, proxy_address: NUMBER},
  role_sid: null, date_created: date, date_updated: date, url: `${CONV}/v1/Conversations/${CH}/Participants/${MB}`, last_read_message_index: null, last_read_timestamp: null, ...over,
});
const message = (over: Record<string, unknown> = {}) => ({
  account_sid: ACCOUNT, conversation_sid: CH, sid: IM, index: 0, author: CUSTOMER, body: 'hello?', media: null, attributes: '{}', participant_sid: MB,
  date_created: date, date_updated: date, url: `${CONV}/v1/Conversations/${CH}/Messages/${IM}`, delivery: null, links: {}, content_sid: null, ...over,
});
const participantConversation = (over: Record<string, unknown> = {}) => ({
  account_sid: ACCOUNT, chat_service_sid: IS, participant_sid: MB, participant_user_sid: null, participant_identity: null,
  participant_messaging_binding: {type: 'sms', address: CUSTOMER, proxy_address: NUMBER}, conversation_sid: CH, conversation_unique_name: null,
  conversation_friendly_name: null, conversation_attributes: '{}', conversation_date_created: date, conversation_date_updated: date,
  conversation_created_by: 'system', conversation_state: 'active', conversation_timers: {}, links: {}, ...over,
});

const CHANNELS = `/v1/Interactions/${KD}/Channels`;
const PARTS = `${CHANNELS}/${UO}/Participants`;
const INVITES = `${CHANNELS}/${UO}/Invites`;

/** What channelView() reads for the usual state: customer + alice (task assigned, reservation accepted). */
const viewReads = (invites = [invite()]): Exchange[] => [
  [FLEX, 'GET', PARTS, 200, page(FLEX, 'participants', PARTS, [participant(UT_C, 'customer'), agentP()])],
  [FLEX, 'GET', INVITES, 200, page(FLEX, 'invites', INVITES, invites)],
  [TR, 'GET', `${BASE}/Tasks/${WT}`, 200, task()],
  [TR, 'GET', `${BASE}/Tasks/${WT}/Reservations`, 200, page(TR, 'reservations', `${BASE}/Tasks/${WT}/Reservations`, [reservation()])],
];
const viewRequests = () => [
  `GET flex-api ${PARTS}?PageSize=1000`,
  `GET flex-api ${INVITES}?PageSize=1000`,
  `GET taskrouter ${BASE}/Tasks/${WT}`,
  `GET taskrouter ${BASE}/Tasks/${WT}/Reservations?PageSize=50`,
];
const CHANNEL_LIST: Exchange = [FLEX, 'GET', CHANNELS, 200, page(FLEX, 'channels', CHANNELS, [channel()])];
const CONFIG: Exchange = [FLEX, 'GET', '/v1/Configuration', 200, configuration()];

let configDir: string;
const ENV = () => ({TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_AUTH_TOKEN: TOKEN, FLEXCONV_CONFIG_DIR: configDir, FLEXCONV_STATE_DIR: configDir, TWILIO_CLI_CONFIG_DIR: configDir});
const run = (...args: string[]): Promise<CliResult> => runInProcess([...args, '--target', 'twilio'], {env: ENV()});
function expectOk(r: CliResult): void {
  expect(r.exitCode, `${r.stdout}${r.stderr}`).to.equal(0);
}

describe('interactions commands on real Twilio (nock)', function () {
  this.timeout(20_000);

  before(() => {
    configDir = mkdtempSync(join(tmpdir(), 'flexconv-twilio-flex-'));
  });
  after(() => rmSync(configDir, {recursive: true, force: true}));
  afterEach(() => nock.cleanAll());

  it('the fixtures match the Twilio specs', () => {
    expectValid('GET', `${FLEX}/v1/Configuration`, 200, configuration());
    expectValid('POST', `${FLEX}/v1/Interactions`, 200, interaction());
    expectValid('GET', `${FLEX}${CHANNELS}`, 200, page(FLEX, 'channels', CHANNELS, [channel()]));
    expectValid('GET', `${FLEX}${PARTS}`, 200, page(FLEX, 'participants', PARTS, [participant(UT_C, 'customer'), agentP()]));
    expectValid('POST', `${FLEX}${PARTS}/${UT_A}`, 200, agentP());
    expectValid('GET', `${FLEX}${INVITES}`, 200, page(FLEX, 'invites', INVITES, [invite()]));
    expectValid('POST', `${FLEX}${INVITES}`, 200, invite());
    expectValid('GET', `${TR}${BASE}/Tasks/${WT}`, 200, task());
    expectValid('GET', `${TR}${BASE}/Workers/${WK}`, 200, worker());
    expectValid('GET', `${CONV}/v1/Conversations/${CH}`, 200, conversation());
    expectValid('GET', `${CONV}/v1/ParticipantConversations`, 200, page(CONV, 'conversations', '/v1/ParticipantConversations', [participantConversation()]));
  });

  it('interactions create (api-initiated): the Flex Configuration, then one POST with Channel and Routing as JSON', async () => {
    const t = twilio([CONFIG, [FLEX, 'POST', '/v1/Interactions', 200, interaction()]]);
    const r = await run('interactions', 'create', '--to', CUSTOMER, '--from', NUMBER, '--attributes', 'language=en', '--priority', '5', '--json');
    expectOk(r);
    expect(JSON.parse(r.stdout)).to.include({interaction_sid: KD, channel_sid: UO, task_sid: WT, conversation_sid: CH, initiated_by: 'api'});
    t.done();
    expect(requests(t)).to.deep.equal(['GET flex-api /v1/Configuration', 'POST flex-api /v1/Interactions']);
    const form = formOf(t.seen[1]);
    expect(Object.keys(form)).to.deep.equal(['Channel', 'Routing']);
    expect(JSON.parse(form.Channel)).to.deep.equal({type: 'sms', initiated_by: 'api', participants: [{address: CUSTOMER, proxy_address: NUMBER}]});
    expect(JSON.parse(form.Routing)).to.deep.equal({properties: {workspace_sid: WS, workflow_sid: WW, task_channel_unique_name: 'sms', attributes: {language: 'en'}, priority: 5}});
  });

  it('interactions create --conversation --worker NAME --wait: the channel type from its customer, the worker by name, then the channel polled', async () => {
    const t = twilio([
      CONFIG,
      [CONV, 'GET', `/v1/Conversations/${CH}/Participants`, 200, page(CONV, 'participants', `/v1/Conversations/${CH}/Participants`, [convParticipant({messaging_binding: {type: 'whatsapp', address: `whatsapp:${CUSTOMER}`, proxy_address: `whatsapp:${NUMBER}`}})])],
      [TR, 'GET', `${BASE}/Workers`, 200, page(TR, 'workers', `${BASE}/Workers`, [worker()])],
      [FLEX, 'POST', '/v1/Interactions', 200, interaction({channel: {type: 'whatsapp', initiated_by: 'customer', sid: UO, properties: {media_channel_sid: CH}}})],
      [FLEX, 'GET', `${CHANNELS}/${UO}`, 200, channel({status: 'setup', type: 'whatsapp'})],
      [FLEX, 'GET', `${CHANNELS}/${UO}`, 200, channel({type: 'whatsapp'})],
    ]);
    const r = await run('interactions', 'create', '--conversation', CH, '--worker', 'alice', '--wait', '--json');
    expectOk(r);
    expect(JSON.parse(r.stdout)).to.include({channel_status: 'active', task_sid: WT, initiated_by: 'customer'});
    t.done();
    expect(requests(t)).to.deep.equal([
      'GET flex-api /v1/Configuration',
      `GET conversations /v1/Conversations/${CH}/Participants?PageSize=50`,
      `GET taskrouter ${BASE}/Workers?FriendlyName=alice&PageSize=1000`,
      'POST flex-api /v1/Interactions',
      `GET flex-api ${CHANNELS}/${UO}`,
      `GET flex-api ${CHANNELS}/${UO}`,
    ]);
    const form = formOf(t.seen[3]);
    expect(JSON.parse(form.Channel)).to.deep.equal({type: 'whatsapp', initiated_by: 'customer', properties: {media_channel_sid: CH}});
    // known-agent routing sits in the Flex target queue
    expect(JSON.parse(form.Routing).properties).to.deep.equal({workspace_sid: WS, workflow_sid: WW, queue_sid: WQ, worker_sid: WK, task_channel_unique_name: 'whatsapp', attributes: {}});
  });

  it('interactions create: a wrong-kind SID is refused before any request; a failed channel is an error with its code', async () => {
    const none = twilio([]);
    const bad = await run('interactions', 'create', '--to', CUSTOMER, '--from', NUMBER, '--workflow', WQ);
    expect(bad.exitCode).to.equal(2);
    expect(bad.stderr).to.match(/^✖ USAGE: --workflow WQ9+ is a TaskQueue SID; --workflow takes a Workflow SID/);
    expect(none.seen).to.deep.equal([]);
    const t = twilio([CONFIG, [FLEX, 'POST', '/v1/Interactions', 200, interaction()], [FLEX, 'GET', `${CHANNELS}/${UO}`, 200, channel({status: 'failed', error_code: 50416, error_message: 'Participant already in a conversation'})]]);
    const failed = await run('interactions', 'create', '--to', CUSTOMER, '--from', NUMBER, '--wait');
    expect(failed.exitCode).to.equal(1);
    expect(failed.stderr).to.match(/✖ TWILIO_API_ERROR: Interaction channel UO2+ failed \(error 50416\): Participant already in a conversation/);
    t.done();
  });

  it('interactions show: the interaction, its channels, each channel\'s participants and invites, the tasks and their reservations', async () => {
    const t = twilio([[FLEX, 'GET', `/v1/Interactions/${KD}`, 200, interaction()], CHANNEL_LIST, ...viewReads()]);
    const r = await run('interactions', 'show', KD, '--json');
    expectOk(r);
    const view = JSON.parse(r.stdout);
    expect(view.channels[0].participants.map((p: any) => [p.sid, p.status, p.worker_sid])).to.deep.equal([[UT_C, 'active', null], [UT_A, 'active', WK]]);
    expect(view.channels[0].tasks[0].reservations[0].sid).to.equal(WR);
    t.done();
    expect(requests(t)).to.deep.equal([`GET flex-api /v1/Interactions/${KD}`, `GET flex-api ${CHANNELS}?PageSize=1000`, ...viewRequests()]);
    // Twilio's 404 for an interaction: NOT_FOUND, exit 1
    const gone = twilio([[FLEX, 'GET', `/v1/Interactions/${KD}`, 404, twilioErr(404, 20404, `The requested resource /v1/Interactions/${KD} was not found`)]]);
    const nf = await run('interactions', 'show', KD);
    expect(nf.exitCode).to.equal(1);
    expect(nf.stderr).to.match(/^✖ NOT_FOUND \(twilio 20404\): No interaction KD1+ — https:\/\/www.twilio.com\/docs\/errors\/20404\n/);
    gone.done();
  });

  it('interactions invite --worker WK…: the open channel, the checks (participants, invites, tasks), one POST Invites with the Routing', async () => {
    const t = twilio([CHANNEL_LIST, CONFIG, ...viewReads(), [FLEX, 'POST', INVITES, 200, invite(KG2, WT2, {worker_sid: WK2})]]);
    const r = await run('interactions', 'invite', KD, '--worker', WK2, '--attributes', '{"reason":"escalation"}', '--json');
    expectOk(r);
    expect(JSON.parse(r.stdout)).to.include({task_sid: WT2, worker_sid: WK2, queue_sid: WQ, channel_sid: UO});
    t.done();
    expect(requests(t)).to.deep.equal([`GET flex-api ${CHANNELS}?PageSize=1000`, 'GET flex-api /v1/Configuration', ...viewRequests(), `POST flex-api ${INVITES}`]);
    expect(JSON.parse(formOf(t.seen.at(-1)!).Routing)).to.deep.equal({properties: {workspace_sid: WS, workflow_sid: WW, queue_sid: WQ, worker_sid: WK2, task_channel_unique_name: 'sms', attributes: {reason: 'escalation'}}});
    // the agent who is in already: REFUSED, no POST
    const t2 = twilio([CHANNEL_LIST, CONFIG, ...viewReads()]);
    const refused = await run('interactions', 'invite', KD, '--worker', WK);
    expect(refused.exitCode).to.equal(1);
    expect(refused.stderr).to.match(/^✖ REFUSED: Not inviting into KD1+: worker WKa+ is in the conversation already/);
    t2.done();
    expect(t2.seen.some((s) => s.method === 'POST')).to.equal(false);
  });

  it('interactions participants list / close --wrapup / close: the derived status, one POST per change with Status', async () => {
    const t = twilio([CHANNEL_LIST, ...viewReads(), CHANNEL_LIST, ...viewReads(), [FLEX, 'POST', `${PARTS}/${UT_A}`, 200, agentP()], [FLEX, 'GET', `${CHANNELS}/${UO}`, 200, channel()], ...viewReads(), [FLEX, 'POST', `${PARTS}/${UT_A}`, 200, agentP()]]);
    const list = await run('interactions', 'participants', 'list', KD, '--no-header', '--columns', 'sid,type,status');
    expectOk(list);
    expect(list.stdout.trim().split('\n').map((l) => l.split(/\s+/).join(' '))).to.deep.equal([`${UT_C} customer active`, `${UT_A} agent active`]);
    expectOk(await run('interactions', 'participants', 'close', KD, '--wrapup', '--yes'));
    expectOk(await run('interactions', 'participants', 'close', KD, UO, UT_A, '--yes', '--json'));
    t.done();
    const posts = t.seen.filter((s) => s.method === 'POST');
    expect(posts.map((s) => [s.path, formOf(s)])).to.deep.equal([[`${PARTS}/${UT_A}`, {Status: 'wrapup'}], [`${PARTS}/${UT_A}`, {Status: 'closed'}]]);
  });

  it('interactions close / --park: POST Channels/UO with Status (and Routing {"status":"closed"} for park); a closed channel only warns, nothing sent', async () => {
    const t = twilio([
      CHANNEL_LIST, [FLEX, 'POST', `${CHANNELS}/${UO}`, 200, channel({status: 'closed'})],
      CHANNEL_LIST, [FLEX, 'POST', `${CHANNELS}/${UO}`, 200, channel({status: 'inactive'})],
      [FLEX, 'GET', CHANNELS, 200, page(FLEX, 'channels', CHANNELS, [channel({status: 'closed'})])],
    ]);
    expectOk(await run('interactions', 'close', KD, '--yes'));
    expectOk(await run('interactions', 'close', KD, '--park', '--yes'));
    const again = await run('interactions', 'close', KD, '--yes');
    expectOk(again);
    expect(again.stderr).to.match(/^! Channel UO2+ of interaction KD1+ is closed already; nothing changed$/m);
    t.done();
    expect(requests(t)).to.deep.equal([
      `GET flex-api ${CHANNELS}?PageSize=1000`, `POST flex-api ${CHANNELS}/${UO}`,
      `GET flex-api ${CHANNELS}?PageSize=1000`, `POST flex-api ${CHANNELS}/${UO}`,
      `GET flex-api ${CHANNELS}?PageSize=1000`,
    ]);
    expect(formOf(t.seen[1])).to.deep.equal({Status: 'closed'});
    expect(formOf(t.seen[3])).to.deep.equal({Status: 'inactive', Routing: '{"status":"closed"}'});
  });

  it('interactions transfer --cold --no-wait: Flex\'s recipe — an invite for the target whose task attributes carry the transfer', async () => {
    const t = twilio([CHANNEL_LIST, ...viewReads(), CONFIG, [FLEX, 'POST', INVITES, 200, invite(KG2, WT2, {worker_sid: WK2})]]);
    const r = await run('interactions', 'transfer', KD, '--to-worker', WK2, '--cold', '--no-wait', '--json');
    expectOk(r);
    expect(JSON.parse(r.stdout)).to.deep.equal({interaction_sid: KD, channel_sid: UO, type: 'cold', from: UT_A, from_worker_sid: WK, to: WK2, invite_sid: KG2, task_sid: WT2, status: 'active'});
    t.done();
    expect(requests(t).at(-1)).to.equal(`POST flex-api ${INVITES}`);
    const routing = JSON.parse(formOf(t.seen.at(-1)!).Routing);
    // [unverified] the attribute names of the recipe (the emulator's Transfers resource writes the same)
    expect(routing.properties).to.deep.include({worker_sid: WK2, queue_sid: WQ, task_channel_unique_name: 'sms'});
    expect(routing.properties.attributes).to.deep.equal({transferType: 'cold', transferTargetType: 'worker', transferTo: WK2, transferFrom: WK, transferFromParticipantSid: UT_A, channelType: 'sms', initiatedBy: 'api', direction: 'outbound', customerAddress: CUSTOMER});
  });

  it('interactions transfer --cold (waiting): the invite\'s task polled; on accept the transferring agent\'s participant is closed', async () => {
    const t = twilio([
      CHANNEL_LIST, ...viewReads(), CONFIG, [FLEX, 'POST', INVITES, 200, invite(KG2, WT2, {worker_sid: WK2})],
      CONFIG,
      [TR, 'GET', `${BASE}/Tasks/${WT2}`, 200, task({sid: WT2, assignment_status: 'reserved', url: `${TR}${BASE}/Tasks/${WT2}`})],
      [TR, 'GET', `${BASE}/Tasks/${WT2}`, 200, task({sid: WT2, assignment_status: 'assigned', url: `${TR}${BASE}/Tasks/${WT2}`})],
      [TR, 'GET', `${BASE}/Tasks/${WT2}/Reservations`, 200, page(TR, 'reservations', `${BASE}/Tasks/${WT2}/Reservations`, [reservation({sid: `WR${hex('f')}`, task_sid: WT2, worker_sid: WK2, worker_name: 'bob', url: `${TR}${BASE}/Tasks/${WT2}/Reservations/WR${hex('f')}`})])],
      [FLEX, 'POST', `${PARTS}/${UT_A}`, 200, agentP()],
    ]);
    const r = await run('interactions', 'transfer', KD, '--to-worker', WK2, '--cold', '--json');
    expectOk(r);
    expect(JSON.parse(r.stdout)).to.include({status: 'completed', worker_sid: WK2});
    t.done();
    expect(requests(t).slice(-5)).to.deep.equal([
      'GET flex-api /v1/Configuration',
      `GET taskrouter ${BASE}/Tasks/${WT2}`,
      `GET taskrouter ${BASE}/Tasks/${WT2}`,
      `GET taskrouter ${BASE}/Tasks/${WT2}/Reservations?PageSize=50`,
      `POST flex-api ${PARTS}/${UT_A}`,
    ]);
    expect(formOf(t.seen.at(-1)!)).to.deep.equal({Status: 'closed'});
  });

  it('outbound agent: the bound-pair check by address, then an agent-initiated interaction and the first message as the agent', async () => {
    const t = twilio([
      CONFIG,
      [TR, 'GET', `${BASE}/Workers/${WK}`, 200, worker()],
      [CONV, 'GET', '/v1/ParticipantConversations', 200, page(CONV, 'conversations', '/v1/ParticipantConversations', [participantConversation({conversation_state: 'closed'})])],
      [FLEX, 'POST', '/v1/Interactions', 200, interaction({channel: {type: 'sms', initiated_by: 'agent', sid: UO, properties: {media_channel_sid: CH}}})],
      [FLEX, 'GET', `${CHANNELS}/${UO}`, 200, channel()],
      [CONV, 'POST', `/v1/Conversations/${CH}/Messages`, 201, message({author: 'alice', body: 'Hi from Alice'})],
    ]);
    const r = await run('outbound', 'agent', '--worker', WK, '--to', CUSTOMER, '--from', NUMBER, '--body', 'Hi from Alice', '--json');
    expectOk(r);
    t.done();
    expect(requests(t)).to.deep.equal([
      'GET flex-api /v1/Configuration',
      `GET taskrouter ${BASE}/Workers/${WK}`,
      `GET conversations /v1/ParticipantConversations?Address=${CUSTOMER}&PageSize=50`,
      'POST flex-api /v1/Interactions',
      `GET flex-api ${CHANNELS}/${UO}`,
      `POST conversations /v1/Conversations/${CH}/Messages`,
    ]);
    const form = formOf(t.seen[3]);
    expect(JSON.parse(form.Channel)).to.deep.equal({type: 'sms', initiated_by: 'agent', participants: [{address: CUSTOMER, proxy_address: NUMBER}]});
    expect(JSON.parse(form.Routing).properties).to.deep.equal({workspace_sid: WS, workflow_sid: WW, queue_sid: WQ, worker_sid: WK, task_channel_unique_name: 'sms', attributes: {}});
    expect(formOf(t.seen[5])).to.deep.equal({Body: 'Hi from Alice', Author: 'alice'});
  });

  it('outbound agent: a pair bound to an open conversation stops before anything is created, naming the exact close command', async () => {
    const t = twilio([
      CONFIG,
      [TR, 'GET', `${BASE}/Workers/${WK}`, 200, worker()],
      [CONV, 'GET', '/v1/ParticipantConversations', 200, page(CONV, 'conversations', '/v1/ParticipantConversations', [participantConversation()])],
      [TR, 'GET', `${BASE}/Tasks`, 200, page(TR, 'tasks', `${BASE}/Tasks`, [task()])],
    ]);
    const r = await run('outbound', 'agent', '--worker', WK, '--to', CUSTOMER, '--from', NUMBER);
    expect(r.exitCode).to.equal(1);
    expect(r.stderr).to.match(/^✖ BINDING_IN_USE: \+15551234567 is already bound to \+15005550006 in conversation CHf+ \(active, interaction KD1+\)/);
    expect(r.stderr).to.contain(`→ close it: \`flexconv interactions close ${KD} --yes\``);
    t.done();
    expect(t.seen.some((s) => s.method === 'POST')).to.equal(false);
  });

  it('conversations orphans / prune --orphans: tasks, workers and open conversations read; an orphan closed through its interaction channel', async () => {
    const canceled = task({assignment_status: 'canceled'});
    const reads: Exchange[] = [
      CONFIG,
      [TR, 'GET', `${BASE}/Tasks`, 200, page(TR, 'tasks', `${BASE}/Tasks`, [canceled])],
      [TR, 'GET', `${BASE}/Workers`, 200, page(TR, 'workers', `${BASE}/Workers`, [worker()])],
      [CONV, 'GET', '/v1/Conversations', 200, page(CONV, 'conversations', '/v1/Conversations', [conversation()])],
      [CONV, 'GET', `/v1/Conversations/${CH}/Participants`, 200, page(CONV, 'participants', `/v1/Conversations/${CH}/Participants`, [convParticipant()])],
      [FLEX, 'GET', `${CHANNELS}/${UO}`, 200, channel()],
      [CONV, 'GET', `/v1/Conversations/${CH}/Messages`, 200, page(CONV, 'messages', `/v1/Conversations/${CH}/Messages`, [message()])],
      [CONV, 'GET', '/v1/Conversations', 200, page(CONV, 'conversations', '/v1/Conversations', [])],
    ];
    const t = twilio([...reads, ...reads, [FLEX, 'GET', `${CHANNELS}/${UO}`, 200, channel()], [FLEX, 'POST', `${CHANNELS}/${UO}`, 200, channel({status: 'closed'})]]);
    const r = await run('conversations', 'orphans', '--json');
    expectOk(r);
    const found = JSON.parse(r.stdout);
    expect(found.orphans.map((o: any) => [o.conversation.sid, o.reasons, o.interaction_sid, o.last_message.body])).to.deep.equal([[CH, ['no_open_task', 'no_agent'], KD, 'hello?']]);
    const pruned = await run('conversations', 'prune', '--orphans', '--yes', '--json');
    expectOk(pruned);
    expect(JSON.parse(pruned.stdout).conversations.map((c: any) => [c.sid, c.closed_via])).to.deep.equal([[CH, 'channel']]);
    t.done();
    expect(requests(t).slice(0, 8)).to.deep.equal([
      'GET flex-api /v1/Configuration',
      `GET taskrouter ${BASE}/Tasks?PageSize=1000`,
      `GET taskrouter ${BASE}/Workers?PageSize=1000`,
      'GET conversations /v1/Conversations?State=active&PageSize=100',
      `GET conversations /v1/Conversations/${CH}/Participants?PageSize=100`,
      `GET flex-api ${CHANNELS}/${UO}`,
      `GET conversations /v1/Conversations/${CH}/Messages?Order=desc&PageSize=1`,
      'GET conversations /v1/Conversations?State=inactive&PageSize=100',
    ]);
    expect(formOf(t.seen.at(-1)!)).to.deep.equal({Status: 'closed', Routing: '{"status":"closed"}'});
  });
});
