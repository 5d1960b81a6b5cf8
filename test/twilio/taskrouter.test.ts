/**
 * The real-Twilio path of the TaskRouter commands: the CLI runs in this process with --target
 * twilio and TWILIO_* credentials, nock stands in for taskrouter.twilio.com, and every test
 * asserts the exact requests (method, path with query, form body, If-Match) each command sent,
 * in order — including the look-ups that turn names (a worker, an activity, a queue, a workflow,
 * the workspace) into SIDs. Twilio's errors (20404, 20412, 20001) come out as one line with the
 * exit code of ERROR_CODES.
 */
import {expect} from 'chai';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import nock from 'nock';
import {runInProcess, type CliResult} from '../helpers/cli.js';

const HOST = 'https://taskrouter.twilio.com';
const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'test-auth-token-0123456789abcdef';
const AUTH = `Basic ${Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64')}`;
const WS = 'WS0123456789abcdef0123456789abcdef';
const WS2 = 'WSfedcba9876543210fedcba9876543210';
const WA = 'WA0123456789abcdef0123456789abcdef';
const WK = 'WK0123456789abcdef0123456789abcdef';
const WQ = 'WQ0123456789abcdef0123456789abcdef';
const WW = 'WW0123456789abcdef0123456789abcdef';
const WT = 'WT0123456789abcdef0123456789abcdef';
const WR = 'WR0123456789abcdef0123456789abcdef';
const BASE = `/v1/Workspaces/${WS}`;

interface Seen {
  method: string;
  path: string;
  authorization: string | null;
  ifMatch: string | null;
  form: [string, string][];
}
type Exchange = [method: string, path: string, status: number, body?: unknown];

/** Answer `exchanges` in order and record what was sent (the path and query are asserted from `seen`). */
function twilio(exchanges: Exchange[]): {seen: Seen[]; done(): void} {
  const seen: Seen[] = [];
  const scope = nock(HOST);
  for (const [method, path, status, body] of exchanges) {
    scope
      .intercept(path.split('?')[0], method)
      .query(true)
      .reply(async (req: Request) => {
        const url = new URL(req.url);
        seen.push({
          method: req.method,
          path: url.pathname + url.search,
          authorization: req.headers.get('authorization'),
          ifMatch: req.headers.get('if-match'),
          form: [...new URLSearchParams(await req.text()).entries()],
        });
        return [status, body ?? ''];
      });
  }
  return {seen, done: () => scope.done()};
}
const requests = (t: {seen: Seen[]}) => t.seen.map((s) => `${s.method} ${decodeURIComponent(s.path)}`);
const twilioErr = (status: number, code: number, message: string) => ({code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status});

