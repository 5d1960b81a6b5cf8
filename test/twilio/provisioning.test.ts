/**
 * The real-Twilio path of `flexconv plan` / `apply` / `export`: the CLI in this process with
 * --target twilio, nock standing in for conversations, studio and taskrouter.twilio.com. Each
 * test asserts the requests sent: the reads of the state (in any order: they run concurrently),
 * then the changes in dependency order with their exact form bodies — a Studio flow created
 * before the address that names it (with the new FW SID), a flow updated in place, a workflow
 * whose queue name became the queue's SID, and nothing sent at all for an invalid file.
 */
import {expect} from 'chai';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import nock from 'nock';
import {runInProcess, type CliResult} from '../helpers/cli.js';

const CONV = 'https://conversations.twilio.com';
const STUDIO = 'https://studio.twilio.com';
const TR = 'https://taskrouter.twilio.com';
const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'test-auth-token-0123456789abcdef';
const IS = 'IS0123456789abcdef0123456789abcdef';
const FW = 'FW0123456789abcdef0123456789abcdef';
const IG = 'IG0123456789abcdef0123456789abcdef';
const WS = 'WS0123456789abcdef0123456789abcdef';
const WQ = 'WQ0123456789abcdef0123456789abcdef';
const WW = 'WW0123456789abcdef0123456789abcdef';
const WA = 'WA0123456789abcdef0123456789abcdef';
const date = '2024-01-02T03:04:05Z';

interface Seen {
  method: string;
  url: string;
  form: [string, string][];
}

/** Answer each [method, url, status, body] once and record what was sent. */
function twilio(exchanges: [string, string, number, unknown][]) {
  const seen: Seen[] = [];
  const scopes = exchanges.map(([method, url, status, body]) => {
    const u = new URL(url);
    return nock(u.origin)
      .intercept(u.pathname, method)
      .query(true)
      .reply(async (req: Request) => {
        seen.push({method: req.method, url: decodeURIComponent(req.url), form: [...new URLSearchParams(await req.text()).entries()]});
        return [status, body];
      });
  });
  return {seen, done: () => scopes.forEach((s) => s.done())};
}

const page = (host: string, path: string, key: string, items: unknown[]) => ({
  [key]: items,
  meta: {page: 0, page_size: 50, first_page_url: `${host}${path}`, previous_page_url: null, url: `${host}${path}`, next_page_url: null, key},
});
const service = {account_sid: ACCOUNT, sid: IS, friendly_name: 'Flex Chat Service', date_created: date, date_updated: date, url: `${CONV}/v1/Services/${IS}`, links: {}};
const config = (over: Record<string, unknown> = {}) => ({account_sid: ACCOUNT, default_chat_service_sid: IS, default_messaging_service_sid: null, default_inactive_timer: null, default_closed_timer: null, url: `${CONV}/v1/Configuration`, links: {}, ...over});
const hooks = {account_sid: ACCOUNT, method: 'POST', filters: [], pre_webhook_url: null, post_webhook_url: null, target: 'webhook', url: `${CONV}/v1/Configuration/Webhooks`};
const definition = {description: 'Inbound', states: [{name: 'Trigger', type: 'trigger', transitions: [], properties: {}}], initial_state: 'Trigger', flags: {allow_concurrent_calls: true}};
const flow = (over: Record<string, unknown> = {}) => ({sid: FW, account_sid: ACCOUNT, friendly_name: 'Inbound', definition, status: 'published', revision: 1, commit_message: null, valid: true, errors: [], warnings: [], date_created: date, date_updated: date, webhook_url: `https://webhooks.twilio.com/v1/Accounts/${ACCOUNT}/Flows/${FW}`, url: `${STUDIO}/v2/Flows/${FW}`, links: {}, ...over});
const address = (over: Record<string, unknown> = {}) => ({sid: IG, account_sid: ACCOUNT, type: 'chat', address: 'site-chat', friendly_name: null, auto_creation: {enabled: true, type: 'studio', conversation_service_sid: IS, studio_flow_sid: FW, studio_retry_count: 3}, date_created: date, date_updated: date, url: `${CONV}/v1/Configuration/Addresses/${IG}`, address_country: null, ...over});

