/**
 * The real-Twilio path of `flexconv studio *`: the CLI in this process with --target twilio,
 * nock standing in for studio.twilio.com, every test asserting the exact requests (method, URL
 * with query, form body) in order. A definition with faults is refused before any request
 * (nock lets nothing else through: the root hook disables the network).
 */
import {expect} from 'chai';
import {writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {ACCOUNT, AUTH, page, requests, twilio, twilioError, useTwilio} from '../helpers/twilio-nock.js';

const HOST = 'https://studio.twilio.com';
const FW = 'FW0123456789abcdef0123456789abcdef';
const FW2 = 'FWfedcba9876543210fedcba9876543210';
const FN = 'FN0123456789abcdef0123456789abcdef';
const WW = 'WW0123456789abcdef0123456789abcdef';

const definition = {
  description: 'Messaging Flow',
  initial_state: 'Trigger',
  flags: {allow_concurrent_calls: true},
  states: [
    {name: 'Trigger', type: 'trigger', transitions: [{event: 'incomingConversationMessage', next: 'SendToAgent'}], properties: {}},
    {
      name: 'SendToAgent',
      type: 'send-to-flex',
      transitions: [{event: 'callComplete'}, {event: 'failedToEnqueue'}, {event: 'callFailure'}],
      properties: {workflow: WW, channel: 'chat', attributes: '{"name": "{{trigger.conversation.ChannelAttributes.from}}"}'},
    },
  ],
};

const flow = (over: Record<string, unknown> = {}) => ({
  sid: FW,
  account_sid: ACCOUNT,
  friendly_name: 'Messaging Flow',
  definition,
  status: 'published',
  revision: 1,
  commit_message: null,
  valid: true,
  errors: [],
  warnings: [],
  date_created: '2024-01-02T03:04:05Z',
  date_updated: null,
  webhook_url: `https://webhooks.twilio.com/v1/Accounts/${ACCOUNT}/Flows/${FW}`,
  url: `${HOST}/v2/Flows/${FW}`,
  links: {test_users: `${HOST}/v2/Flows/${FW}/TestUsers`, revisions: `${HOST}/v2/Flows/${FW}/Revisions`, executions: `${HOST}/v2/Flows/${FW}/Executions`},
  ...over,
});
const execution = (over: Record<string, unknown> = {}) => ({
  sid: FN,
  account_sid: ACCOUNT,
  flow_sid: FW,
  contact_channel_address: '+15551234567',
  contact_sid: 'FC0123456789abcdef0123456789abcdef',
  context: {},
  status: 'ended',
  date_created: '2024-01-02T03:04:05Z',
  date_updated: '2024-01-02T03:04:06Z',
  url: `${HOST}/v2/Flows/${FW}/Executions/${FN}`,
  links: {steps: `${HOST}/v2/Flows/${FW}/Executions/${FN}/Steps`, execution_context: `${HOST}/v2/Flows/${FW}/Executions/${FN}/Context`},
  ...over,
});
const step = (sid: string, name: string, type: string, from: string, to: string, context: Record<string, unknown>, date = '2024-01-02T03:04:05Z') => ({
  sid,
  account_sid: ACCOUNT,
  flow_sid: FW,
  execution_sid: FN,
  parent_step_sid: null,
  name,
  context,
  transitioned_from: from,
  transitioned_to: to,
  type,
  date_created: date,
  date_updated: date,
  url: `${HOST}/v2/Flows/${FW}/Executions/${FN}/Steps/${sid}`,
  links: {step_context: `${HOST}/v2/Flows/${FW}/Executions/${FN}/Steps/${sid}/Context`},
});
const FLOWS = `${HOST}/v2/Flows`;

describe('studio commands on real Twilio (nock)', function () {
  this.timeout(20_000);
  const t = useTwilio('flexconv-twilio-studio-');
  const file = (name: string, content: unknown) => {
    const p = join(t.dir(), name);
    writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    return p;
  };

  it('deploy (new name): lists the flows, then POST /v2/Flows with FriendlyName, Status, Definition as JSON, CommitMessage', async () => {
    const path = file('flow.json', definition);
    const n = twilio([
      ['GET', `${FLOWS}?PageSize=1000`, 200, page('flows', FLOWS, [flow({sid: FW2, friendly_name: 'Other'})])],
      ['POST', FLOWS, 200, flow()],
    ]);
    const r = await t.run('studio', 'deploy', path, '--publish', '--commit-message', 'first', '--json');
    expect(r.exitCode, r.stderr).to.equal(0);
    n.done();
    expect(n.seen.every((s) => s.authorization === AUTH)).to.equal(true);
    expect(requests(n.seen)).to.deep.equal([`GET ${FLOWS}?PageSize=1000`, `POST ${FLOWS}`]);
    const form = Object.fromEntries(n.seen[1].form);
    expect(form).to.include({FriendlyName: 'Messaging Flow', Status: 'published', CommitMessage: 'first'});
    expect(JSON.parse(form.Definition)).to.deep.equal(definition);
    expect(r.json()).to.deep.equal({action: 'created', flow: flow()});
  });

  it('deploy (existing name, --name wins over the description): POST /v2/Flows/{FW} with Status=draft and the Definition', async () => {
    const path = file('support.json', definition);
    const n = twilio([
      ['GET', `${FLOWS}?PageSize=1000`, 200, page('flows', FLOWS, [flow({friendly_name: 'Support'})])],
      ['POST', `${FLOWS}/${FW}`, 200, flow({friendly_name: 'Support', status: 'draft', revision: 2})],
    ]);
    const r = await t.run('studio', 'deploy', path, '--name', 'Support');
    expect(r.exitCode, r.stderr).to.equal(0);
    n.done();
    expect(n.seen[1].form.map(([k]) => k)).to.deep.equal(['Status', 'Definition']);
    expect(Object.fromEntries(n.seen[1].form).Status).to.equal('draft');
    expect(r.stderr).to.contain(`Updated Studio flow ${FW} (Support), revision 2, draft`);
    expect(r.stdout).to.match(/^Widgets\s+Trigger \(trigger\), SendToAgent \(send-to-flex\)$/m);
  });

  it('deploy of a file with faults: exit 2, every fault named by widget, no request', async () => {
    const bad = {
      initial_state: 'Trigger',
      states: [
        {name: 'Trigger', type: 'trigger', transitions: [{event: 'incomingConversationMessage', next: 'Nowhere'}], properties: {}},
        {type: 'send-message', transitions: [], properties: {body: 'hi'}},
        {name: 'Flex', type: 'send-to-flex', transitions: [], properties: {attributes: '{{ trigger.x '}},
      ],
    };
    const path = file('bad.json', bad);
    const r = await t.run('studio', 'deploy', path);
    expect(r.exitCode).to.equal(2);
    expect(r.stdout).to.equal('');
    const lines = r.stderr.split('\n');
    expect(lines[0]).to.equal(`✖ USAGE: ${path} is not a valid Studio flow (5 faults):`);
    expect(r.stderr)
      .to.contain("• states[0] (Trigger).transitions[0].next: the transition on incomingConversationMessage goes to 'Nowhere', which is not a widget of this flow")
      .and.contain("• states[1].name: must have required property 'name'")
      .and.contain('• states[2] (Flex).properties.workflow: send-to-flex needs properties.workflow')
      .and.contain('• states[2] (Flex).properties.channel: send-to-flex needs properties.channel')
      .and.match(/• states\[2\] \(Flex\)\.properties\.attributes: the template does not parse: .*not closed/);
    expect(r.stderr).to.contain(`→ fix them and check again with \`flexconv studio validate ${path}\``);
    const notJson = file('broken.json', '{"initial_state": "Trigger",\n  "states": [,]}');
    const r2 = await t.run('studio', 'deploy', notJson);
    expect(r2.exitCode).to.equal(2);
    expect(r2.stderr.split('\n')[0]).to.match(new RegExp(`^✖ USAGE: ${notJson.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:14: not valid JSON: unexpected ","`));
  });

  it("deploy refused by the API with details.errors: INVALID_PARAMETER, Twilio's faults listed", async () => {
    const path = file('flow2.json', definition);
    const n = twilio([
      ['GET', `${FLOWS}?PageSize=1000`, 200, page('flows', FLOWS, [])],
      ['POST', FLOWS, 400, twilioError(400, 20001, 'Invalid Flow Definition', {details: {errors: [{message: 'must be a workflow of this account', property_path: '#/states/1/properties/workflow'}]}})],
    ]);
    const r = await t.run('studio', 'deploy', path);
    expect(r.exitCode).to.equal(1);
    n.done();
    expect(r.stderr.split('\n')[0]).to.equal(`✖ INVALID_PARAMETER (twilio 20001): The API refused the flow: ${path} is not a valid Studio flow (1 fault):`);
    expect(r.stderr).to.contain('• states[1] (SendToAgent).properties.workflow: must be a workflow of this account');
  });

  it('validate: the local checks, then POST /v2/Flows/Validate; --offline sends nothing', async () => {
    const path = file('valid.json', definition);
    const n = twilio([['POST', `${FLOWS}/Validate`, 200, {valid: true}]]);
    const r = await t.run('studio', 'validate', path, '--json');
    expect(r.exitCode, r.stderr).to.equal(0);
    n.done();
    expect(Object.fromEntries(n.seen[0].form)).to.include({FriendlyName: 'Messaging Flow', Status: 'draft'});
    expect(r.json()).to.deep.equal({file: path, name: 'Messaging Flow', valid: true, widgets: 2, checked_by: ['flexconv', 'api']});
    const offline = await t.run('studio', 'validate', path, '--offline');
    expect(offline.exitCode, offline.stderr).to.equal(0);
    expect(offline.stderr).to.contain('is a valid Studio flow (2 widgets; checked by flexconv, offline)');
  });

  it('list and get (by name: the list; by SID: GET /v2/Flows/{FW}; unknown: NOT_FOUND)', async () => {
    const n = twilio([
      ['GET', `${FLOWS}?PageSize=50`, 200, page('flows', FLOWS, [flow(), flow({sid: FW2, friendly_name: 'Other', status: 'draft'})])],
      ['GET', `${FLOWS}?PageSize=1000`, 200, page('flows', FLOWS, [flow()])],
      ['GET', `${FLOWS}/${FW}`, 200, flow()],
      ['GET', `${FLOWS}/${FW2}`, 404, twilioError(404, 20404, `The requested resource /Flows/${FW2} was not found`)],
    ]);
    const list = await t.run('studio', 'list', '--columns', 'sid,friendly_name,status,widgets', '--no-header');
    expect(list.exitCode, list.stderr).to.equal(0);
    expect(list.stdout.trim().split('\n')).to.deep.equal([`${FW}  Messaging Flow  published  2`, `${FW2}  Other           draft      2`]);
    const byName = await t.run('studio', 'get', 'Messaging Flow', '--definition');
    expect(byName.exitCode, byName.stderr).to.equal(0);
    expect(JSON.parse(byName.stdout)).to.deep.equal(definition);
    const bySid = await t.run('studio', 'get', FW, '--json');
    expect(bySid.json()).to.deep.equal(flow());
    const missing = await t.run('studio', 'get', FW2);
    expect(missing.exitCode).to.equal(1);
    expect(missing.stderr.split('\n')[0]).to.equal(`✖ NOT_FOUND (twilio 20404): No Studio flow ${FW2} — https://www.twilio.com/docs/errors/20404`);
    n.done();
  });

  it('delete --yes: GET the flow, DELETE it; --dry-run only GETs', async () => {
    const n = twilio([
      ['GET', `${FLOWS}/${FW}`, 200, flow()],
      ['DELETE', `${FLOWS}/${FW}`, 204],
      ['GET', `${FLOWS}/${FW}`, 200, flow()],
    ]);
    const r = await t.run('studio', 'delete', FW, '--yes');
    expect(r.exitCode, r.stderr).to.equal(0);
    expect(r.stderr).to.contain(`Deleted Studio flow ${FW} (Messaging Flow, revision 1)`);
    const dry = await t.run('studio', 'delete', FW, '--dry-run', '--json');
    expect(dry.json()).to.include({sid: FW, dry_run: true});
    n.done();
    expect(requests(n.seen)).to.deep.equal([`GET ${FLOWS}/${FW}`, `DELETE ${FLOWS}/${FW}`, `GET ${FLOWS}/${FW}`]);
  });

  it('executions list: the lower-case status filter, DateCreatedFrom/To, PageSize; a flow by name is looked up first', async () => {
    const EX = `${FLOWS}/${FW}/Executions`;
    const n = twilio([
      ['GET', `${FLOWS}?PageSize=1000`, 200, page('flows', FLOWS, [flow()])],
      ['GET', `${EX}?status=ended&DateCreatedFrom=2024-01-01T00%3A00%3A00Z&DateCreatedTo=2024-02-01T00%3A00%3A00Z&PageSize=10`, 200, page('executions', EX, [execution()])],
    ]);
    const r = await t.run('studio', 'executions', 'list', 'Messaging Flow', '--status', 'ended', '--from', '2024-01-01T00:00:00Z', '--to', '2024-02-01T00:00:00Z', '--limit', '10', '--json');
    expect(r.exitCode, r.stderr).to.equal(0);
    n.done();
    expect(r.json()).to.deep.equal([execution()]);
    const bad = await t.run('studio', 'executions', 'list', FW, '--from', 'yesterday');
    expect(bad.exitCode).to.equal(2);
    expect(bad.stderr.split('\n')[0]).to.equal('✖ USAGE: --from "yesterday" is not an ISO 8601 date');
  });

  it('executions get: the execution and its Context', async () => {
    const EX = `${FLOWS}/${FW}/Executions/${FN}`;
    const context = {trigger: {conversation: {Body: 'hi'}}, widgets: {}, flow: {flow_sid: FW}};
    const n = twilio([
      ['GET', EX, 200, execution()],
      ['GET', `${EX}/Context`, 200, {account_sid: ACCOUNT, context, execution_sid: FN, flow_sid: FW, url: `${EX}/Context`}],
    ]);
    const r = await t.run('studio', 'executions', 'get', FW, FN, '--json');
    expect(r.exitCode, r.stderr).to.equal(0);
    n.done();
    expect(r.json()).to.deep.equal(execution({context}));
  });

  it('executions steps: GET …/Steps, printed in the order they ran with what each took and left', async () => {
    const ST = `${FLOWS}/${FW}/Executions/${FN}/Steps`;
    const n = twilio([
      [
        'GET',
        `${ST}?PageSize=1000`,
        200,
        page('steps', ST, [
          // newest first, as a list may come: the trace puts them in run order
          step('FT00000000000000000000000000000002', 'callComplete', 'send-to-flex', 'SendToAgent', 'Ended', {status: 'enqueued', task_sid: 'WT0123456789abcdef0123456789abcdef'}),
          step('FT00000000000000000000000000000001', 'incomingConversationMessage', 'trigger', 'Trigger', 'SendToAgent', {conversation: {AccountSid: ACCOUNT, Body: 'Hi there', From: '+15551234567'}}),
        ]),
      ],
    ]);
    const r = await t.run('studio', 'executions', 'steps', FW, FN);
    expect(r.exitCode, r.stderr).to.equal(0);
    n.done();
    expect(r.stdout.split('\n')).to.deep.equal([
      ' 1. Trigger (trigger) --incomingConversationMessage--> SendToAgent',
      '      conversation.Body="Hi there"  conversation.From="+15551234567"',
      ' 2. SendToAgent (send-to-flex) --callComplete--> Ended',
      '      status="enqueued"  task_sid="WT0123456789abcdef0123456789abcdef"',
      '',
    ]);
  });
});