function page(key: string, path: string, items: unknown[]) {
  return {[key]: items, meta: {page: 0, page_size: 50, first_page_url: `${HOST}${path}`, previous_page_url: null, url: `${HOST}${path}`, next_page_url: null, key}};
}
const date = '2024-01-02T03:04:05Z';
const workspace = (over: Record<string, unknown> = {}) => ({account_sid: ACCOUNT, sid: WS, friendly_name: 'Flex Task Assignment', default_activity_sid: WA, default_activity_name: 'Offline', timeout_activity_sid: WA, timeout_activity_name: 'Offline', event_callback_url: null, events_filter: null, multi_task_enabled: true, prioritize_queue_order: 'FIFO', date_created: date, date_updated: date, url: `${HOST}${BASE}`, links: {}, ...over});
const activity = (over: Record<string, unknown> = {}) => ({account_sid: ACCOUNT, sid: WA, friendly_name: 'Available', available: true, workspace_sid: WS, date_created: date, date_updated: date, url: `${HOST}${BASE}/Activities/${WA}`, links: {}, ...over});
const worker = (over: Record<string, unknown> = {}) => ({account_sid: ACCOUNT, sid: WK, friendly_name: 'alice', activity_sid: WA, activity_name: 'Available', available: true, attributes: '{"skills":["support"]}', workspace_sid: WS, date_created: date, date_updated: date, date_status_changed: date, url: `${HOST}${BASE}/Workers/${WK}`, links: {}, ...over});
const queue = (over: Record<string, unknown> = {}) => ({account_sid: ACCOUNT, sid: WQ, friendly_name: 'Support', target_workers: 'skills HAS "support"', max_reserved_workers: 1, task_order: 'FIFO', reservation_activity_sid: null, assignment_activity_sid: null, workspace_sid: WS, date_created: date, date_updated: date, url: `${HOST}${BASE}/TaskQueues/${WQ}`, links: {}, ...over});
const workflow = (over: Record<string, unknown> = {}) => ({account_sid: ACCOUNT, sid: WW, friendly_name: 'Assign to Anyone', configuration: '{"task_routing":{"default_filter":{"queue":"' + WQ + '"}}}', task_reservation_timeout: 120, assignment_callback_url: null, fallback_assignment_callback_url: null, workspace_sid: WS, date_created: date, date_updated: date, url: `${HOST}${BASE}/Workflows/${WW}`, links: {}, ...over});
const task = (over: Record<string, unknown> = {}) => ({account_sid: ACCOUNT, sid: WT, assignment_status: 'pending', attributes: '{"type":"support"}', priority: 0, age: 3, timeout: 86400, reason: null, task_queue_sid: WQ, task_queue_friendly_name: 'Support', workflow_sid: WW, workflow_friendly_name: 'Assign to Anyone', task_channel_unique_name: 'default', task_queue_entered_date: date, virtual_start_time: date, workspace_sid: WS, date_created: date, date_updated: date, url: `${HOST}${BASE}/Tasks/${WT}`, links: {}, ...over});
const reservation = (over: Record<string, unknown> = {}) => ({account_sid: ACCOUNT, sid: WR, reservation_status: 'pending', task_sid: WT, worker_sid: WK, worker_name: 'alice', workspace_sid: WS, date_created: date, date_updated: date, url: `${HOST}${BASE}/Tasks/${WT}/Reservations/${WR}`, links: {}, ...over});

let configDir: string;
const ENV = () => ({TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_AUTH_TOKEN: TOKEN, FLEXCONV_CONFIG_DIR: configDir, FLEXCONV_STATE_DIR: configDir, TWILIO_CLI_CONFIG_DIR: configDir});
const run = (...args: string[]): Promise<CliResult> => runInProcess([...args, '--target', 'twilio'], {env: ENV()});
const inWs = (...args: string[]) => run(...args, '--workspace', WS);