let dir: string;
const ENV = () => ({TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_AUTH_TOKEN: TOKEN, FLEXCONV_CONFIG_DIR: dir, FLEXCONV_STATE_DIR: dir, TWILIO_CLI_CONFIG_DIR: dir});
const run = (...args: string[]): Promise<CliResult> => runInProcess([...args, '--target', 'twilio'], {env: ENV()});
const writes = (seen: Seen[]) => seen.filter((s) => s.method !== 'GET');

/** The state reads of a file with Conversations configuration, Studio flows and addresses. */
const reads = (flows: unknown[], addresses: unknown[]): [string, string, number, unknown][] => [
  ['GET', `${CONV}/v1/Services`, 200, page(CONV, '/v1/Services', 'services', [service])],
  ['GET', `${CONV}/v1/Configuration`, 200, config()],
  ['GET', `${STUDIO}/v2/Flows`, 200, page(STUDIO, '/v2/Flows', 'flows', flows)],
  ['GET', `${CONV}/v1/Configuration/Addresses`, 200, page(CONV, '/v1/Configuration/Addresses', 'address_configurations', addresses)],
];

describe('provisioning on real Twilio (nock)', function () {
  this.timeout(30_000);
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'flexconv-twilio-prov-'));
    writeFileSync(join(dir, 'flow.json'), JSON.stringify(definition));
    writeFileSync(
      join(dir, 'flexconv.yaml'),
      [
        'conversations_configuration: {default_inactive_timer: PT1H}',
        'studio_flows:',
        '  - {friendly_name: Inbound, definition_file: flow.json}',
        'addresses:',
        '  - type: chat',
        '    address: site-chat',
        '    auto_creation: {type: studio, studio_flow: Inbound, studio_retry_count: 3}',
        '',
      ].join('\n'),
    );
  });
  after(() => rmSync(dir, {recursive: true, force: true}));
  afterEach(() => nock.cleanAll());

  it('plan reads the state and nothing else; --detailed-exitcode 2 for changes', async () => {
    const t = twilio(reads([], []));
    const r = await run('plan', '-f', join(dir, 'flexconv.yaml'), '--detailed-exitcode', '--json');
    expect(r.exitCode, r.stderr).to.equal(2);
    t.done();
    expect(t.seen.map((s) => `${s.method} ${s.url}`)).to.have.members([
      `GET ${CONV}/v1/Services?PageSize=100`,
      `GET ${CONV}/v1/Configuration`,
      `GET ${STUDIO}/v2/Flows?PageSize=50`,
      `GET ${CONV}/v1/Configuration/Addresses?PageSize=50`,
    ]);
    const j = JSON.parse(r.stdout);
    expect(j.changes.map((c: any) => `${c.action} ${c.kind}:${c.key}`)).to.deep.equal(['update conversations_configuration:configuration', 'create studio_flows:Inbound', 'create addresses:site-chat']);
    expect(j.changes[2].after).to.deep.equal(['studio_flows:Inbound']);
  });

  it('apply creates the flow first, then the address with the new flow SID; the configuration through its own resource', async () => {
    const t = twilio([
      ...reads([], []),
      ['POST', `${STUDIO}/v2/Flows`, 200, flow()],
      ['POST', `${CONV}/v1/Configuration/Addresses`, 201, address()],
      ['POST', `${CONV}/v1/Configuration`, 200, config({default_inactive_timer: 'PT1H'})],
      ['GET', `${CONV}/v1/Configuration/Webhooks`, 200, hooks],
    ]);
    const r = await run('apply', '-f', join(dir, 'flexconv.yaml'), '--concurrency', '1');
    expect(r.exitCode, r.stderr).to.equal(0);
    t.done();
    const w = writes(t.seen);
    const flowAt = w.findIndex((s) => s.url === `${STUDIO}/v2/Flows`);
    const addrAt = w.findIndex((s) => s.url === `${CONV}/v1/Configuration/Addresses`);
    expect(flowAt).to.be.lessThan(addrAt);
    expect(w[flowAt].form).to.deep.equal([['FriendlyName', 'Inbound'], ['Status', 'published'], ['Definition', JSON.stringify(definition)]]);
    expect(w[addrAt].form).to.deep.equal([
      ['Type', 'chat'], ['Address', 'site-chat'],
      ['AutoCreation.Enabled', 'true'], ['AutoCreation.Type', 'studio'], ['AutoCreation.StudioFlowSid', FW], ['AutoCreation.StudioRetryCount', '3'],
    ]);
    expect(w.find((s) => s.url === `${CONV}/v1/Configuration`)!.form).to.deep.equal([['DefaultInactiveTimer', 'PT1H']]);
    expect(r.stderr).to.contain(`+ created Studio flow "Inbound" (${FW})`).and.contain('2 created, 1 updated, 0 deleted');
  });

  it('a changed definition updates the flow in place (same SID); an unchanged address is not touched', async () => {
    const old = {...definition, description: 'old'};
    const t = twilio([
      ...reads([flow({definition: old})], [address()]).map((e) => (e[1].endsWith('/v1/Configuration') ? ([e[0], e[1], e[2], config({default_inactive_timer: 'PT1H'})] as [string, string, number, unknown]) : e)),
      ['POST', `${STUDIO}/v2/Flows/${FW}`, 200, flow({revision: 2})],
    ]);
    const r = await run('apply', '-f', join(dir, 'flexconv.yaml'));
    expect(r.exitCode, r.stderr).to.equal(0);
    t.done();
    expect(writes(t.seen).map((s) => [s.method, s.url, s.form])).to.deep.equal([['POST', `${STUDIO}/v2/Flows/${FW}`, [['Status', 'published'], ['FriendlyName', 'Inbound'], ['Definition', JSON.stringify(definition)]]]]);
    expect(r.stdout).to.contain(`~ update Studio flow "Inbound" (${FW})`).and.contain('definition: {"description":"old"');
  });

  it('a listed flow without its definition is fetched; export names the flow, never its SID', async () => {
    const {definition: _d, ...bare} = flow();
    const t = twilio([
      ['GET', `${CONV}/v1/Services`, 200, page(CONV, '/v1/Services', 'services', [service])],
      ['GET', `${CONV}/v1/Configuration`, 200, config()],
      ['GET', `${CONV}/v1/Configuration/Webhooks`, 200, hooks],
      ['GET', `${STUDIO}/v2/Flows`, 200, page(STUDIO, '/v2/Flows', 'flows', [{...bare, definition: null}])],
      ['GET', `${STUDIO}/v2/Flows/${FW}`, 200, flow()],
      ['GET', `${CONV}/v1/Configuration/Addresses`, 200, page(CONV, '/v1/Configuration/Addresses', 'address_configurations', [address()])],
      ['GET', `${TR}/v1/Workspaces`, 200, page(TR, '/v1/Workspaces', 'workspaces', [])],
    ]);
    const r = await run('export');
    expect(r.exitCode, r.stderr).to.equal(0);
    t.done();
    expect(r.stdout).to.contain('studio_flows:\n  - friendly_name: Inbound\n    status: published\n    definition:');
    expect(r.stdout).to.contain('studio_flow: Inbound').and.contain('conversation_service: Flex Chat Service');
    expect(r.stdout).not.to.match(/(FW|IS|IG)[0-9a-f]{32}/);
    expect(r.stderr).to.contain('! activities not exported: no TaskRouter workspace to read');
  });

  it('a workflow naming its queue: the queue is created first and the workflow gets its SID', async () => {
    const file = join(dir, 'tr.yaml');
    writeFileSync(file, "workspace: Flex Task Assignment\ntask_queues:\n  - {friendly_name: Support, target_workers: 'skills HAS \"support\"'}\nworkflows:\n  - friendly_name: Support routing\n    configuration: {task_routing: {default_filter: {queue: Support}}}\n");
    const ws = {account_sid: ACCOUNT, sid: WS, friendly_name: 'Flex Task Assignment', default_activity_sid: WA, default_activity_name: 'Offline', timeout_activity_sid: WA, timeout_activity_name: 'Offline', event_callback_url: null, events_filter: null, multi_task_enabled: true, prioritize_queue_order: 'FIFO', date_created: date, date_updated: date, url: `${TR}/v1/Workspaces/${WS}`, links: {}};
    const queue = {account_sid: ACCOUNT, sid: WQ, friendly_name: 'Support', target_workers: 'skills HAS "support"', max_reserved_workers: 1, task_order: 'FIFO', reservation_activity_sid: null, assignment_activity_sid: null, workspace_sid: WS, date_created: date, date_updated: date, url: `${TR}/v1/Workspaces/${WS}/TaskQueues/${WQ}`, links: {}};
    const workflow = {account_sid: ACCOUNT, sid: WW, friendly_name: 'Support routing', configuration: JSON.stringify({task_routing: {default_filter: {queue: WQ}}}), task_reservation_timeout: 120, assignment_callback_url: null, fallback_assignment_callback_url: null, document_content_type: 'application/json', workspace_sid: WS, date_created: date, date_updated: date, url: `${TR}/v1/Workspaces/${WS}/Workflows/${WW}`, links: {}};
    const t = twilio([
      ['GET', `${TR}/v1/Workspaces`, 200, page(TR, '/v1/Workspaces', 'workspaces', [ws])],
      ['GET', `${TR}/v1/Workspaces/${WS}`, 200, ws],
      ['GET', `${CONV}/v1/Services`, 200, page(CONV, '/v1/Services', 'services', [service])],
      ['GET', `${TR}/v1/Workspaces/${WS}/TaskQueues`, 200, page(TR, `/v1/Workspaces/${WS}/TaskQueues`, 'task_queues', [])],
      ['GET', `${TR}/v1/Workspaces/${WS}/Workflows`, 200, page(TR, `/v1/Workspaces/${WS}/Workflows`, 'workflows', [])],
      ['POST', `${TR}/v1/Workspaces/${WS}/TaskQueues`, 201, queue],
      ['POST', `${TR}/v1/Workspaces/${WS}/Workflows`, 201, workflow],
    ]);
    const r = await run('apply', '-f', file);
    expect(r.exitCode, r.stderr).to.equal(0);
    t.done();
    // one request alone first (a failing one is then the only one sent), then the file's workspace by name
    expect(t.seen.slice(0, 2).map((s) => s.url)).to.deep.equal([`${CONV}/v1/Services?PageSize=100`, `${TR}/v1/Workspaces?FriendlyName=Flex Task Assignment&PageSize=20`]);
    expect(writes(t.seen).map((s) => [s.url, s.form])).to.deep.equal([
      [`${TR}/v1/Workspaces/${WS}/TaskQueues`, [['FriendlyName', 'Support'], ['TargetWorkers', 'skills HAS "support"']]],
      [`${TR}/v1/Workspaces/${WS}/Workflows`, [['FriendlyName', 'Support routing'], ['Configuration', JSON.stringify({task_routing: {default_filter: {queue: WQ}}})]]],
    ]);
  });

  it('an API error in a change is reported with its Twilio code; what depends on it is not sent', async () => {
    const t = twilio([
      ...reads([], []),
      ['POST', `${STUDIO}/v2/Flows`, 400, {code: 20001, message: 'Invalid Flow definition', more_info: 'https://www.twilio.com/docs/errors/20001', status: 400}],
      ['POST', `${CONV}/v1/Configuration`, 200, config({default_inactive_timer: 'PT1H'})],
      ['GET', `${CONV}/v1/Configuration/Webhooks`, 200, hooks],
    ]);
    const r = await run('apply', '-f', join(dir, 'flexconv.yaml'), '--json');
    expect(r.exitCode).to.equal(1);
    t.done();
    const j = JSON.parse(r.stdout);
    expect(j.error.code).to.equal('APPLY_INCOMPLETE');
    expect(j.result.applied.failed[0]).to.deep.include({id: 'studio_flows:Inbound'});
    expect(j.result.applied.failed[0].error).to.deep.include({code: 'INVALID_PARAMETER', message: 'Invalid Flow definition'});
    expect(j.result.applied.skipped.map((s: any) => s.id)).to.deep.equal(['addresses:site-chat']);
    expect(writes(t.seen).some((s) => s.url.endsWith('/Configuration/Addresses')), 'the address naming the failed flow is not sent').to.equal(false);
  });

  it('an invalid file sends nothing', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'studio_flows:\n  - {friendly_name: X}\n');
    const r = await run('apply', '-f', file);
    expect(r.exitCode).to.equal(2);
    expect(r.stderr).to.contain('bad.yaml:2:5: studio_flows[0].definition is missing');
    expect(nock.pendingMocks()).to.deep.equal([]);
  });
});