describe('taskrouter commands on real Twilio (nock)', function () {
  this.timeout(20_000);

  before(() => {
    configDir = mkdtempSync(join(tmpdir(), 'flexconv-twilio-tr-'));
  });
  after(() => rmSync(configDir, {recursive: true, force: true}));
  afterEach(() => nock.cleanAll());

  describe('workspaces and the workspace a command uses', () => {
    it('workspaces list / get / create', async () => {
      const t = twilio([
        ['GET', '/v1/Workspaces', 200, page('workspaces', '/v1/Workspaces', [workspace()])],
        ['GET', '/v1/Workspaces', 200, page('workspaces', '/v1/Workspaces', [workspace()])],
        ['GET', BASE, 200, workspace()],
        ['POST', '/v1/Workspaces', 201, workspace()],
      ]);
      const list = await run('workspaces', 'list', '--friendly-name', 'Flex Task Assignment', '--json');
      expect(list.exitCode, list.stderr).to.equal(0);
      expect(JSON.parse(list.stdout)).to.deep.equal([workspace()]);
      expect((await run('workspaces', 'get', '--json')).exitCode).to.equal(0);
      const c = await run('workspaces', 'create', '--friendly-name', 'Flex Task Assignment', '--template', 'FIFO', '--event-callback-url', 'https://example.com/ev', '--events-filter', 'task.created', '--no-multi-task', '--prioritize-queue-order', 'LIFO');
      expect(c.exitCode, c.stderr).to.equal(0);
      t.done();
      expect(t.seen.every((s) => s.authorization === AUTH)).to.equal(true);
      expect(requests(t)).to.deep.equal([
        'GET /v1/Workspaces?FriendlyName=Flex Task Assignment&PageSize=50',
        'GET /v1/Workspaces?PageSize=20',
        `GET ${BASE}`,
        'POST /v1/Workspaces',
      ]);
      expect(t.seen[3].form).to.deep.equal([
        ['FriendlyName', 'Flex Task Assignment'],
        ['EventCallbackUrl', 'https://example.com/ev'],
        ['EventsFilter', 'task.created'],
        ['MultiTaskEnabled', 'false'],
        ['Template', 'FIFO'],
        ['PrioritizeQueueOrder', 'LIFO'],
      ]);
    });

    it('--workspace NAME is looked up by FriendlyName; several and none named is a usage error, without a further request', async () => {
      const t = twilio([
        ['GET', '/v1/Workspaces', 200, page('workspaces', '/v1/Workspaces', [workspace()])],
        ['GET', `${BASE}/Activities`, 200, page('activities', `${BASE}/Activities`, [activity()])],
        ['GET', '/v1/Workspaces', 200, page('workspaces', '/v1/Workspaces', [workspace(), workspace({sid: WS2, friendly_name: 'Sales'})])],
      ]);
      const r = await run('activities', 'list', '--workspace', 'Flex Task Assignment', '--json');
      expect(r.exitCode, r.stderr).to.equal(0);
      const several = await run('activities', 'list');
      expect(several.exitCode).to.equal(2);
      expect(several.stderr).to.match(/^✖ USAGE: 2 workspaces exist and none is named: Flex Task Assignment \(WS0123.*\), Sales \(WSfedc/);
      t.done();
      expect(requests(t)).to.deep.equal([
        'GET /v1/Workspaces?FriendlyName=Flex Task Assignment&PageSize=20',
        `GET ${BASE}/Activities?PageSize=50`,
        'GET /v1/Workspaces?PageSize=20',
      ]);
    });

    it('an unknown workspace SID is NOT_FOUND (twilio 20404), exit 1', async () => {
      twilio([['GET', `${BASE}/Workers`, 404, twilioErr(404, 20404, 'The requested resource was not found')]]);
      const r = await inWs('workers', 'list');
      expect(r.exitCode).to.equal(1);
      expect(r.stderr).to.match(/^✖ NOT_FOUND \(twilio 20404\): No workspace WS0123456789abcdef0123456789abcdef( — https:\/\/www\.twilio\.com\/docs\/errors\/20404)\n  → list them with `flexconv workspaces list`/);
    });
  });

  describe('workers', () => {
    it('list with filters: names resolve to SIDs first', async () => {
      const t = twilio([
        ['GET', `${BASE}/Activities`, 200, page('activities', `${BASE}/Activities`, [activity()])],
        ['GET', `${BASE}/TaskQueues`, 200, page('task_queues', `${BASE}/TaskQueues`, [queue()])],
        ['GET', `${BASE}/Workers`, 200, page('workers', `${BASE}/Workers`, [worker()])],
      ]);
      const r = await inWs('workers', 'list', '--activity', 'Available', '--queue', 'Support', '--available', '--json');
      expect(r.exitCode, r.stderr).to.equal(0);
      t.done();
      expect(JSON.parse(r.stdout)).to.deep.equal([worker()]);
      expect(requests(t)).to.deep.equal([
        `GET ${BASE}/Activities?FriendlyName=Available&PageSize=1000`,
        `GET ${BASE}/TaskQueues?FriendlyName=Support&PageSize=1000`,
        `GET ${BASE}/Workers?ActivitySid=${WA}&Available=true&TaskQueueSid=${WQ}&PageSize=50`,
      ]);
    });

    it('get by name, create, update (If-Match header), set-activity', async () => {
      const t = twilio([
        ['GET', `${BASE}/Workers`, 200, page('workers', `${BASE}/Workers`, [worker()])],
        ['GET', `${BASE}/Workers/${WK}`, 200, worker()],
        ['GET', `${BASE}/Activities`, 200, page('activities', `${BASE}/Activities`, [activity()])],
        ['POST', `${BASE}/Workers`, 201, worker()],
        ['POST', `${BASE}/Workers/${WK}`, 200, worker()],
        ['GET', `${BASE}/Activities`, 200, page('activities', `${BASE}/Activities`, [activity({friendly_name: 'Offline', available: false})])],
        ['POST', `${BASE}/Workers/${WK}`, 200, worker({activity_name: 'Offline', available: false})],
      ]);
      expect((await inWs('workers', 'get', 'alice', '--json')).exitCode).to.equal(0);
      const c = await inWs('workers', 'create', '--friendly-name', 'alice', '--activity', 'Available', '--attributes', '{"skills":["support"]}');
      expect(c.exitCode, c.stderr).to.equal(0);
      const u = await inWs('workers', 'update', WK, '--attributes', '{"level":2}', '--friendly-name', 'Alice', '--if-match', '7');
      expect(u.exitCode, u.stderr).to.equal(0);
      const s = await inWs('workers', 'set-activity', WK, 'Offline', '--reject-pending-reservations');
      expect(s.exitCode, s.stderr).to.equal(0);
      t.done();
      expect(requests(t)).to.deep.equal([
        `GET ${BASE}/Workers?FriendlyName=alice&PageSize=1000`,
        `GET ${BASE}/Workers/${WK}`,
        `GET ${BASE}/Activities?FriendlyName=Available&PageSize=1000`,
        `POST ${BASE}/Workers`,
        `POST ${BASE}/Workers/${WK}`,
        `GET ${BASE}/Activities?FriendlyName=Offline&PageSize=1000`,
        `POST ${BASE}/Workers/${WK}`,
      ]);
      expect(t.seen[3].form).to.deep.equal([['FriendlyName', 'alice'], ['ActivitySid', WA], ['Attributes', '{"skills":["support"]}']]);
      expect(t.seen[4].form).to.deep.equal([['Attributes', '{"level":2}'], ['FriendlyName', 'Alice']]);
      expect(t.seen[4].ifMatch).to.equal('7');
      expect(t.seen[6].form).to.deep.equal([['ActivitySid', WA], ['RejectPendingReservations', 'true']]);
    });

    it('attributes that are not a JSON object: refused before any request', async () => {
      const t = twilio([]);
      const r = await inWs('workers', 'create', '--friendly-name', 'x', '--attributes', 'skills');
      expect(r.exitCode).to.equal(2);
      expect(r.stderr).to.match(/^✖ USAGE: --attributes is not valid JSON/);
      expect(t.seen).to.deep.equal([]);
    });
  });

  describe('queues and workflows', () => {
    it('queues list / get / create / update', async () => {
      const t = twilio([
        ['GET', `${BASE}/TaskQueues`, 200, page('task_queues', `${BASE}/TaskQueues`, [queue()])],
        ['GET', `${BASE}/TaskQueues/${WQ}`, 200, queue()],
        ['GET', `${BASE}/Activities`, 200, page('activities', `${BASE}/Activities`, [activity({friendly_name: 'Busy'})])],
        ['POST', `${BASE}/TaskQueues`, 201, queue()],
        ['POST', `${BASE}/TaskQueues/${WQ}`, 200, queue()],
      ]);
      expect((await inWs('queues', 'list', '--json')).exitCode).to.equal(0);
      expect((await inWs('queues', 'get', WQ, '--json')).exitCode).to.equal(0);
      const c = await inWs('queues', 'create', '--friendly-name', 'Support', '--target-workers', 'skills HAS "support"', '--max-reserved-workers', '2', '--task-order', 'LIFO', '--assignment-activity', 'Busy');
      expect(c.exitCode, c.stderr).to.equal(0);
      const u = await inWs('queues', 'update', WQ, '--target-workers', '1==1');
      expect(u.exitCode, u.stderr).to.equal(0);
      t.done();
      expect(requests(t)).to.deep.equal([
        `GET ${BASE}/TaskQueues?PageSize=50`,
        `GET ${BASE}/TaskQueues/${WQ}`,
        `GET ${BASE}/Activities?FriendlyName=Busy&PageSize=1000`,
        `POST ${BASE}/TaskQueues`,
        `POST ${BASE}/TaskQueues/${WQ}`,
      ]);
      expect(t.seen[3].form).to.deep.equal([['FriendlyName', 'Support'], ['TargetWorkers', 'skills HAS "support"'], ['MaxReservedWorkers', '2'], ['TaskOrder', 'LIFO'], ['AssignmentActivitySid', WA]]);
      expect(t.seen[4].form).to.deep.equal([['TargetWorkers', '1==1']]);
    });

    it('a malformed expression: Twilio\'s 400 in one line, exit 1', async () => {
      twilio([['POST', `${BASE}/TaskQueues`, 400, twilioErr(400, 20001, 'Invalid TargetWorkers expression')]]);
      const r = await inWs('queues', 'create', '--friendly-name', 'X', '--target-workers', 'skills HAS');
      expect(r.exitCode).to.equal(1);
      expect(r.stderr.split('\n')[0]).to.equal('✖ INVALID_PARAMETER (twilio 20001): Invalid TargetWorkers expression — https://www.twilio.com/docs/errors/20001');
    });

    it('workflows create --config (JSON; queue names become SIDs) / update / list / get', async () => {
      const file = join(configDir, 'wf.json');
      writeFileSync(file, JSON.stringify({task_routing: {filters: [{filter_friendly_name: 'S', expression: 'type == "support"', targets: [{queue: 'Support', timeout: 30}, {queue: WQ}]}], default_filter: {queue: 'Support'}}}));
      const t = twilio([
        ['GET', `${BASE}/TaskQueues`, 200, page('task_queues', `${BASE}/TaskQueues`, [queue()])],
        ['POST', `${BASE}/Workflows`, 201, workflow()],
        ['GET', `${BASE}/Workflows`, 200, page('workflows', `${BASE}/Workflows`, [workflow()])],
        ['POST', `${BASE}/Workflows/${WW}`, 200, workflow()],
        ['GET', `${BASE}/Workflows`, 200, page('workflows', `${BASE}/Workflows`, [workflow()])],
        ['GET', `${BASE}/Workflows/${WW}`, 200, workflow()],
      ]);
      const c = await inWs('workflows', 'create', '--friendly-name', 'Assign to Anyone', '--config', file, '--task-reservation-timeout', '30', '--assignment-callback-url', 'https://example.com/assign');
      expect(c.exitCode, c.stderr).to.equal(0);
      const u = await inWs('workflows', 'update', 'Assign to Anyone', '--task-reservation-timeout', '60', '--re-evaluate-tasks');
      expect(u.exitCode, u.stderr).to.equal(0);
      expect((await inWs('workflows', 'list', '--json')).exitCode).to.equal(0);
      expect((await inWs('workflows', 'get', WW, '--json')).exitCode).to.equal(0);
      t.done();
      expect(requests(t)).to.deep.equal([
        `GET ${BASE}/TaskQueues?FriendlyName=Support&PageSize=1000`,
        `POST ${BASE}/Workflows`,
        `GET ${BASE}/Workflows?FriendlyName=Assign to Anyone&PageSize=1000`,
        `POST ${BASE}/Workflows/${WW}`,
        `GET ${BASE}/Workflows?PageSize=50`,
        `GET ${BASE}/Workflows/${WW}`,
      ]);
      const sent = Object.fromEntries(t.seen[1].form);
      expect(sent).to.include({FriendlyName: 'Assign to Anyone', TaskReservationTimeout: '30', AssignmentCallbackUrl: 'https://example.com/assign'});
      expect(JSON.parse(sent.Configuration)).to.deep.equal({task_routing: {filters: [{filter_friendly_name: 'S', expression: 'type == "support"', targets: [{queue: WQ, timeout: 30}, {queue: WQ}]}], default_filter: {queue: WQ}}});
      expect(t.seen[3].form).to.deep.equal([['TaskReservationTimeout', '60'], ['ReEvaluateTasks', 'true']]);
    });

    it('a workflow file without task_routing: usage error, no request', async () => {
      const file = join(configDir, 'nope.json');
      writeFileSync(file, '{\n  "routing": {}\n}\n');
      const t = twilio([]);
      const r = await inWs('workflows', 'create', '--friendly-name', 'X', '--config', file);
      expect(r.exitCode).to.equal(2);
      expect(r.stderr).to.match(/^✖ USAGE: .*nope\.json:1:1: task_routing is missing/);
      expect(t.seen).to.deep.equal([]);
    });
  });

  describe('tasks and reservations', () => {
    it('tasks list (repeated AssignmentStatus) / get / create with a workflow name', async () => {
      const t = twilio([
        ['GET', `${BASE}/Tasks`, 200, page('tasks', `${BASE}/Tasks`, [task()])],
        ['GET', `${BASE}/Tasks/${WT}`, 200, task()],
        ['GET', `${BASE}/Workflows`, 200, page('workflows', `${BASE}/Workflows`, [workflow()])],
        ['POST', `${BASE}/Tasks`, 201, task()],
      ]);
      const l = await inWs('tasks', 'list', '--status', 'pending,reserved', '--where', 'type == "support"', '--ordering', 'Priority:desc', '--json');
      expect(l.exitCode, l.stderr).to.equal(0);
      expect(JSON.parse(l.stdout)).to.deep.equal([task()]);
      expect((await inWs('tasks', 'get', WT, '--json')).exitCode).to.equal(0);
      const c = await inWs('tasks', 'create', '--attributes', '{"type":"support"}', '--workflow', 'Assign to Anyone', '--priority', '5', '--timeout', '3600', '--channel', 'chat');
      expect(c.exitCode, c.stderr).to.equal(0);
      t.done();
      expect(requests(t)).to.deep.equal([
        `GET ${BASE}/Tasks?AssignmentStatus=pending&AssignmentStatus=reserved&EvaluateTaskAttributes=type == "support"&Ordering=Priority:desc&PageSize=50`,
        `GET ${BASE}/Tasks/${WT}`,
        `GET ${BASE}/Workflows?FriendlyName=Assign to Anyone&PageSize=1000`,
        `POST ${BASE}/Tasks`,
      ]);
      expect(t.seen[3].form).to.deep.equal([['Timeout', '3600'], ['Priority', '5'], ['TaskChannel', 'chat'], ['WorkflowSid', WW], ['Attributes', '{"type":"support"}']]);
    });

    it('tasks create --worker NAME --respect-capacity / --queue NAME: RoutingTarget (and IgnoreCapacity=false)', async () => {
      const t = twilio([
        ['GET', `${BASE}/Workers`, 200, page('workers', `${BASE}/Workers`, [worker()])],
        ['POST', `${BASE}/Tasks`, 201, task({routing_target: WK, workflow_sid: null})],
        ['GET', `${BASE}/TaskQueues`, 200, page('task_queues', `${BASE}/TaskQueues`, [queue()])],
        ['POST', `${BASE}/Tasks`, 201, task({routing_target: WQ, workflow_sid: null})],
      ]);
      const w = await inWs('tasks', 'create', '--worker', 'alice', '--respect-capacity', '--channel', 'chat', '--json');
      expect(w.exitCode, w.stderr).to.equal(0);
      expect(JSON.parse(w.stdout).routing_target).to.equal(WK);
      expect((await inWs('tasks', 'create', '--queue', 'Support')).exitCode).to.equal(0);
      t.done();
      expect(requests(t)).to.deep.equal([
        `GET ${BASE}/Workers?FriendlyName=alice&PageSize=1000`,
        `POST ${BASE}/Tasks`,
        `GET ${BASE}/TaskQueues?FriendlyName=Support&PageSize=1000`,
        `POST ${BASE}/Tasks`,
      ]);
      expect(t.seen[1].form).to.deep.equal([['TaskChannel', 'chat'], ['RoutingTarget', WK], ['IgnoreCapacity', 'false']]);
      expect(t.seen[3].form).to.deep.equal([['RoutingTarget', WQ]]);
    });

    it('wrapup / complete / cancel: AssignmentStatus with Reason and If-Match', async () => {
      const t = twilio([
        ['POST', `${BASE}/Tasks/${WT}`, 200, task({assignment_status: 'wrapping'})],
        ['POST', `${BASE}/Tasks/${WT}`, 200, task({assignment_status: 'completed'})],
        ['GET', `${BASE}/Tasks/${WT}`, 200, task()],
        ['POST', `${BASE}/Tasks/${WT}`, 200, task({assignment_status: 'canceled'})],
      ]);
      expect((await inWs('tasks', 'wrapup', WT, '--if-match', '4')).exitCode).to.equal(0);
      expect((await inWs('tasks', 'complete', WT, '--reason', 'resolved')).exitCode).to.equal(0);
      expect((await inWs('tasks', 'cancel', WT, '--reason', 'gone', '--yes')).exitCode).to.equal(0);
      t.done();
      expect(requests(t)).to.deep.equal([`POST ${BASE}/Tasks/${WT}`, `POST ${BASE}/Tasks/${WT}`, `GET ${BASE}/Tasks/${WT}`, `POST ${BASE}/Tasks/${WT}`]);
      expect(t.seen[0].form).to.deep.equal([['AssignmentStatus', 'wrapping']]);
      expect(t.seen[0].ifMatch).to.equal('4');
      expect(t.seen[1].form).to.deep.equal([['AssignmentStatus', 'completed'], ['Reason', 'resolved']]);
      expect(t.seen[3].form).to.deep.equal([['AssignmentStatus', 'canceled'], ['Reason', 'gone']]);
    });

    it('a stale If-Match is VERSION_MISMATCH (twilio 20412); an illegal change is INVALID_PARAMETER; both exit 1', async () => {
      twilio([
        ['POST', `${BASE}/Tasks/${WT}`, 412, twilioErr(412, 20412, 'Version mismatch')],
        ['POST', `${BASE}/Tasks/${WT}`, 400, twilioErr(400, 20001, 'Task cannot move from pending to completed')],
      ]);
      const stale = await inWs('tasks', 'wrapup', WT, '--if-match', '1');
      expect(stale.exitCode).to.equal(1);
      expect(stale.stderr).to.match(/^✖ VERSION_MISMATCH \(twilio 20412\): Task WT0123.* changed since the version given with --if-match/);
      const illegal = await inWs('tasks', 'complete', WT);
      expect(illegal.exitCode).to.equal(1);
      expect(illegal.stderr.split('\n')[0]).to.equal('✖ INVALID_PARAMETER (twilio 20001): Task cannot move from pending to completed — https://www.twilio.com/docs/errors/20001');
    });

    it('reservations list --worker NAME / --task; accept via the worker, reject with an activity, complete via the task', async () => {
      const t = twilio([
        ['GET', `${BASE}/Workers`, 200, page('workers', `${BASE}/Workers`, [worker()])],
        ['GET', `${BASE}/Workers/${WK}/Reservations`, 200, page('reservations', `${BASE}/Workers/${WK}/Reservations`, [reservation()])],
        ['GET', `${BASE}/Tasks/${WT}/Reservations`, 200, page('reservations', `${BASE}/Tasks/${WT}/Reservations`, [reservation()])],
        ['POST', `${BASE}/Workers/${WK}/Reservations/${WR}`, 200, reservation({reservation_status: 'accepted'})],
        ['GET', `${BASE}/Activities`, 200, page('activities', `${BASE}/Activities`, [activity({friendly_name: 'Offline'})])],
        ['POST', `${BASE}/Tasks/${WT}/Reservations/${WR}`, 200, reservation({reservation_status: 'rejected'})],
        ['POST', `${BASE}/Tasks/${WT}/Reservations/${WR}`, 200, reservation({reservation_status: 'completed'})],
      ]);
      const l = await inWs('reservations', 'list', '--worker', 'alice', '--status', 'pending', '--json');
      expect(l.exitCode, l.stderr).to.equal(0);
      expect(JSON.parse(l.stdout)).to.deep.equal([reservation()]);
      expect((await inWs('reservations', 'list', '--task', WT, '--json')).exitCode).to.equal(0);
      expect((await inWs('reservations', 'accept', WR, '--worker', WK)).exitCode).to.equal(0);
      expect((await inWs('reservations', 'reject', WR, '--task', WT, '--activity', 'Offline')).exitCode).to.equal(0);
      expect((await inWs('reservations', 'complete', WR, '--task', WT, '--if-match', '2')).exitCode).to.equal(0);
      t.done();
      expect(requests(t)).to.deep.equal([
        `GET ${BASE}/Workers?FriendlyName=alice&PageSize=1000`,
        `GET ${BASE}/Workers/${WK}/Reservations?ReservationStatus=pending&PageSize=50`,
        `GET ${BASE}/Tasks/${WT}/Reservations?PageSize=50`,
        `POST ${BASE}/Workers/${WK}/Reservations/${WR}`,
        `GET ${BASE}/Activities?FriendlyName=Offline&PageSize=1000`,
        `POST ${BASE}/Tasks/${WT}/Reservations/${WR}`,
        `POST ${BASE}/Tasks/${WT}/Reservations/${WR}`,
      ]);
      expect(t.seen[3].form).to.deep.equal([['ReservationStatus', 'accepted']]);
      expect(t.seen[5].form).to.deep.equal([['ReservationStatus', 'rejected'], ['WorkerActivitySid', WA]]);
      expect(t.seen[6].form).to.deep.equal([['ReservationStatus', 'completed']]);
      expect(t.seen[6].ifMatch).to.equal('2');
    });

    it('reservations list without --worker or --task: every worker\'s reservations, merged oldest first', async () => {
      const WK2 = 'WKfedcba9876543210fedcba9876543210';
      const WR2 = 'WRfedcba9876543210fedcba9876543210';
      const bob = reservation({sid: WR2, worker_sid: WK2, worker_name: 'bob', date_created: '2024-01-01T00:00:00Z', url: `${HOST}${BASE}/Workers/${WK2}/Reservations/${WR2}`});
      const t = twilio([
        ['GET', `${BASE}/Workers`, 200, page('workers', `${BASE}/Workers`, [worker(), worker({sid: WK2, friendly_name: 'bob'})])],
        ['GET', `${BASE}/Workers/${WK}/Reservations`, 200, page('reservations', `${BASE}/Workers/${WK}/Reservations`, [reservation()])],
        ['GET', `${BASE}/Workers/${WK2}/Reservations`, 200, page('reservations', `${BASE}/Workers/${WK2}/Reservations`, [bob])],
      ]);
      const r = await inWs('reservations', 'list', '--status', 'pending', '--limit', '5', '--json');
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(JSON.parse(r.stdout).map((x: {sid: string}) => x.sid)).to.deep.equal([WR2, WR]);
      t.done();
      expect(requests(t).sort()).to.deep.equal([
        `GET ${BASE}/Workers/${WK2}/Reservations?ReservationStatus=pending&PageSize=5`,
        `GET ${BASE}/Workers/${WK}/Reservations?ReservationStatus=pending&PageSize=5`,
        `GET ${BASE}/Workers?PageSize=1000`,
      ].sort());
    });
  });

  describe('taskrouter stats', () => {
    it('workspace: the workspace, its realtime and cumulative statistics, and each queue\'s realtime', async () => {
      const rt = {account_sid: ACCOUNT, workspace_sid: WS, tasks_by_status: {pending: 2, reserved: 1, assigned: 0, wrapping: 0}, total_tasks: 3, longest_task_waiting_age: 75, longest_task_waiting_sid: WT, activity_statistics: [{sid: WA, friendly_name: 'Available', workers: 1}], total_workers: 1, url: `${HOST}${BASE}/RealTimeStatistics`};
      const cu = {account_sid: ACCOUNT, workspace_sid: WS, reservations_accepted: 4, reservations_rejected: 1, reservations_timed_out: 2, reservations_canceled: 0, tasks_completed: 3, tasks_canceled: 1, tasks_created: 8, url: `${HOST}${BASE}/CumulativeStatistics`};
      const qrt = {account_sid: ACCOUNT, workspace_sid: WS, task_queue_sid: WQ, tasks_by_status: {pending: 2, reserved: 1, assigned: 0, wrapping: 0}, total_tasks: 3, longest_task_waiting_age: 75, longest_task_waiting_sid: WT, total_available_workers: 1, total_eligible_workers: 3, activity_statistics: [], url: `${HOST}${BASE}/TaskQueues/${WQ}/RealTimeStatistics`};
      const t = twilio([
        ['GET', BASE, 200, workspace()],
        ['GET', `${BASE}/RealTimeStatistics`, 200, rt],
        ['GET', `${BASE}/CumulativeStatistics`, 200, cu],
        ['GET', `${BASE}/TaskQueues`, 200, page('task_queues', `${BASE}/TaskQueues`, [queue()])],
        ['GET', `${BASE}/TaskQueues/${WQ}/RealTimeStatistics`, 200, qrt],
      ]);
      const r = await inWs('taskrouter', 'stats', '--minutes', '30', '--channel', 'chat');
      expect(r.exitCode, r.stderr).to.equal(0);
      t.done();
      expect(requests(t)).to.deep.equal([
        `GET ${BASE}`,
        `GET ${BASE}/RealTimeStatistics?TaskChannel=chat`,
        `GET ${BASE}/CumulativeStatistics?Minutes=30&TaskChannel=chat`,
        `GET ${BASE}/TaskQueues?PageSize=100`,
        `GET ${BASE}/TaskQueues/${WQ}/RealTimeStatistics?TaskChannel=chat`,
      ]);
      expect(r.stdout).to.match(/^Tasks\s+pending 2 · reserved 1 · assigned 0 · wrapping 0 {2}\(total 3\)$/m);
      expect(r.stdout).to.match(/^Longest wait\s+1m15s \(WT0123/m);
      expect(r.stdout).to.match(/^Reservations\s+accepted 4 · rejected 1 · timed out 2 · canceled 0$/m);
      expect(r.stdout).to.match(/^Support\s+2\s+1\s+0\s+0\s+1m15s\s+1\/3$/m);
    });
  });
});
